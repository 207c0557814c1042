"""The target solver's page, its acceptance through the normal line edit (audit, history, optimistic locking), the
refusal of a proposal made before a registry change, scoping by county, bad input, the CLI and its workbook, and the
demo at red."""
import io
import re

import pytest
from openpyxl import load_workbook

from emergency.planning import proposal as plans
from models import POLLUTANT_LABELS, AuditLog, County, LineMeasure, ProductionLine, db
from tests.baseline_support import set_baselines


def text(response):
    # Figures are wrapped in <span class="n"> (they never break mid-digit); the assertions read the figures.
    page = re.sub(r'<span class="n">([^<]*)</span>', r"\1", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", page)


def red_measure(line):
    db.session.expire_all()
    measure = db.session.query(LineMeasure).filter_by(line_id=line.id, level="red").one()
    return measure.action, measure.limit_pct, measure.transport


@pytest.fixture
def boilers(make_enterprise, make_line, county):
    """Three 城区 boilers at 限产30% (0.03 t/d SO2 each counted), and an SO2 target (red, 30%) of ``target`` t/d."""
    def build(target):
        lines = {}
        for name, value, can_stop in (("甲锅炉", 1000.0, True), ("乙锅炉", 5000.0, True), ("丙锅炉", None, False)):
            firm = make_enterprise(name=f"{name}有限公司", industry_code="boiler", category="GENERAL", grade=None,
                                   output_value=value)
            lines[name] = make_line(firm, name="1#锅炉", process_stage="锅炉", capacity=10, so2_t_yr=30.0,
                                    nox_t_yr=0.0, pm_t_yr=0.0, can_stop_quickly=can_stop,
                                    measures={"red": ("limit", 30.0, None, "no_g4")})
        set_baselines({(county().id, "so2"): target / 0.3})
        db.session.commit()
        return lines
    return build


@pytest.fixture
def city(make_user, login):
    return login(make_user("city"))


def chosen(page):
    return [int(v) for v in re.findall(r'name="lines" value="(\d+)"', page)]


def fingerprint(page):
    return re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)


def test_the_page_proposes_the_cheapest_line_with_its_reductions_cost_and_totals(city, boilers):
    lines = boilers(0.13)     # 0.09 t/d counted: 0.04 missing
    page = text(city.get("/lists/red/solve?county=城区"))
    assert chosen(page) == [lines["甲锅炉"].id]
    assert ("限产30%；禁止国四及以下重型载货车辆（含燃气）运输</td><td>停产；禁止国四及以下重型载货车辆（含燃气）运输"
            in page)
    # 0.1 t/d × (1 − 0.3) more SO2; 1000 万元/300 days × 0.7 of lost production.
    assert "0.0700" in page and "2.333" in page and "企业年产值" in page
    assert "0.0900</td><td class=\"num\">0.1600</td><td class=\"num\">0.1300</td><td>未达标</td><td>达标" in page
    assert "万元/日" in page


def test_accepting_goes_through_the_line_edit_and_the_list_then_meets_the_target(city, boilers):
    lines = boilers(0.13)
    page = text(city.get("/lists/red/solve?county=城区"))
    version = lines["甲锅炉"].version
    logged = db.session.query(AuditLog).count()
    response = city.post("/lists/red/solve?county=城区", data={"fingerprint": fingerprint(page),
                                                             "lines": chosen(page)})
    assert response.status_code == 302 and "/lists/red" in response.headers["Location"]
    assert red_measure(lines["甲锅炉"]) == ("stop", None, "no_g4")
    assert db.session.get(ProductionLine, lines["甲锅炉"].id).version == version + 1
    entries = db.session.query(AuditLog).filter(AuditLog.id > 0).order_by(AuditLog.id).all()[logged:]
    measure_id = db.session.query(LineMeasure.id).filter_by(line_id=lines["甲锅炉"].id, level="red").scalar()
    assert [(e.entity_type, e.entity_id, e.enterprise_id, e.action) for e in entries] == [
        ("measure", measure_id, lines["甲锅炉"].enterprise_id, "update")]
    assert '"action": "stop"' in entries[0].after and '"action": "limit"' in entries[0].before
    assert red_measure(lines["乙锅炉"]) == ("limit", 30.0, "no_g4")
    assert "各县（市、区）均已达到减排目标，无需调整" in text(city.get("/lists/red/solve?county=城区"))
    listing = text(city.get("/lists/red?county=城区"))
    assert "达标" in listing and "未达标" not in listing


def test_a_subset_is_accepted_and_a_line_that_cannot_stop_only_keeps_hot(city, boilers):
    lines = boilers(0.20)     # 0.11 missing: 甲 stops (0.07), 丙 cannot stop, so it keeps hot (0.05)
    page = text(city.get("/lists/red/solve?county=城区"))
    assert sorted(chosen(page)) == sorted([lines["甲锅炉"].id, lines["丙锅炉"].id])
    assert "停产保温（保窑/焖炉）；禁止国四及以下重型载货车辆（含燃气）运输" in page and "同行业中位数" in page
    response = city.post("/lists/red/solve?county=城区", data={"fingerprint": fingerprint(page),
                                                             "lines": [lines["丙锅炉"].id]})
    assert response.status_code == 302
    assert red_measure(lines["丙锅炉"]) == ("hot_standby", None, "no_g4")
    assert red_measure(lines["甲锅炉"]) == ("limit", 30.0, "no_g4")


