"""The baseline workbook: export and import back unchanged, tolerant reading, row-level Chinese problems with
nothing written, the web upload and the import-baseline / export-baseline commands (the issue's "done when")."""
import io
import re
from datetime import date
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from emergency.baseline import amounts
from emergency.baseline.reading import commit_baseline, inspect_baseline
from emergency.baseline.sheets import export_baseline
from models import AuditLog, County, NonIndustrialReduction, Season, WholeSocietyEmission, db
from tests.baseline_support import make_season
from tests.import_support import csv_bytes, xlsx

HEADER = ["季节", "县（市、区）", "源类型", "SO2(吨/日)", "NOx(吨/日)", "颗粒物(吨/日)", "VOCs(吨/日)"]
CUT_HEADER = ["季节", "县（市、区）", "预警级别", "源类型", "SO2(吨/日)", "NOx(吨/日)", "颗粒物(吨/日)", "VOCs(吨/日)"]
SEASONS = ("季节", [["季节名称", "开始日期", "结束日期", "说明"], ["2020–2021年秋冬季", "2020-10-01", "2021-03-31", "2020年源清单"]])
NAME = "2020–2021年秋冬季"


def small_workbook():
    """What a clerk would make for a fresh install: one season, 城区's baseline, one non-industrial reduction."""
    return xlsx(SEASONS,
                ("全社会排放量基数", [HEADER, [NAME, "城区", "工业源", 1.5, 4.0, 1.0, 0.5],
                                     [NAME, "城区", "扬尘源", 0.5, None, 2.0, None]]),
                ("非工业源减排量", [CUT_HEADER, [NAME, "城区", "红色预警", "扬尘源", 0.2, None, 0.6, None]]))


def snapshot():
    db.session.expire_all()
    return [sorted(tuple(row) for row in db.session.execute(model.__table__.select()))
            for model in (Season, WholeSocietyEmission, NonIndustrialReduction, AuditLog)]


def problems(report):
    return [(p.sheet, p.row, p.column, p.message) for p in report.problems]


def exported(season):
    buffer = io.BytesIO()
    export_baseline(buffer, season)
    return buffer.getvalue()


@pytest.fixture
def entered(county):
    """A season with figures that do not print short: a baseline per source type and reductions at two levels."""
    season = make_season(note="2020年大气污染源排放清单")
    chengqu, zezhou = county("城区"), county("泽州县")
    amounts.save_cells(season, {(chengqu.id, "industrial", "so2"): 12.345678901, (chengqu.id, "dust", "pm"): 0.1 + 0.2,
                                (zezhou.id, "mobile", "nox"): 7.0, (zezhou.id, "other", "vocs"): 1e-05})
    amounts.save_cells(season, {(chengqu.id, "dust", "pm"): 0.05, (zezhou.id, "mobile", "nox"): 0.7}, "orange")
    amounts.save_cells(season, {(chengqu.id, "other", "so2"): 1.25}, "red")
    db.session.commit()
    return season


def test_the_export_reads_back_unchanged(entered):
    data = exported(entered)
    sheets = load_workbook(io.BytesIO(data)).sheetnames
    assert sheets == ["季节", "全社会排放量基数", "非工业源减排量", "填写说明"]
    report, plan = inspect_baseline(data, "基数.xlsx")
    assert report.clean, report.lines()
    assert (report.changes, report.unchanged) == ([], 1 + 4 + 3)      # the season, 4 baseline rows, 3 reductions
    before = snapshot()
    assert commit_baseline(data, "基数.xlsx").committed
    db.session.commit()
    assert snapshot() == before


def test_an_export_imported_into_an_empty_database_gives_the_same_figures(entered):
    data = exported(entered)
    figures = {level: amounts.stored_cells(entered.id, level) for level in (None, "yellow", "orange", "red")}
    season = (entered.name, entered.starts_on, entered.ends_on, entered.note)
    db.session.delete(entered)
    db.session.commit()
    assert db.session.query(WholeSocietyEmission).count() == 0
    report = commit_baseline(data, "基数.xlsx")
    assert report.committed, report.lines()
    db.session.commit()
    assert report.counts() == "新增 8 行、修改 0 行、不变 0 行"
    stored = db.session.query(Season).one()
    assert (stored.name, stored.starts_on, stored.ends_on, stored.note) == season
    for level, cells in figures.items():
        again = amounts.stored_cells(stored.id, level)
        assert again.keys() == cells.keys()
        for cell, value in cells.items():
            assert again[cell] == pytest.approx(value, rel=1e-15)


