"""The list workbook's national layout (全国格式清单), 企业基本信息 and 说明, read back with openpyxl."""
import io

import pytest
from openpyxl import load_workbook

from emergency.lists.exports import export_list
from emergency.publishing.versions import export_version, publish_version
from emergency.spreadsheets.layout import decimals_for, print_scale, wrapped_lines
from emergency.spreadsheets.national import ENTERPRISE_HEADERS, NATIONAL_HEADERS
from models import LEVEL_LABELS, LEVELS, POLLUTANT_LABELS, POLLUTANTS, County, db
from tests.baseline_support import set_baselines

LONG_TEXT = "加强无组织排放管控，物料全部入棚入仓，道路每日清扫洒水不少于四次，厂区车辆冲洗设施正常运行并记录台账"
FULL = {"yellow": ("none", None, None, "no_g4"), "orange": ("limit", 20.0, None, "no_g4"),
        "red": ("stop", None, None, "no_g4")}


@pytest.fixture
def firms(make_enterprise, make_line, make_user, county):
    set_baselines({(c.id, p): 10.0 for c in db.session.query(County) for p in POLLUTANTS})
    a = make_enterprise(name="城区甲水泥", town="北石店镇", address="北石店镇某村1号", longitude=112.85,
                        latitude=35.49, permit_number="91140502MA0000001X001P", small_micro=True,
                        contact_person="张三", contact_phone="0356-1234567", transport_mode="公路、铁路",
                        heavy_trucks_per_day=120, access_control=True)
    make_line(a, name="1#窑", measures=FULL, treatment_facilities="SNCR脱硝、袋式除尘", main_products="熟料",
              output=150.0, output_unit="万吨", capacity=2500, capacity_unit="吨/日")
    # A tiny emission: its reduction is about 0.00001 t/d.
    make_line(a, name="2#窑", measures=FULL, so2_t_yr=0.003, nox_t_yr=0.0, pm_t_yr=0.0)
    b = make_enterprise(name="泽州乙水泥", county_name="泽州县")
    line = make_line(b, name="1#窑", measures=FULL)
    for measure in line.measures:
        measure.text = LONG_TEXT
    db.session.commit()
    return {"a": a, "b": b, "user": make_user("city")}


def workbook_of(level, county=None):
    buffer = io.BytesIO()
    summary = export_list(buffer, level, county)
    return load_workbook(io.BytesIO(buffer.getvalue())), summary


def national_rows(ws):
    """{(企业名称, 生产线): {header: value}} of 全国格式清单 (two header rows), and its 合计 row."""
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    by_line = {(r[1], r[2]): r for r in rows if r[1] != "合计"}
    [total] = [r for r in rows if r[1] == "合计"]
    return by_line, total


def test_national_layout_has_every_level_on_one_row(firms):
    workbook, _ = workbook_of("red")
    ws = workbook["全国格式清单"]
    assert [c.value for c in ws[3]] == list(NATIONAL_HEADERS)
    # The grouped header: 年排放量 over the four pollutants, each level's 减排量 likewise.
    groups = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value}
    assert set(groups) == {"年排放量(吨/年)", *(f"{LEVEL_LABELS[lv]}预警减排量(吨/日)" for lv in LEVELS)}
    assert [ws.cell(3, groups["红色预警减排量(吨/日)"] + i).value for i in range(4)] == \
        [POLLUTANT_LABELS[p] for p in POLLUTANTS]
    assert f"{ws.cell(2, groups['年排放量(吨/年)']).coordinate}:" \
           f"{ws.cell(2, groups['年排放量(吨/年)'] + 3).coordinate}" in {str(r) for r in ws.merged_cells.ranges}
    by_line, _ = national_rows(ws)
    kiln = dict(zip(NATIONAL_HEADERS, by_line[("城区甲水泥", "1#窑")]))
    assert (kiln["乡镇（街道）"], kiln["详细地址"], kiln["小微企业"], kiln["经度"], kiln["纬度"]) == \
        ("北石店镇", "北石店镇某村1号", "是", 112.85, 35.49)
    assert (kiln["排污许可证编号"], kiln["污染治理设施"], kiln["主要产品"], kiln["产能"], kiln["产量"]) == \
        ("91140502MA0000001X001P", "SNCR脱硝、袋式除尘", "熟料", "2500吨/日", "150万吨")
    assert (kiln["管控类别"], kiln["绩效等级"], kiln["工序"], kiln["年运行天数"]) == ("绩效分级", "B", "熟料烧成", 300)
    values = by_line[("城区甲水泥", "1#窑")]
    measures = [v for h, v in zip(NATIONAL_HEADERS, values) if h.endswith("预警减排措施")]
    assert [m.split("；")[0] for m in measures] == ["不停限产", "限产20%", "停产"]
    # The reductions of each level: 30 t SO2 a year over 300 days, times the level's cut.
    so2 = [v for h, v in zip(NATIONAL_HEADERS, values) if h == "SO2"]
    assert so2 == pytest.approx([30.0, 0.0, 0.1 * 0.2, 0.1])


