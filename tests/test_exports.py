"""Excel exports read back with openpyxl: totals equal the rows, layout, print setup, formula guard, registry."""
import io
import zipfile
from collections import defaultdict

import pytest
from openpyxl import load_workbook

from emergency.importing.measure_text import parse_measure_text
from emergency.importing.pipeline import inspect_file
from emergency.lists.exports import export_counties, export_list, export_registry
from emergency.lists.listing import iter_list_rows
from emergency.lists.orders import WITHHELD_CELL
from emergency.registry.measures import MeasureTypes
from emergency.spreadsheets.registry import REGISTRY_HEADERS
from emergency.spreadsheets.writer import LIST_HEADERS, SUMMARY_HEADERS
from models import LEVELS, POLLUTANT_LABELS, POLLUTANTS, County, Setting, db
from tests.baseline_support import set_baselines

# A clinker B line's measures that meet the floors (trucks banned at every level).
FULL = {"yellow": ("none", None, None, "no_g4"), "orange": ("limit", 20.0, None, "no_g4"),
        "red": ("stop", None, None, "no_g4")}
REDUCTION_HEADERS = [f"{POLLUTANT_LABELS[p]}减排量(吨/日)" for p in POLLUTANTS]


def read(data, sheet, header_row=2):
    """(title, headers, [row dict]) of one sheet; ``header_row`` is 1-based."""
    ws = load_workbook(io.BytesIO(data))[sheet]
    values = list(ws.iter_rows(values_only=True))
    headers = list(values[header_row - 1])
    rows = [dict(zip(headers, v)) for v in values[header_row:]]
    # A sheet printed in blocks has its title over each block, not over the repeated columns.
    title = next((v for v in values[0] if v), None) if header_row > 1 else None
    return title, headers, rows


def list_bytes(level, county=None):
    buffer = io.BytesIO()
    summary = export_list(buffer, level, county)
    return buffer.getvalue(), summary


@pytest.fixture
def registry(make_enterprise, make_line, county):
    """A small registry with every category, a non-stoppable line, a weak and a missing measure."""
    def build():
        e = make_enterprise(name="城区水泥B", grade="B")
        make_line(e, name="1#窑", measures=FULL)
        make_line(e, name="2#窑", measures={**FULL, "red": ("limit", 50.0, None, "no_g4")}, so2_t_yr=12.0)  # weak
        make_line(make_enterprise(name="城区水泥A", grade="A"), measures=FULL)
        make_line(make_enterprise(name="城区水泥C", grade="C"), measures={"yellow": ("stop", None, None, "no_g4"),
                                                                        "orange": ("stop", None, None, "no_g4")})
        e = make_enterprise(name="泽州不纳入", county_name="泽州县", category="NON_COMPLIANT", grade=None,
                            category_reason="不能稳定达标排放")
        make_line(e, name="1#", measures={})
        make_line(e, name="2#", measures={}, can_stop_quickly=False, nox_t_yr=90.0)
        make_line(make_enterprise(name="泽州粉磨引领", county_name="泽州县", industry_code="cement_grinding",
                                  grade="LEADING"), measures=FULL)
        make_line(make_enterprise(name="泽州粉磨非引领", county_name="泽州县", industry_code="cement_grinding",
                                  grade="NON_LEADING"), measures={k: ("stop", None, None, "no_g4") for k in LEVELS})
        make_line(make_enterprise(name="高平供热", county_name="高平市", industry_code="heating",
                                  category="GUARANTEED", grade=None, category_reason="保障民生"),
                  measures={k: {"action": "heat_led", "cap_pct": 80.0} for k in LEVELS}, vocs_t_yr=6.0)
        make_line(make_enterprise(name="高平民生", county_name="高平市", industry_code="life_service",
                                  category="LIVELIHOOD", grade=None), measures={})
        make_line(make_enterprise(name="高平一般", county_name="高平市", industry_code="other", category="GENERAL",
                                  grade=None), measures={"red": ("limit", 30.0, None, "no_g4")})
        make_enterprise(name="高平无生产线", county_name="高平市", industry_code="other", category="GENERAL",
                        grade=None)
        set_baselines({(county(name).id, p): base for name, base in (("城区", 1.0), ("泽州县", 2.0)) for p in POLLUTANTS})
        db.session.commit()
    return build