def test_a_file_changes_only_what_it_says_and_blank_cells_keep_figures(entered, county):
    chengqu = county("城区")
    data = xlsx(("全社会排放量基数", [HEADER, [NAME, "城区", "工业源", 20.0, None, None, None],
                                     [NAME, "城区", "移动源", None, 3.0, None, None],
                                     [NAME, "城区", "扬尘源", None, None, None, None]]))
    report, _ = inspect_baseline(data, "改.xlsx")
    assert report.clean, report.lines()
    assert [(row, text, kind, columns) for row, text, kind, columns in report.changes] == [
        (2, f"{NAME} · 城区 · 工业源", "修改", ["SO2(吨/日)"]), (3, f"{NAME} · 城区 · 移动源", "新增", [])]
    assert commit_baseline(data, "改.xlsx").committed
    db.session.commit()
    cells = amounts.stored_cells(entered.id)
    assert cells[(chengqu.id, "industrial", "so2")] == 20.0 and cells[(chengqu.id, "mobile", "nox")] == 3.0
    assert cells[(chengqu.id, "dust", "pm")] == pytest.approx(0.3)        # blank: kept


def test_problems_are_listed_by_sheet_row_and_column_and_nothing_is_written(entered):
    data = xlsx(
        ("季节", [["季节名称", "开始日期", "结束日期", "说明"], ["倒置季", "2021-03-31", "2020-10-01", ""],
                 ["坏日期季", "2020-13-45", "2021-03-31", ""], ["", "2020-10-01", "2021-03-31", ""]]),
        ("全社会排放量基数", [HEADER,
                             [NAME, "火星县", "工业源", 1.0, None, None, None],
                             [NAME, "城区", "核能源", 1.0, None, None, None],
                             [NAME, "城区", "工业源", -1.0, "abc", None, None],
                             ["2030–2031年秋冬季", "城区", "工业源", 1.0, None, None, None],
                             [NAME, "泽州县", "工业源", 1.0, None, None, None],
                             [NAME, "泽州", "工业", 2.0, None, None, None],
                             [NAME, "", "", 1.0, None, None, None]]),
        ("非工业源减排量", [CUT_HEADER,
                           [NAME, "城区", "红色", "工业源", 1.0, None, None, None],
                           [NAME, "城区", "紫色", "扬尘源", 1.0, None, None, None],
                           [NAME, "城区", "", "扬尘源", 1.0, None, None, None]]))
    before = snapshot()
    report, _ = inspect_baseline(data, "问题.xlsx")
    assert problems(report) == [
        ("季节", 2, "结束日期", "结束日期不能早于开始日期"),
        ("季节", 3, "开始日期", "日期格式应为“年-月-日”，如 2020-10-01"),
        ("季节", 4, "季节", "请填写季节名称，如“2020–2021年秋冬季”"),
        ("全社会排放量基数", 2, "县（市、区）",
         "未知的县（市、区）“火星县”，可填写：城区、泽州县、高平市、阳城县、陵川县、沁水县、开发区"),
        ("全社会排放量基数", 3, "源类型", "“核能源”无效，应为：工业源、扬尘源、移动源、其他"),
        ("全社会排放量基数", 4, "SO2(吨/日)", "不能为负数"),
        ("全社会排放量基数", 4, "NOx(吨/日)", "不是有效的数字"),
        ("全社会排放量基数", 5, "季节",
         "季节“2030–2031年秋冬季”尚未设立：请在“季节”工作表中填写其开始和结束日期，或先在页面上新建该季节"),
        ("全社会排放量基数", 7, "县（市、区）", "与第6行重复（季节、县（市、区）、源类型都相同）"),
        ("全社会排放量基数", 8, "县（市、区）", "请填写县（市、区）"),
        ("全社会排放量基数", 8, "源类型", "请填写源类型"),
        ("非工业源减排量", 2, "源类型", "工业源减排量由清单中企业生产线的措施核算，此处只填扬尘源、移动源、其他"),
        ("非工业源减排量", 3, "预警级别", "“紫色”无效，应为黄色、橙色或红色"),
        ("非工业源减排量", 4, "预警级别", "请填写预警级别"),
    ]
    assert "工作表“全社会排放量基数”第4行“SO2(吨/日)”列：不能为负数" in report.lines()
    assert report.lines()[-1] == "共 14 个问题，未导入任何数据。"
    assert not commit_baseline(data, "问题.xlsx").committed
    db.session.rollback()
    assert snapshot() == before


