"""The baseline as data: seasons and the one in force, the grids the page edits, the accounting that sums source
types and adds non-industrial reductions, the missing-baseline wording, and versions that keep what they used."""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from emergency.baseline import amounts
from emergency.baseline.seasons import save_season, season_in_force
from emergency.errors import DomainError
from emergency.lists.accounting import accumulator_for
from emergency.lists.exports import export_list
from emergency.lists.listing import iter_list_rows
from emergency.publishing.versions import export_version, publish_version
from models import AuditLog, County, NonIndustrialReduction, Season, WholeSocietyEmission, db
from tests.baseline_support import make_season, set_baselines

MISSING = "未录入全社会排放量基数"


def summary_sheet(data):
    """{county: {header: value}} of a list workbook's 汇总 sheet (header on row 2)."""
    rows = list(load_workbook(io.BytesIO(data))["汇总"].iter_rows(values_only=True))
    return {row[0]: dict(zip(rows[1], row)) for row in rows[2:]}


def county_check(level, county, pollutant):
    """The accounting of one county's list at ``level`` for one pollutant, as the list page computes it."""
    accumulator = accumulator_for(level, [county])
    for row in iter_list_rows(level, county.id):
        accumulator.add(row)
    return accumulator.result().counties[0].checks[pollutant]


def live_workbook(level, county=None):
    buffer = io.BytesIO()
    export_list(buffer, level, county)
    return buffer.getvalue()


def text(response):
    """The page with spaces collapsed and figures out of their no-wrap <span class="n">."""
    return re.sub(r"\s+", " ", re.sub(r'<span class="n">([^<]*)</span>', r"\1", response.get_data(as_text=True)))


@pytest.fixture
def city(make_user, login):
    return login(make_user("city"))


@pytest.fixture
def chengqu(county):
    return county("城区")


# ---- seasons ---------------------------------------------------------------------------------------------------

def test_the_season_in_force_holds_today_else_the_latest_started():
    assert season_in_force(date(2021, 1, 1)) is None
    old = make_season("2019–2020年秋冬季", date(2019, 10, 1), date(2020, 3, 31))
    new = make_season("2020–2021年秋冬季", date(2020, 10, 1), date(2021, 3, 31))
    later = make_season("2021–2022年秋冬季", date(2021, 10, 1), date(2022, 3, 31))
    assert season_in_force(date(2020, 1, 15)) == old
    assert season_in_force(date(2020, 12, 1)) == new
    # Between seasons (summer): the latest that has started.
    assert season_in_force(date(2021, 6, 1)) == new
    assert season_in_force(date(2030, 6, 1)) == later
    assert season_in_force(date(2019, 1, 1)) is None
    # Overlapping seasons: the one that started last.
    winter = make_season("2020年冬季攻坚", date(2020, 12, 1), date(2021, 2, 28))
    assert season_in_force(date(2021, 1, 10)) == winter and season_in_force(date(2020, 11, 1)) == new


@pytest.mark.parametrize("values, field, message", [
    ({"name": "", "starts_on": date(2020, 10, 1), "ends_on": date(2021, 3, 31)}, "name", "请填写季节名称"),
    ({"name": "倒置季", "starts_on": date(2021, 3, 31), "ends_on": date(2020, 10, 1)}, "ends_on",
     "结束日期不能早于开始日期"),
    ({"name": "无日期季", "starts_on": None, "ends_on": date(2020, 10, 1)}, "starts_on", "请填写开始日期"),
    ({"name": "季" * 41, "starts_on": date(2020, 10, 1), "ends_on": date(2021, 3, 31)}, "name", "季节名称不超过40字"),
    ({"name": "2020–2021年秋冬季", "starts_on": date(2020, 10, 1), "ends_on": date(2021, 3, 31)}, "name",
     "季节“2020–2021年秋冬季”已存在"),
])
def test_season_rules_refuse_with_chinese_messages(values, field, message):
    make_season()
    with pytest.raises(DomainError) as refused:
        save_season(values)
    assert message in refused.value.errors[field]
    assert db.session.query(Season).count() == 1