def list_kinds(level):
    """{(credit code, line): stop / limit / capped / self / none} as the rules decide, for every list row; the
    workbook does not print it for a line whose measure is under review."""
    return {(r.credit_code, r.line_name): r.measure.order_kind for r in iter_list_rows(level)}


def kind_of(label):
    """What a line with the 措施类型 ``label`` (停产, 限产20%, 以热定产（负荷不超过80%）...) must do."""
    types = MeasureTypes.seeded()
    return types[parse_measure_text(label, types).action].order_kind


def assert_rows_carry_no_error(rows, kinds):
    """A line in error shows neither a measure nor an error marker; every other line shows its measure, and its
    减排措施 cell starts with it."""
    for row in rows:
        kind = kinds[(row["统一社会信用代码"], row["生产线"])]
        assert "【错误" not in row["减排措施"] and "待核定" not in row["减排措施"]
        if row["减排措施"] == WITHHELD_CELL:
            assert row["措施类型"] is None
        else:
            assert kind_of(row["措施类型"]) == kind and row["减排措施"].startswith(row["措施类型"]), row


def assert_summary_matches_rows(data, kinds):
    """Every number in 汇总 equals the matching sum over 清单 (per county and in 合计); ``kinds`` from list_kinds."""
    _, _, summary = read(data, "汇总")
    _, headers, rows = read(data, "清单")
    assert headers == list(LIST_HEADERS)
    assert_rows_carry_no_error(rows, kinds)
    by_county = defaultdict(list)
    for row in rows:
        row["kind"] = kinds[(row["统一社会信用代码"], row["生产线"])]
        by_county[row["县（市、区）"]].append(row)
    by_county["合计"] = rows
    assert summary[-1]["县（市、区）"] == "合计"
    baselines = {}
    for line in summary:
        mine = by_county.get(line["县（市、区）"], [])
        assert line["企业数"] == len({r["统一社会信用代码"] for r in mine})
        assert line["生产线数"] == len(mine)
        # Counted by what the line must do; a line under review counts only as 措施有误 (its measure is not issued).
        for header, kinds_counted in (("停产生产线数", ("stop",)), ("限产生产线数", ("limit", "capped")),
                                      ("自主减排生产线数", ("self",))):
            assert line[header] == sum(r["kind"] in kinds_counted and r["减排措施"] != WITHHELD_CELL
                                       for r in mine), header
        assert line["措施有误生产线数"] == sum(r["减排措施"] == WITHHELD_CELL for r in mine)
        for p, header in zip(POLLUTANTS, REDUCTION_HEADERS):
            label = POLLUTANT_LABELS[p]
            # The list's lines are the industrial reductions; the total adds what is entered per county.
            assert line[f"{label}工业源减排量(吨/日)"] == pytest.approx(sum(r[header] for r in mine), abs=1e-9)
            assert line[f"{label}减排量(吨/日)"] == pytest.approx(
                line[f"{label}工业源减排量(吨/日)"] + line[f"{label}非工业源减排量(吨/日)"], abs=1e-12)
            baseline = line[f"{label}全社会排放量(吨/日)"]
            baselines.setdefault(p, []).append(baseline)
            if baseline:
                assert line[f"{label}减排比例"] == pytest.approx(line[f"{label}减排量(吨/日)"] / baseline)
                assert line[f"{label}达标情况"] in ("达标", "未达标")
                expected_gap = max(line[f"{label}目标比例"] * baseline - line[f"{label}减排量(吨/日)"], 0)
                assert line[f"{label}缺口(吨/日)"] == pytest.approx(expected_gap, abs=1e-9)
            else:
                # No baseline: the share cell says so instead of a percentage.
                assert "未录入全社会排放量基数" in line[f"{label}达标情况"]
                assert line[f"{label}减排比例"] == line[f"{label}达标情况"]
    return summary, rows