def test_files_as_counties_keep_them_are_read(county):
    """A title row, other spellings of the headers and source types, a 合计 row, no season column, and CSV."""
    season = make_season()
    db.session.commit()
    chengqu = county("城区")
    rows = [["晋城市2020–2021年秋冬季全社会排放量（吨/日）"], [],
            ["序号", "区县", "排放源", "二氧化硫", "氮氧化物", "烟粉尘", "挥发性有机物"],
            [1, "城区", "工业", 1.0, 2.0, 3.0, 4.0], [2, "城区", "建筑扬尘", 0.5, 0, 0, 0],
            [3, "城区", "机动车", 0, 1.5, 0, 0.5], [4, "城区", "其它", 0.25, 0, 0, 0], ["合计", "", "", 1.75, 3.5, 3, 4.5]]
    for name, data in (("区县.xlsx", xlsx(("Sheet1", rows))), ("区县.csv", csv_bytes(rows, "gbk"))):
        report, _ = inspect_baseline(data, name)
        assert report.clean, report.lines()
        assert len(report.changes) == 4
    assert commit_baseline(csv_bytes(rows, "gbk"), "区县.csv").committed
    db.session.commit()
    assert amounts.sums(season.id)[(chengqu.id, "so2")] == 1.75
    assert amounts.stored_cells(season.id)[(chengqu.id, "mobile", "vocs")] == 0.5


@pytest.mark.parametrize("data, message", [
    (b"", "文件是空的"),
    (xlsx(("说明", [["本文件没有表格"]])), "未找到全社会排放量基数或非工业源减排量的表头"),
    (xlsx(("表", [["季节", "SO2", "NOx", "颗粒物"], [NAME, 1, 2, 3]])), "缺少列：县（市、区）、源类型"),
])
def test_files_that_cannot_be_read_say_why(data, message):
    make_season()
    report, _ = inspect_baseline(data, "坏.xlsx")
    assert not report.clean
    assert message in " ".join(report.lines())


def test_a_file_without_seasons_needs_a_season_in_force():
    data = xlsx(("表", [HEADER[1:], ["城区", "工业源", 1, 2, 3, 4]]))
    report, _ = inspect_baseline(data, "无季节.xlsx")
    assert problems(report) == [("表", 2, "季节", "未指定季节，系统中也没有现行季节：请填写“季节”列，或在“季节”工作表中填写季节")]
    make_season()
    assert inspect_baseline(data, "无季节.xlsx")[0].clean


# ---- the command and the page ---------------------------------------------------------------------------------