def test_a_proposal_made_before_a_registry_change_is_refused_and_recomputed(city, boilers):
    lines = boilers(0.13)
    page = text(city.get("/lists/red/solve?county=城区"))
    firm = db.session.get(ProductionLine, lines["乙锅炉"].id).enterprise
    firm.output_value = 100.0     # someone edits 乙 meanwhile: stopping its boiler is now the cheaper buy
    db.session.commit()
    logged = db.session.query(AuditLog).count()
    response = city.post("/lists/red/solve?county=城区", data={"fingerprint": fingerprint(page),
                                                             "lines": chosen(page)})
    body = text(response)
    assert response.status_code == 409 and plans.STALE in body
    assert red_measure(lines["甲锅炉"]) == ("limit", 30.0, "no_g4")
    assert db.session.query(AuditLog).count() == logged
    assert fingerprint(body) != fingerprint(page) and chosen(body) == [lines["乙锅炉"].id]


@pytest.mark.parametrize("data, message", [
    ({"lines": ["abc"]}, "所选生产线编号无效，请刷新后重试"),
    ({"lines": ["99999999999"]}, "所选生产线编号无效，请刷新后重试"),
    ({}, plans.NOTHING_CHOSEN),
    ({"lines": ["424242"]}, plans.NOT_IN_PROPOSAL),
    ({"fingerprint": "zz<script>", "lines": ["1"]}, "方案标识无效，请刷新后重试"),
    ({"fingerprint": "", "lines": ["1"]}, "缺少方案标识，请刷新后重试"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(city, boilers, data, message):
    boilers(0.13)
    page = text(city.get("/lists/red/solve?county=城区"))
    logged = db.session.query(AuditLog).count()
    response = city.post("/lists/red/solve?county=城区", data={"fingerprint": fingerprint(page), **data})
    assert response.status_code == 400 and message in text(response)
    assert db.session.query(AuditLog).count() == logged


def test_a_county_sees_and_accepts_only_its_own_county(make_user, login, boilers):
    lines = boilers(0.13)
    other = login(make_user("county", county_name="泽州县"))
    assert other.get("/lists/red/solve?county=城区").status_code == 404
    assert other.post("/lists/red/solve?county=城区", data={"fingerprint": "ab", "lines": [1]}).status_code == 404
    # Without ?county= a county user gets their own county: 泽州县 has nothing to close.
    assert "各县（市、区）均已达到减排目标" in text(other.get("/lists/red/solve"))
    own = login(make_user("county", county_name="城区"))
    page = text(own.get("/lists/red/solve"))
    assert chosen(page) == [lines["甲锅炉"].id]
    assert own.post("/lists/red/solve", data={"fingerprint": fingerprint(page),
                                             "lines": chosen(page)}).status_code == 302
    assert red_measure(lines["甲锅炉"])[0] == "stop"


def test_a_city_wide_proposal_is_not_a_county_proposal(city, make_user, login, boilers):
    boilers(0.13)
    city_page = text(city.get("/lists/red/solve"))
    county_user = login(make_user("county", county_name="城区"))
    # A county user posting the city-wide proposal is held to their own county's, whose fingerprint differs.
    response = county_user.post("/lists/red/solve", data={"fingerprint": fingerprint(city_page),
                                                         "lines": chosen(city_page)})
    assert response.status_code == 409


def test_the_cli_prints_the_proposal_and_writes_the_workbook(runner, boilers, tmp_path):
    lines = boilers(0.13)
    out = tmp_path / "方案.xlsx"
    result = runner.invoke(args=["solve", "--level", "red", "--county", "城区", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "调整 1 条生产线" in result.output
    assert "城区 甲锅炉有限公司 1#锅炉：限产30%；禁止国四及以下重型载货车辆（含燃气）运输 → 停产" in result.output
    assert "城区 SO2：0.0900 → 0.1600 吨/日，目标 0.1300，达标" in result.output
    workbook = load_workbook(io.BytesIO(out.read_bytes()))
    rows = list(workbook["调整方案"].iter_rows(values_only=True))
    assert rows[2][:7] == ("城区", "甲锅炉有限公司", "工业锅炉", None, "1#锅炉",
                           "限产30%；禁止国四及以下重型载货车辆（含燃气）运输", "停产；禁止国四及以下重型载货车辆（含燃气）运输")
    assert rows[2][7] == pytest.approx(0.07)
    assert red_measure(lines["甲锅炉"])[0] == "limit"      # the CLI only prints


@pytest.mark.parametrize("args, message", [
    (["solve", "--level", "purple"], "预警级别“purple”无效"),
    (["solve", "--level", "red", "--county", "不存在县"], "未找到县（市、区）：不存在县"),
])
def test_the_cli_refuses_bad_arguments_in_chinese(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and message in result.output


def _county_rows(page):
    """{county name: the totals row's text} of a list page."""
    table = page.split('class="grid totals"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in table.split("<tr")[2:]:
        name = re.search(r"<td>([^<]+)</td>", row).group(1)
        rows[name] = row
    return rows


def _statuses(row):
    """{pollutant: 达标 / 未达标} of a county's totals row, in the table's pollutant order."""
    cells = row.split('<td class="check">')[1:]
    return {p: "未达标" if "未达标" in cell else "达标" if "达标" in cell else "?"
            for p, cell in zip(POLLUTANT_LABELS, cells)}


def test_on_the_demo_at_red_each_missed_pollutant_is_closed_or_reported(city):
    """The demo as seeded today: 城区 misses SO2 and NOx, 陵川 NOx, 开发区 SO2 and NOx (阳城 meets every target,
    unlike the issue's older demo). The accepted proposal closes all of them but part of 陵川's NOx, which the page
    reports as out of reach and which stays 未达标."""
    from seed.demo import load_demo

    load_demo()
    db.session.commit()
    before = {name: _statuses(row) for name, row in _county_rows(text(city.get("/lists/red"))).items()}
    missed = {(name, p) for name, by_p in before.items() if name != "合计" for p, s in by_p.items() if s == "未达标"}
    assert missed == {("城区", "so2"), ("城区", "nox"), ("陵川县", "nox"), ("开发区", "so2"), ("开发区", "nox")}
    assert set(before["阳城县"].values()) == {"达标"}
    page = text(city.get("/lists/red/solve"))
    assert "陵川县 NOx：仍差" in page
    assert city.post("/lists/red/solve", data={"fingerprint": fingerprint(page),
                                               "lines": chosen(page)}).status_code == 302
    after = {name: _statuses(row) for name, row in _county_rows(text(city.get("/lists/red"))).items()}
    for name, pollutant in missed - {("陵川县", "nox")}:
        assert after[name][pollutant] == "达标", (name, pollutant)
    assert after["陵川县"] == {"so2": "达标", "nox": "未达标", "pm": "达标", "vocs": "达标"}


def test_on_the_demo_at_red_accepting_the_proposal_closes_every_shortfall_it_can(city):
    from seed.demo import load_demo

    load_demo()
    db.session.commit()
    before = _county_rows(text(city.get("/lists/red")))
    missing = {name for name, row in before.items() if "未达标" in row and name != "合计"}
    assert {"城区", "陵川县"} <= missing
    page = text(city.get("/lists/red/solve"))
    proposal = plans.make_proposal("red")
    unreachable = {name for name, _, _ in proposal.unreachable}
    response = city.post("/lists/red/solve", data={"fingerprint": fingerprint(page), "lines": chosen(page)})
    assert response.status_code == 302
    after = _county_rows(text(city.get("/lists/red")))
    for name in missing - unreachable:
        assert "达标" in after[name] and "未达标" not in after[name], name
    # What cannot be closed was said on the page, and stays missing.
    for name, pollutant, amount in proposal.unreachable:
        assert f"{name} {POLLUTANT_LABELS[pollutant]}：仍差 {amount:.4f} 吨/日" in page
        assert "未达标" in after[name]
    assert db.session.query(County).count() == len(after) - 1


def test_on_the_registry_the_ladder_raises_a_worse_grade_with_the_better_one(city, make_enterprise, make_line,
                                                                               county):
    # Two coke ovens that cannot stop: a cheap B oven that emits a lot at 36 h, a dear C oven at 48 h. Only the
    # B oven kept hot closes the gap, and then the C oven of the same process may not be cut less: it is kept hot
    # too, although it adds almost nothing and costs far more.
    ovens = {}
    for grade, value, so2, hours in (("B", 100.0, 300.0, 36), ("C", 10000.0, 30.0, 48)):
        firm = make_enterprise(name=f"{grade}级焦化有限公司", industry_code="coking", grade=grade, output_value=value)
        ovens[grade] = make_line(firm, name="1#焦炉", process_stage="焦炉", can_stop_quickly=False, coking_hours=24,
                                 so2_t_yr=so2, nox_t_yr=0.0, pm_t_yr=0.0,
                                 measures={"red": {"action": "coking_time", "hours": hours, "transport": "no_g4"}})
    set_baselines({(county().id, "so2"): (1 / 3 + 0.05 + 0.4) / 0.3})   # 0.4 t/d missing
    db.session.commit()
    page = text(city.get("/lists/red/solve?county=城区"))
    assert sorted(chosen(page)) == sorted([ovens["B"].id, ovens["C"].id])
    assert page.count("延长结焦时间至") == 2 and page.count("停产保温（保窑/焖炉）；禁止国四及以下重型载货车辆（含燃气）运输") == 2
    changes = page.split('id="proposal-changes"', 1)[1]
    assert "停产保温" in changes and "停产；" not in changes