@pytest.mark.parametrize("level", LEVELS)
def test_summary_equals_sum_of_list_rows(level, registry):
    registry()
    data, summary = list_bytes(level)
    kinds = list_kinds(level)
    sheet_summary, rows = assert_summary_matches_rows(data, kinds)
    assert [s["县（市、区）"] for s in sheet_summary] == [c.name for c in db.session.query(County).order_by(
        County.sort_order)] + ["合计"]
    assert (sheet_summary[-1]["企业数"], sheet_summary[-1]["生产线数"]) == (9, 11)  # 高平无生产线 is not listed
    assert summary.total.lines == 11
    _, headers, orders = read(data, "停限产企业")
    # A firm gets an order when a line must stop or limit, and only while none of its lines is under review.
    withheld = {r["企业名称"] for r in rows if r["减排措施"] == WITHHELD_CELL}
    stopping = {r["企业名称"] for r in rows if r["kind"] in ("stop", "limit")} - withheld
    assert {o["企业名称"] for o in orders} == stopping and stopping
    assert not any("【错误" in o["停限产措施（通知单内容）"] or "措施复核中" in o["停限产措施（通知单内容）"] for o in orders)


def test_hand_checked_red_list(registry):
    registry()
    data, _ = list_bytes("red")
    title, _, rows = read(data, "清单")
    assert title == "晋城市重污染天气红色预警应急减排清单（全市）"
    by_line = {(r["企业名称"], r["生产线"]): r for r in rows}
    kiln = by_line[("城区水泥B", "1#窑")]
    assert (kiln["序号"], kiln["县（市、区）"], kiln["行业类别"], kiln["绩效等级"], kiln["措施类型"]) == \
        (2, "城区", "水泥（熟料）", "B", "停产")  # after 城区水泥A
    assert kiln["减排措施"] == "停产；禁止国四及以下重型载货车辆（含燃气）运输。red措施（核查指标：用电量）"
    assert [kiln[h] for h in REDUCTION_HEADERS] == pytest.approx([0.1, 0.2, 0.05, 0.0])
    # 限产50% where the floor says 停产: under review, no measure printed and no reduction counted.
    weak = by_line[("城区水泥B", "2#窑")]
    assert (weak["措施类型"], weak["减排措施"], weak["SO2减排量(吨/日)"]) == (None, WITHHELD_CELL, 0)
    missing = by_line[("城区水泥C", "1#生产线")]
    assert (missing["措施类型"], missing["减排措施"], missing["SO2减排量(吨/日)"]) == (None, WITHHELD_CELL, 0)
    # Not graded and cannot stop at short notice: kept hot (0.8 of a stop), with road transport stopped.
    strict = by_line[("泽州不纳入", "2#")]
    assert (strict["措施类型"], strict["NOx减排量(吨/日)"]) == ("停产保温（保窑/焖炉）", pytest.approx(90.0 / 300 * 0.8))
    assert strict["减排措施"].startswith("停产保温（保窑/焖炉）；停止公路运输。")
    assert by_line[("城区水泥A", "1#生产线")]["措施类型"] == "自主减排"
    assert by_line[("高平民生", "1#生产线")]["措施类型"] == "不停限产"
    heating = by_line[("高平供热", "1#生产线")]
    assert heating["措施类型"] == "以热定产（负荷不超过80%）"
    assert heating["VOCs减排量(吨/日)"] == pytest.approx(6.0 / 300 * 0.2)
    _, _, summary = read(data, "汇总")
    city = summary[0]
    # 城区: the stop's 0.1 SO2 t/d (the limit-50 line under review counts nothing) against a 1 t/d baseline
    # = 10% < 30%: 0.2 t/d missing.
    assert city["SO2减排量(吨/日)"] == pytest.approx(0.1)
    assert (city["SO2减排比例"], city["SO2目标比例"], city["SO2达标情况"]) == (pytest.approx(0.1), 0.3, "未达标")
    assert city["SO2缺口(吨/日)"] == pytest.approx(0.2)
    assert city["措施有误生产线数"] == 2
    _, _, orders = read(data, "停限产企业")
    # 城区水泥B stops 1#窑 but 2#窑 is under review: no order until it is fixed.
    assert [o["企业名称"] for o in orders] == ["泽州不纳入", "泽州粉磨非引领", "高平一般"]