def test_fresh_install_plus_import_baseline_gives_target_shares(runner, tmp_path, make_user, login, make_enterprise,
                                                               make_line):
    """The issue's "done when": ``flask seed`` (no demo), then import-baseline of a small workbook."""
    assert runner.invoke(args=["seed"]).exit_code == 0
    make_line(make_enterprise(name="城区B级水泥", grade="B"))            # red: stop, 0.1 t/d SO2
    client = login(make_user("city"))
    assert "未录入全社会排放量基数" in client.get("/lists/red").get_data(as_text=True)
    path = tmp_path / "基数.xlsx"
    path.write_bytes(small_workbook())
    dry = runner.invoke(args=["import-baseline", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "新增 4 行" in dry.output and "试运行" in dry.output
    assert db.session.query(Season).count() == 0
    result = runner.invoke(args=["import-baseline", str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入" in result.output
    log = db.session.query(AuditLog).filter(AuditLog.source == "import:基数.xlsx").all()
    assert {entry.entity_type for entry in log} == {"season", "baseline", "non_industrial"}
    # Figures sit in <span class="n">, which the text comparison leaves out.
    page = re.sub(r"\s+", " ", re.sub(r'<span class="n">([^<]*)</span>', r"\1", client.get(
        "/lists/red?county=城区").get_data(as_text=True)))
    # SO2: (0.1 industrial + 0.2 dust) of (1.5 + 0.5) t/d = 15%, short of 30%.
    assert "占 15.0%，目标 30.0%" in page and "工业源 0.1000<br>非工业源 0.2000" in page
    assert "未达标，缺口 0.3000" in page
    buffer = io.BytesIO(client.get("/lists/red/export.xlsx?county=城区").data)
    rows = list(load_workbook(buffer)["汇总"].iter_rows(values_only=True))
    row = dict(zip(rows[1], rows[2]))
    assert (row["SO2全社会排放量(吨/日)"], row["SO2减排比例"]) == (2.0, pytest.approx(0.15))
    # NOx: 0.2 t/d industrial, nothing else, of 4.0 t/d.
    assert (row["NOx全社会排放量(吨/日)"], row["NOx减排比例"]) == (4.0, pytest.approx(0.05))


def test_import_baseline_exits_1_with_problems_and_writes_nothing(runner, tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(xlsx(SEASONS, ("基数", [HEADER, [NAME, "城区", "工业源", -5, None, None, None]])))
    before = snapshot()
    result = runner.invoke(args=["import-baseline", str(path)])
    assert result.exit_code == 1
    assert "工作表“基数”第2行“SO2(吨/日)”列：不能为负数" in result.output
    assert "未导入任何数据" in result.output
    assert snapshot() == before


def test_export_baseline_command_writes_what_import_reads(runner, tmp_path, entered):
    path = tmp_path / "导出.xlsx"
    result = runner.invoke(args=["export-baseline", "--out", str(path)])
    assert result.exit_code == 0, result.output
    assert NAME in result.output
    again = runner.invoke(args=["import-baseline", str(path), "--dry-run"])
    assert again.exit_code == 0 and "新增 0 行、修改 0 行、不变 8 行" in again.output
    missing = runner.invoke(args=["export-baseline", "--out", str(path), "--season", "没有的季节"])
    assert missing.exit_code != 0 and "未找到季节：没有的季节" in missing.output


def test_the_web_import_previews_then_commits_all_or_nothing(make_user, login):
    client = login(make_user("city"))
    bad = xlsx(SEASONS, ("基数", [HEADER, [NAME, "火星县", "工业源", 1, None, None, None]]))
    response = client.post("/baseline/import", data={"file": (io.BytesIO(bad), "坏.xlsx")},
                           content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "未知的县（市、区）“火星县”" in body and "未写入任何数据" in body and "确认导入" not in body
    assert db.session.query(Season).count() == 0
    response = client.post("/baseline/import", data={"file": (io.BytesIO(small_workbook()), "基数.xlsx")},
                           content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "检查通过" in body and "确认导入" in body
    assert db.session.query(Season).count() == 0
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)
    sha = re.search(r'name="sha256" type="hidden" value="([^"]+)"', body).group(1)
    response = client.post("/baseline/import/commit", data={"token": token, "sha256": sha})
    assert response.status_code == 302
    assert "已导入“基数.xlsx”：新增 4 行" in client.get("/baseline/").get_data(as_text=True)
    season = db.session.query(Season).one()
    chengqu = db.session.query(County).filter_by(name="城区").one().id
    assert amounts.sums(season.id, "red") == {(chengqu, "so2"): 0.2, (chengqu, "pm"): 0.6}
    # The same token cannot commit twice.
    again = client.post("/baseline/import/commit", data={"token": token, "sha256": sha})
    assert again.status_code == 302
    assert "检查过的文件已失效" in client.get("/baseline/import").get_data(as_text=True)


def test_the_page_export_downloads_the_season_workbook(entered, make_user, login):
    response = login(make_user("admin")).get(f"/baseline/seasons/{entered.id}/export.xlsx")
    assert response.status_code == 200
    assert quote(f"{NAME}_全社会排放量基数.xlsx") in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    season_rows = list(workbook["季节"].iter_rows(values_only=True))
    assert season_rows[1] == (NAME, date(2020, 10, 1).isoformat(), date(2021, 3, 31).isoformat(), entered.note)
    base = list(workbook["全社会排放量基数"].iter_rows(values_only=True))
    assert base[0] == tuple(HEADER) and len(base) == 1 + 7 * 4
    assert (NAME, "城区", "工业源", 12.345678901, None, None, None) in base