@pytest.mark.parametrize("level", LEVELS)
def test_national_sums_match_the_summary_of_every_level(firms, level):
    """The national sheet's 合计 of a level's reductions equals 汇总 of that level's own workbook."""
    red_book, _ = workbook_of("red")
    by_line, total = national_rows(red_book["全国格式清单"])
    level_book, summary = workbook_of(level)
    summary_rows = list(level_book["汇总"].iter_rows(min_row=3, values_only=True))
    headers = [c.value for c in level_book["汇总"][2]]
    city = dict(zip(headers, summary_rows[-1]))
    assert city["县（市、区）"] == "合计"
    start = NATIONAL_HEADERS.index(f"{LEVEL_LABELS[level]}预警减排措施") + 1
    for i, p in enumerate(POLLUTANTS):
        column = start + i
        assert sum(r[column] for r in by_line.values()) == pytest.approx(total[column], abs=1e-12)
        assert total[column] == pytest.approx(city[f"{POLLUTANT_LABELS[p]}工业源减排量(吨/日)"], abs=1e-12)
        assert total[column] == pytest.approx(summary.total.checks[p].industrial, abs=1e-12)
    # And every line of the level's 清单 is on the national sheet with the same 减排措施.
    listed = {(r[2], r[6]): r[9] for r in level_book["清单"].iter_rows(min_row=3, values_only=True)}
    measure_col = start - 1
    assert {key: row[measure_col] for key, row in by_line.items()} == listed