def test_demo_registry_totals_equal_rows_at_every_level():
    from seed.demo import load_demo

    load_demo(n=300)
    db.session.commit()
    for level in LEVELS:
        data, summary = list_bytes(level)
        sheet_summary, rows = assert_summary_matches_rows(data, list_kinds(level))
        assert len(rows) == summary.total.lines > 300
    db.session.delete(db.session.get(Setting, "demo_loaded"))
    db.session.commit()


def test_sheets_are_printable():
    data, _ = list_bytes("orange")
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["汇总", "清单", "停限产企业", "全国格式清单", "企业基本信息", "说明"]
    for ws in workbook.worksheets:
        header_rows = 3 if ws.title == "全国格式清单" else 2
        assert ws.freeze_panes == f"A{header_rows + 1}"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{header_rows}:")
        assert ws.print_title_rows == f"$1:${header_rows}"
        assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)
        # A computed scale, never below 70%, rather than fit-to-width squeezing a wide sheet (100% is the
        # OOXML default, omitted from the file).
        assert 70 <= (ws.page_setup.scale or 100) <= 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
        assert "第 &P 页 共 &N 页" in ws.oddFooter.center.text
        assert ws.oddHeader.right.text == "当前登记数据（未发布）" and ws.oddHeader.left.text == "晋城市生态环境局"
    assert workbook["清单"].column_dimensions["C"].width > 15
    assert [c.value for c in workbook["汇总"][2]] == list(SUMMARY_HEADERS)
    # Wide sheets print in blocks, the leading columns repeated on each.
    assert workbook["汇总"].print_title_cols == "$A:$A" and workbook["清单"].print_title_cols == "$A:$C"
    assert workbook["全国格式清单"].print_title_cols == "$A:$C"
    assert [b.id for b in workbook["汇总"].col_breaks.brk] == [7, 15, 23, 31]


def test_text_that_looks_like_a_formula_stays_text(make_enterprise, make_line):
    enterprise = make_enterprise(name='=HYPERLINK("http://evil.example","点我")')
    make_line(enterprise, name="+1+1", facilities="-2+3", measures={"red": ("stop", None, None)},
              process_stage="@SUM(A1)", capacity_unit="\t=1+1")
    data, _ = list_bytes("red")
    row = load_workbook(io.BytesIO(data))["清单"][3]
    name, line, facilities = row[2], row[6], row[7]
    assert (name.data_type, name.value) == ("s", '=HYPERLINK("http://evil.example","点我")')
    assert (line.data_type, line.value) == ("s", "+1+1")
    assert (facilities.data_type, facilities.value) == ("s", "-2+3")
    # Excel's quote prefix keeps them text even when a clerk edits the cell; ordinary text has none.
    assert name.quotePrefix and line.quotePrefix and facilities.quotePrefix and not row[1].quotePrefix
    buffer = io.BytesIO()
    export_registry(buffer)
    registry_row = load_workbook(io.BytesIO(buffer.getvalue())).active[2]
    assert registry_row[0].data_type == "s" and registry_row[0].value.startswith("=")
    assert registry_row[REGISTRY_HEADERS.index("工序")].value == "@SUM(A1)"
    assert registry_row[REGISTRY_HEADERS.index("工序")].data_type == "s"
    tab = registry_row[REGISTRY_HEADERS.index("产能单位")]
    assert (tab.data_type, tab.value, tab.quotePrefix) == ("s", "\t=1+1", True)