def test_city_staff_create_and_edit_a_season_on_the_page(city):
    response = city.post("/baseline/seasons/new", data={"name": " 2020–2021年秋冬季 ", "starts_on": "2020-10-01",
                                                        "ends_on": "2021-03-31", "note": "2020年源清单"})
    assert response.status_code == 302
    season = db.session.query(Season).one()
    assert (season.name, season.starts_on, season.ends_on, season.note) == (
        "2020–2021年秋冬季", date(2020, 10, 1), date(2021, 3, 31), "2020年源清单")
    response = city.post(f"/baseline/seasons/{season.id}/edit", data={
        "name": "2020–2021年秋冬季", "starts_on": "2020-11-01", "ends_on": "2021-03-31", "note": "修订"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (season.starts_on, season.note) == (date(2020, 11, 1), "修订")
    log = db.session.query(AuditLog).filter_by(entity_type="season").all()
    assert [entry.action for entry in log] == ["create", "update"]
    page = text(city.get("/baseline/"))
    assert "2020–2021年秋冬季" in page and "现行" in page and "2020-11-01 至 2021-03-31" in page


@pytest.mark.parametrize("data, message", [
    ({"name": "倒置季", "starts_on": "2021-03-31", "ends_on": "2020-10-01"}, "结束日期不能早于开始日期"),
    ({"name": "坏日期季", "starts_on": "2020-13-45", "ends_on": "2021-03-31"}, "日期格式应为“年-月-日”"),
    ({"name": "", "starts_on": "2020-10-01", "ends_on": "2021-03-31"}, "请填写季节名称"),
    ({"name": "无结束季", "starts_on": "2020-10-01", "ends_on": ""}, "请填写结束日期"),
])
def test_bad_season_input_shows_chinese_messages_and_writes_nothing(city, data, message):
    logged = db.session.query(AuditLog).count()
    response = city.post("/baseline/seasons/new", data=data)
    body = text(response)
    assert response.status_code == 400
    assert message in body and "未保存任何内容" in body
    assert db.session.query(Season).count() == 0
    assert db.session.query(AuditLog).count() == logged


# ---- the grids ---------------------------------------------------------------------------------------------------

def grid_data(season, level=None, **cells):
    """The grid form as the page posts it: every row, ``cells`` as {"<county id>:<type>:<pollutant>": value}."""
    data = {}
    for i, row in enumerate(amounts.grid_rows(season.id, level)):
        data[f"rows-{i}-key"] = row.key
        for p in ("so2", "nox", "pm", "vocs"):
            value = cells.get(f"{row.key}:{p}", row.values[p])
            data[f"rows-{i}-{p}"] = "" if value is None else str(value)
    return data


def test_the_baseline_grid_saves_per_source_type_and_sums_them(city, chengqu):
    season = make_season()
    db.session.commit()
    page = text(city.get(f"/baseline/seasons/{season.id}"))
    for label in ("城区", "泽州县", "工业源", "扬尘源", "移动源", "其他", "SO2（吨/日）", "未录入"):
        assert label in page
    data = grid_data(season, **{f"{chengqu.id}:industrial:so2": "6", f"{chengqu.id}:dust:so2": "2.5",
                                f"{chengqu.id}:mobile:so2": "1.5", f"{chengqu.id}:other:nox": "0.125"})
    response = city.post(f"/baseline/seasons/{season.id}", data=data)
    assert response.status_code == 302
    assert amounts.stored_cells(season.id) == {(chengqu.id, "industrial", "so2"): 6.0,
                                               (chengqu.id, "dust", "so2"): 2.5, (chengqu.id, "mobile", "so2"): 1.5,
                                               (chengqu.id, "other", "nox"): 0.125}
    assert amounts.sums(season.id) == {(chengqu.id, "so2"): 10.0, (chengqu.id, "nox"): 0.125}
    assert db.session.query(AuditLog).filter_by(entity_type="baseline", action="create").count() == 4
    page = text(city.get(f"/baseline/seasons/{season.id}"))
    assert "10.0000" in page and "已保存，修改 4 项" in page
    # A cleared cell removes its figure; the others stay.
    data = grid_data(season, **{f"{chengqu.id}:mobile:so2": ""})
    assert city.post(f"/baseline/seasons/{season.id}", data=data).status_code == 302
    assert amounts.sums(season.id)[(chengqu.id, "so2")] == 8.5
    assert db.session.query(AuditLog).filter_by(entity_type="baseline", action="delete").count() == 1


@pytest.mark.parametrize("value, message", [("-1", "不能为负数"), ("abc", "请填写数字"), ("inf", "请填写有效的数字")])
def test_bad_grid_input_is_refused_in_chinese_and_writes_nothing(city, chengqu, value, message):
    season = make_season()
    db.session.commit()
    logged = db.session.query(AuditLog).count()
    data = grid_data(season, **{f"{chengqu.id}:industrial:so2": "5", f"{chengqu.id}:dust:nox": value})
    response = city.post(f"/baseline/seasons/{season.id}", data=data)
    body = text(response)
    assert response.status_code == 400
    assert message in body and "未保存任何内容" in body
    assert db.session.query(WholeSocietyEmission).count() == 0
    assert db.session.query(AuditLog).count() == logged


def test_a_tampered_grid_row_is_refused_and_writes_nothing(city, chengqu):
    season = make_season()
    db.session.commit()
    for key in ("999999:industrial", f"{chengqu.id}:nuclear", "x"):
        data = {"rows-0-key": key, "rows-0-so2": "5", "rows-1-key": f"{chengqu.id}:dust", "rows-1-so2": "1"}
        response = city.post(f"/baseline/seasons/{season.id}", data=data)
        assert response.status_code == 400
        assert "表格已过期或有误，请刷新页面后重新填写" in text(response)
    assert db.session.query(WholeSocietyEmission).count() == 0


def test_non_industrial_reductions_are_entered_per_level_without_industry(city, chengqu):
    season = make_season()
    db.session.commit()
    page = text(city.get(f"/baseline/seasons/{season.id}/reductions/orange"))
    assert "橙色预警非工业源减排量" in page and "扬尘源" in page and "工业源减排量由清单中企业生产线的措施核算" in page
    rows = amounts.grid_rows(season.id, "orange")
    assert {r.source_type for r in rows} == {"dust", "mobile", "other"}
    data = grid_data(season, "orange", **{f"{chengqu.id}:dust:pm": "0.4", f"{chengqu.id}:mobile:pm": "0.1"})
    assert city.post(f"/baseline/seasons/{season.id}/reductions/orange", data=data).status_code == 302
    stored = db.session.query(NonIndustrialReduction).all()
    assert sorted((r.level, r.source_type, r.pollutant, r.reduction_t_per_day) for r in stored) == [
        ("orange", "dust", "pm", 0.4), ("orange", "mobile", "pm", 0.1)]
    assert amounts.sums(season.id, "orange") == {(chengqu.id, "pm"): pytest.approx(0.5)}
    assert amounts.sums(season.id, "red") == {}
    # 工业源 cannot be posted into the reductions' grid.
    data = {"rows-0-key": f"{chengqu.id}:industrial", "rows-0-so2": "1"}
    response = city.post(f"/baseline/seasons/{season.id}/reductions/red", data=data)
    assert response.status_code == 400 and "表格已过期或有误" in text(response)
    assert db.session.query(NonIndustrialReduction).count() == 2


def test_unknown_season_is_a_404(city):
    assert city.get("/baseline/seasons/4242").status_code == 404
    assert city.get("/baseline/seasons/4242/reductions/red").status_code == 404
    assert city.get("/baseline/seasons/4242/export.xlsx").status_code == 404
    assert "新建季节" in text(city.get("/baseline/"))


# ---- accounting -------------------------------------------------------------------------------------------------

def test_accounting_sums_source_types_and_adds_non_industrial_reductions(chengqu, make_enterprise, make_line):
    make_line(make_enterprise(name="城区B级水泥", grade="B"))           # red: stop, 0.1 t/d SO2
    season = set_baselines({(chengqu.id, "so2"): 1.0})
    set_baselines({(chengqu.id, "so2"): 0.5}, source_type="dust", season=season)
    set_baselines({(chengqu.id, "so2"): 0.5}, source_type="mobile", season=season)
    amounts.save_cells(season, {(chengqu.id, "dust", "so2"): 0.3, (chengqu.id, "mobile", "so2"): 0.2}, "red")
    db.session.commit()
    so2 = county_check("red", chengqu, "so2")
    # (0.1 industrial + 0.5 non-industrial) of a 2.0 t/d whole-society baseline = 30%: met.
    assert (so2.industrial, so2.non_industrial, so2.reduction) == (pytest.approx(0.1), 0.5, pytest.approx(0.6))
    assert (so2.baseline, so2.share, so2.status) == (2.0, pytest.approx(0.3), "达标")
    # Other levels have no non-industrial figures: the industrial reductions alone.
    orange = county_check("orange", chengqu, "so2")
    assert (orange.non_industrial, orange.reduction) == (0.0, pytest.approx(0.02))


def test_list_page_and_summary_sheet_show_industrial_non_industrial_and_total(city, chengqu, make_enterprise,
                                                                              make_line):
    make_line(make_enterprise(name="城区B级水泥", grade="B"))
    season = set_baselines({(chengqu.id, "so2"): 2.0})
    amounts.save_cells(season, {(chengqu.id, "dust", "so2"): 0.5}, "red")
    db.session.commit()
    page = text(city.get("/lists/red?county=城区"))
    assert "0.6000" in page and "工业源 0.1000<br>非工业源 0.5000" in page and "占 30.0%" in page
    assert "全社会排放量基数和非工业源减排量：2020–2021年秋冬季" in page
    row = summary_sheet(live_workbook("red", chengqu))["城区"]
    assert (row["SO2工业源减排量(吨/日)"], row["SO2非工业源减排量(吨/日)"]) == (pytest.approx(0.1), 0.5)
    assert row["SO2减排量(吨/日)"] == pytest.approx(0.6)
    assert (row["SO2全社会排放量(吨/日)"], row["SO2减排比例"], row["SO2达标情况"]) == (2.0, pytest.approx(0.3), "达标")


def test_without_a_baseline_pages_and_workbook_say_it_is_missing(city, chengqu, make_enterprise, make_line):
    make_line(make_enterprise(name="城区B级水泥", grade="B"))
    page = text(city.get("/lists/red"))
    assert "城区B级水泥" in page and "0.1000" in page
    assert MISSING in page and "占 " not in page
    assert "尚未设立季节，未录入全社会排放量基数" in page
    sheet = summary_sheet(live_workbook("red"))
    assert sheet["城区"]["SO2减排量(吨/日)"] == pytest.approx(0.1)
    for county in ("城区", "合计"):
        assert sheet[county]["SO2减排比例"] == MISSING and sheet[county]["SO2达标情况"] == MISSING
        assert sheet[county]["SO2全社会排放量(吨/日)"] is None
    dashboard = text(city.get("/"))
    assert MISSING in dashboard and "各级预警减排量与目标" in dashboard


def test_a_season_without_figures_counts_as_missing(city, chengqu, make_enterprise, make_line):
    make_line(make_enterprise(name="城区B级水泥", grade="B"))
    make_season()
    db.session.commit()
    page = text(city.get("/lists/red"))
    assert "全社会排放量基数和非工业源减排量：2020–2021年秋冬季" in page and MISSING in page


def test_only_the_season_in_force_counts(chengqu):
    old = set_baselines({(chengqu.id, "nox"): 50.0}, season=make_season("2019–2020年秋冬季", date(2019, 10, 1),
                                                                         date(2020, 3, 31)))
    current = set_baselines({(chengqu.id, "nox"): 8.0})
    db.session.commit()
    assert season_in_force() == current != old
    nox = county_check("red", chengqu, "nox")
    assert nox.baseline == 8.0


def test_a_version_keeps_the_baseline_and_reductions_it_used(chengqu, make_enterprise, make_line, make_user):
    make_line(make_enterprise(name="城区B级水泥", grade="B"))
    season = set_baselines({(chengqu.id, "so2"): 2.0})
    amounts.save_cells(season, {(chengqu.id, "mobile", "so2"): 0.25}, "red")
    db.session.commit()
    version = publish_version("基数测试版", "", make_user("city"))
    db.session.commit()
    # The live tables change; the version's 汇总 does not.
    amounts.save_cells(season, {(chengqu.id, "mobile", "so2"): 9.0}, "red")
    amounts.save_cells(season, {(chengqu.id, "industrial", "so2"): 40.0})
    db.session.commit()
    buffer = io.BytesIO()
    export_version(buffer, version, "red", chengqu)
    row = summary_sheet(buffer.getvalue())["城区"]
    assert (row["SO2非工业源减排量(吨/日)"], row["SO2全社会排放量(吨/日)"]) == (0.25, 2.0)
    live = summary_sheet(live_workbook("red", chengqu))["城区"]
    assert (live["SO2非工业源减排量(吨/日)"], live["SO2全社会排放量(吨/日)"]) == (9.0, 40.0)


def test_a_deleted_season_takes_its_figures_with_it(chengqu):
    season = set_baselines({(chengqu.id, "so2"): 2.0})
    amounts.save_cells(season, {(chengqu.id, "mobile", "so2"): 0.25}, "red")
    db.session.commit()
    db.session.delete(season)
    db.session.commit()
    assert db.session.query(WholeSocietyEmission).count() == 0
    assert db.session.query(NonIndustrialReduction).count() == 0
    assert db.session.query(County).count() == 7