def test_enterprise_sheet_has_one_row_per_firm_with_registry_fields(firms):
    workbook, _ = workbook_of("orange")
    ws = workbook["企业基本信息"]
    assert [c.value for c in ws[2]] == list(ENTERPRISE_HEADERS)
    rows = [dict(zip(ENTERPRISE_HEADERS, r)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert [(r["序号"], r["企业名称"], r["生产线数"]) for r in rows] == [(1, "城区甲水泥", 2), (2, "泽州乙水泥", 1)]
    a = rows[0]
    assert (a["统一社会信用代码"], a["县（市、区）"], a["联系人"], a["联系电话"]) == \
        (firms["a"].credit_code, "城区", "张三", "0356-1234567")
    assert (a["运输方式"], a["日均重型车车次"], a["门禁系统"], a["小微企业"]) == ("公路、铁路", 120, "是", "是")
    assert rows[1]["门禁系统"] == "否" and rows[1]["经度"] is None


def test_notes_sheet_and_running_header_name_the_list(firms):
    workbook, _ = workbook_of("red")
    notes = {r[0]: r[1] for r in workbook["说明"].iter_rows(min_row=3, values_only=True)}
    assert notes["发布单位"] == "晋城市生态环境局" and notes["季节"] == "2020–2021年秋冬季"
    assert notes["清单版本"] == "当前登记数据（未发布）" and notes["导出时间"].endswith("（北京时间）")
    assert (notes["范围"], notes["预警级别"]) == ("全市", "红色预警")
    # The sign-off block ends the sheet, blank rows tall enough to sign in.
    ws = workbook["说明"]
    assert [r[0].value for r in ws.iter_rows(min_row=ws.max_row - 2)] == ["编制（签字）", "审核（签字）", "签发日期"]
    assert ws.row_dimensions[ws.max_row].height == 30 and ws.cell(ws.max_row, 2).value is None
    for ws in workbook.worksheets:
        assert ws.oddFooter.right.text == notes["导出时间"]


def test_small_reductions_keep_significant_digits(firms):
    workbook, _ = workbook_of("red")
    ws = workbook["清单"]
    [cell] = [row[10] for row in ws.iter_rows(min_row=3) if row[6].value == "2#窑"]
    assert cell.value == pytest.approx(0.003 / 300)
    assert cell.number_format == "0.0000000"        # prints 0.0000100, not 0.0000
    big = next(row[10] for row in ws.iter_rows(min_row=3) if row[6].value == "1#窑")
    assert big.number_format == "0.0000"
    assert (decimals_for(0.000123), decimals_for(0.0009)) == (6, 6)


def test_row_heights_follow_wrapped_text(firms):
    workbook, _ = workbook_of("red")
    ws = workbook["清单"]
    [row] = [r for r in ws.iter_rows(min_row=3) if r[2].value == "泽州乙水泥"]
    text = row[9].value
    assert LONG_TEXT in text and row[9].alignment.wrap_text
    lines = wrapped_lines(text, ws.column_dimensions["J"].width - 0.71)
    assert lines >= 3 and ws.row_dimensions[row[0].row].height == pytest.approx(15 * lines)
    # A multi-line cell counts its own line breaks.
    assert wrapped_lines("1. 甲\n2. 乙\n3. 丙", 80) == 3
    # Scales: never below 70%, whatever the widths.
    assert print_scale([100] * 5) == 70 and print_scale([10]) == 100


def test_version_freezes_the_registry_details(firms):
    version = publish_version("2020年修订版", "", firms["user"])
    db.session.commit()
    firms["a"].address = "改后的地址"
    firms["a"].lines[0].main_products = "水泥"
    db.session.commit()
    buffer = io.BytesIO()
    export_version(buffer, version, "red")
    ws = load_workbook(io.BytesIO(buffer.getvalue()))["全国格式清单"]
    by_line, _ = national_rows(ws)
    kiln = dict(zip(NATIONAL_HEADERS, by_line[("城区甲水泥", "1#窑")]))
    assert (kiln["详细地址"], kiln["主要产品"]) == ("北石店镇某村1号", "熟料")
    live, _ = workbook_of("red")
    live_kiln = dict(zip(NATIONAL_HEADERS, national_rows(live["全国格式清单"])[0][("城区甲水泥", "1#窑")]))
    assert (live_kiln["详细地址"], live_kiln["主要产品"]) == ("改后的地址", "水泥")


def test_a_version_frozen_without_details_prints_them_blank(firms):
    """Versions published before the details were kept (migration 0015) still export, the details blank."""
    from models import VersionRow

    version = publish_version("旧版本", "", firms["user"])
    db.session.query(VersionRow).update({"details": ""})
    db.session.commit()
    buffer = io.BytesIO()
    export_version(buffer, version, "red")
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    by_line, total = national_rows(workbook["全国格式清单"])
    row = by_line[("城区甲水泥", "1#窑")]
    kiln = dict(zip(NATIONAL_HEADERS, row))
    annual_so2 = row[NATIONAL_HEADERS.index("SO2")]           # the first SO2 column is 年排放量's
    assert (kiln["详细地址"], kiln["经度"], annual_so2, kiln["统一社会信用代码"]) == \
        (None, None, None, firms["a"].credit_code)
    assert kiln["红色预警减排措施"].startswith("停产")
    assert [r[1] for r in workbook["企业基本信息"].iter_rows(min_row=3, values_only=True)] == ["城区甲水泥", "泽州乙水泥"]