def test_registry_export_round_trips(make_enterprise, make_line):
    enterprise = make_enterprise(name="名录企业", grade="B-", town="北石店镇", contact_phone="0356-1234567",
                                 small_micro=True)
    make_line(enterprise, name="1#窑", capacity=2500.0, can_stop_quickly=False, so2_t_yr=30.5,
              measures={"yellow": ("other", None, 0.1), "orange": ("limit", 20.0, None, "no_g4"),
                        "red": ("stop", None, None, "no_road")})
    make_enterprise(name="无线企业", category="GENERAL", industry_code="other", grade=None)
    coking = make_enterprise(name="焦化保障", industry_code="coking", category="GUARANTEED", grade="B",
                             category_reason="国家战略性产业")
    make_line(coking, name="1#焦炉", coking_hours=24.0, measures={
        "yellow": {"action": "coking_time", "hours": 36.0, "transport": "no_g4"},
        "orange": {"action": "order_led", "cap_pct": 70.0}, "red": {"action": "hot_standby"}})
    buffer = io.BytesIO()
    assert export_registry(buffer) == 3
    _, headers, rows = read(buffer.getvalue(), "企业名录", header_row=1)
    assert headers == list(REGISTRY_HEADERS)
    third, first, second = rows   # pinyin order: jiao, ming, wu
    assert {k: first[k] for k in ("企业名称", "统一社会信用代码", "县（市、区）", "乡镇（街道）", "联系电话", "行业类别",
                                  "行业子类", "管控类别", "绩效等级", "分类原因", "小微企业", "上年度存在违法违规")} == {
        "企业名称": "名录企业", "统一社会信用代码": enterprise.credit_code, "县（市、区）": "城区",
        "乡镇（街道）": "北石店镇", "联系电话": "0356-1234567", "行业类别": "水泥", "行业子类": "熟料",
        "管控类别": "绩效分级", "绩效等级": "B-", "分类原因": None, "小微企业": "是", "上年度存在违法违规": "否"}
    assert (first["生产线"], first["产能"], first["可短时停产"], first["正常结焦时间(小时)"], first["SO2(吨/年)"],
            first["年运行天数"]) == ("1#窑", 2500, "否", None, 30.5, 300)
    assert (first["黄色预警措施类型"], first["黄色预警其他措施削减比例"], first["黄色预警运输管控"]) == \
        ("其他", 0.1, "无运输管控")
    assert (first["橙色预警措施类型"], first["橙色预警限产/停产比例(%)"], first["橙色预警运输管控"]) == \
        ("限产", 20, "禁止国四及以下重型载货车辆（含燃气）运输")
    assert (first["红色预警措施类型"], first["红色预警限产/停产比例(%)"], first["红色预警运输管控"],
            first["红色预警核查指标"]) == ("停产", None, "停止公路运输", "用电量")
    assert (second["企业名称"], second["管控类别"], second["绩效等级"], second["生产线"], second["SO2(吨/年)"]) == \
        ("无线企业", "一般管控", None, None, None)
    assert (third["管控类别"], third["绩效等级"], third["分类原因"], third["正常结焦时间(小时)"]) == \
        ("保障类", "B", "国家战略性产业", 24)
    assert (third["黄色预警措施类型"], third["黄色预警延长后结焦时间(小时)"], third["黄色预警限产/停产比例(%)"]) == \
        ("延长结焦时间", 36, None)
    assert (third["橙色预警措施类型"], third["橙色预警负荷上限(%)"], third["橙色预警运输管控"]) == \
        ("以量定产", 70, "无运输管控")
    assert (third["红色预警措施类型"], third["红色预警负荷上限(%)"]) == ("停产保温（保窑/焖炉）", None)
    # Read back, it changes nothing.
    report, _ = inspect_file(buffer.getvalue(), "名录.xlsx")
    assert report.clean and report.table() == [("企业", 0, 0, 3), ("生产线", 0, 0, 2), ("减排措施", 0, 0, 6)]


