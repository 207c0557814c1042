"""Accounting on a small hand-computed fixture: totals, shares, target checks and shortfalls."""
import pytest

from emergency.lists.accounting import accumulator_for, reference_values, summarise
from emergency.lists.listing import ListRow
from emergency.lists.verdicts import ERROR, EffectiveMeasure, Problem
from models import County, db
from tests.baseline_support import set_baselines

CITY, ZEZHOU = 1, 2
COUNTIES = [(CITY, "城区"), (ZEZHOU, "泽州县"), (3, "开发区")]
RATIOS = {"so2": 0.2, "nox": 0.2, "pm": 0.2, "vocs": 0.2}
# 城区 has a whole-society baseline (t/d); 泽州县 and 开发区 have none.
BASELINES = {(CITY, "so2"): 10.0, (CITY, "nox"): 20.0, (CITY, "pm"): 5.0, (CITY, "vocs"): 4.0}


KINDS = {"stop": "stop", "limit": "limit", "self": "self", None: "none"}


def row(county_id, enterprise_id, line_id, action, so2=0.0, nox=0.0, pm=0.0, vocs=0.0, missing=False):
    problems = (Problem(ERROR, "missing", "未填写本级别措施"),) if missing else ()
    measure = EffectiveMeasure(measure=None, label="", full_label="", order_kind=KINDS[action], cut=0.0, rule="",
                               reason="", problems=problems)
    return ListRow(county_id=county_id, county_name=dict(COUNTIES)[county_id], enterprise_id=enterprise_id,
                   enterprise_name=f"企业{enterprise_id}", credit_code="", industry="", grade_label="",
                   line_id=line_id, line_name=f"{line_id}#", process_stage="", facilities="", measure=measure,
                   reductions={"so2": so2, "nox": nox, "pm": pm, "vocs": vocs})


ROWS = [
    row(CITY, 1, 1, "stop", so2=1.0, nox=4.0, pm=0.5),
    row(CITY, 1, 2, "limit", so2=0.2, nox=0.4, pm=0.1),
    row(CITY, 2, 3, "self"),
    row(CITY, 2, 4, None, missing=True),
    row(ZEZHOU, 3, 5, "stop", so2=3.0, nox=1.0, vocs=2.0),
]


def test_county_counts_and_reductions():
    summary = summarise(ROWS, "orange", COUNTIES, BASELINES, RATIOS)
    city = summary.counties[0]
    assert (city.name, city.enterprises, city.lines, city.stop_lines, city.limit_lines, city.self_lines,
            city.problem_lines) == ("城区", 2, 4, 1, 1, 1, 1)
    assert city.checks["so2"].reduction == pytest.approx(1.2)
    assert city.checks["nox"].reduction == pytest.approx(4.4)
    assert city.checks["pm"].reduction == pytest.approx(0.6)
    assert city.checks["vocs"].reduction == 0.0


def test_target_check_and_shortfall_against_the_whole_society_baseline():
    so2, nox, pm, vocs = (summarise(ROWS, "orange", COUNTIES, BASELINES, RATIOS).counties[0].checks[p]
                          for p in ("so2", "nox", "pm", "vocs"))
    # SO2: 1.2 of 10 t/d = 12% < 20%: 2.0 t/d needed, 0.8 missing.
    assert (so2.share, so2.target, so2.met, so2.status) == (pytest.approx(0.12), pytest.approx(2.0), False, "未达标")
    assert so2.shortfall == pytest.approx(0.8)
    # NOx: 4.4 of 20 t/d = 22% >= 20%: met, nothing missing.
    assert (nox.share, nox.met, nox.shortfall, nox.status) == (pytest.approx(0.22), True, 0.0, "达标")
    # PM: 0.6 of 5 = 12%, 0.4 missing. VOCs: 0 of 4, all 0.8 missing.
    assert pm.shortfall == pytest.approx(0.4)
    assert (vocs.share, vocs.shortfall) == (0.0, pytest.approx(0.8))


def test_county_without_baseline_says_so_instead_of_dividing_by_zero():
    zezhou = summarise(ROWS, "orange", COUNTIES, BASELINES, RATIOS).counties[1]
    so2 = zezhou.checks["so2"]
    assert (zezhou.enterprises, zezhou.lines, so2.reduction) == (1, 1, 3.0)
    assert (so2.baseline, so2.share, so2.target, so2.met, so2.shortfall) == (None, None, None, None, None)
    assert so2.status == "未录入全社会排放量基数"


def test_county_without_rows_is_listed_with_zeros():
    empty = summarise(ROWS, "orange", COUNTIES, BASELINES, RATIOS).counties[2]
    assert (empty.name, empty.enterprises, empty.lines, empty.checks["so2"].reduction) == ("开发区", 0, 0, 0.0)


def test_city_total_adds_counties_but_needs_every_baseline():
    total = summarise(ROWS, "orange", COUNTIES, BASELINES, RATIOS).total
    assert (total.name, total.enterprises, total.lines, total.stop_lines, total.problem_lines) == ("合计", 3, 5, 2, 1)
    assert total.checks["so2"].reduction == pytest.approx(4.2)
    assert total.checks["so2"].share is None
    assert total.checks["so2"].status == "部分县（市、区）未录入全社会排放量基数"


def test_city_total_share_when_every_county_has_a_baseline():
    baselines = {**BASELINES, (ZEZHOU, "so2"): 30.0}
    summary = summarise(ROWS, "red", COUNTIES[:2], baselines, {"so2": 0.1})
    so2 = summary.total.checks["so2"]
    # 4.2 of (10 + 30) t/d = 10.5% >= 10%.
    assert (so2.baseline, so2.share, so2.met, so2.shortfall) == (40.0, pytest.approx(0.105), True, 0.0)
    assert summary.total.checks["nox"].status == "部分县（市、区）未录入全社会排放量基数"


def test_missing_target_ratio_is_reported():
    check = summarise(ROWS, "red", COUNTIES, BASELINES, {}).counties[0].checks["so2"]
    assert (check.share, check.target, check.status) == (pytest.approx(0.12), None, "未设目标比例")


def test_reference_values_are_read_from_the_database():
    county = db.session.query(County).filter_by(name="高平市").one()
    set_baselines({(county.id, "nox"): 10.0})
    set_baselines({(county.id, "nox"): 2.5}, source_type="dust")
    db.session.commit()
    baselines, ratios = reference_values("red")
    assert baselines == {(county.id, "nox"): 12.5}
    assert ratios == {"so2": 0.3, "nox": 0.3, "pm": 0.3, "vocs": 0.3}
    accumulator = accumulator_for("yellow", [county])
    result = accumulator.result()
    assert [t.name for t in result.counties] == ["高平市"]
    assert result.counties[0].checks["nox"].target == pytest.approx(1.25)