def test_registry_export_for_one_county(make_enterprise, make_line, county):
    make_line(make_enterprise(name="城区企业"))
    make_line(make_enterprise(name="泽州企业", county_name="泽州县"))
    buffer = io.BytesIO()
    export_registry(buffer, county("泽州县"))
    _, _, rows = read(buffer.getvalue(), "企业名录", header_row=1)
    assert [r["企业名称"] for r in rows] == ["泽州企业"]


def test_counties_zip_has_one_workbook_per_county(registry):
    registry()
    buffer = io.BytesIO()
    names = export_counties(buffer, "red")
    archive = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))  # in memory: nothing to close
    assert archive.namelist() == names
    assert len(names) == 7 and "泽州县_红色预警减排清单.xlsx" in names
    _, _, rows = read(archive.read("泽州县_红色预警减排清单.xlsx"), "清单")
    assert {r["企业名称"] for r in rows} == {"泽州不纳入", "泽州粉磨引领", "泽州粉磨非引领"}
    _, _, summary = read(archive.read("泽州县_红色预警减排清单.xlsx"), "汇总")
    assert [s["县（市、区）"] for s in summary] == ["泽州县", "合计"]
    assert_summary_matches_rows(archive.read("城区_红色预警减排清单.xlsx"), list_kinds("red"))


def test_export_list_command_writes_the_county_workbook(runner, registry, tmp_path):
    registry()
    out = tmp_path / "泽州.xlsx"
    result = runner.invoke(args=["export-list", "--level", "red", "--county", "泽州县", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已导出红色预警减排清单：3 家企业，4 条生产线" in result.output
    _, _, rows = read(out.read_bytes(), "清单")
    assert {r["县（市、区）"] for r in rows} == {"泽州县"} and len(rows) == 4


def test_export_list_command_accepts_chinese_level_names(runner, registry, tmp_path):
    registry()
    out = tmp_path / "list.xlsx"
    assert runner.invoke(args=["export-list", "--level", "橙色", "--out", str(out)]).exit_code == 0
    title, _, _ = read(out.read_bytes(), "清单")
    assert title == "晋城市重污染天气橙色预警应急减排清单（全市）"


@pytest.mark.parametrize("args, message", [
    (["export-list", "--level", "purple", "--out", "x.xlsx"], "预警级别“purple”无效，应为 yellow、orange 或 red"),
    (["export-counties", "--level", "", "--out", "x.zip"], "预警级别“”无效"),
    (["export-list", "--level", "red", "--county", "火星县", "--out", "x.xlsx"], "未找到县（市、区）：火星县"),
])
def test_export_commands_reject_bad_options(runner, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert message in result.output
    assert not list(tmp_path.iterdir())  # nothing written


def test_export_list_command_requires_level(runner, tmp_path):
    result = runner.invoke(args=["export-list", "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "--level" in result.output


def test_export_counties_and_registry_commands(runner, registry, tmp_path):
    registry()
    zipped = tmp_path / "counties.zip"
    result = runner.invoke(args=["export-counties", "--level", "yellow", "--out", str(zipped)])
    assert result.exit_code == 0 and "已导出 7 个县（市、区）的黄色预警减排清单" in result.output
    with zipfile.ZipFile(zipped) as archive:
        assert "高平市_黄色预警减排清单.xlsx" in archive.namelist()
    book = tmp_path / "registry.xlsx"
    result = runner.invoke(args=["export-registry", "--out", str(book)])
    assert result.exit_code == 0 and "已导出企业名录：12 行" in result.output
    _, _, rows = read(book.read_bytes(), "企业名录", header_row=1)
    empty = [r for r in rows if r["企业名称"] == "高平无生产线"]
    assert len(rows) == 12 and len(empty) == 1 and empty[0]["生产线"] is None
