"""Staggered production (错峰生产): the seasonal regime per firm (most specific rule wins) and its meeting with the
alert list: a D firm stopped for the season adds no reduction, a C firm at 错峰限产30% is cut on the remaining 70%,
an A firm is exempt; the accounting states what staggering already removes."""
from datetime import date, timedelta

import pytest

from emergency.clock import local_today
from emergency.lists.accounting import accumulator_for
from emergency.lists.listing import counties, iter_list_rows
from emergency.staggering.regimes import Regime, Rule, apply_regime, parse_days, regime_for
from emergency.staggering.store import adopt_defaults, season_rules
from models import Season, StaggerRule, db
from seed.load import load_stagger_defaults

SEASON = Season(id=7, name="2026–2027年秋冬季", starts_on=date(2026, 10, 1), ends_on=date(2027, 3, 31))
IN_SEASON, AFTER = date(2026, 12, 2), date(2027, 4, 1)


def rules(*specs):
    return [Rule(id=i, season_id=7, **spec) for i, spec in enumerate(specs, start=1)]


def test_the_most_specific_rule_wins():
    found = rules({"regime": "limit", "limit_pct": 30.0, "grade_code": "C"},
                  {"regime": "season_stop", "grade_code": "C", "industry_id": 5},
                  {"regime": "days", "stop_days": (1, 15), "grade_code": "C", "industry_id": 5, "process": "熟料烧成"})
    assert regime_for(found, SEASON, IN_SEASON, 9, "熟料烧成", "GRADED", "C").regime == "limit"
    assert regime_for(found, SEASON, IN_SEASON, 5, "粉磨", "GRADED", "C").regime == "season_stop"
    assert regime_for(found, SEASON, IN_SEASON, 5, "熟料烧成", "GRADED", "C").stop_days == (1, 15)
    # No rule for B; outside the season nothing applies; another season's rules are ignored.
    assert regime_for(found, SEASON, IN_SEASON, 5, "熟料烧成", "GRADED", "B") is None
    assert regime_for(found, SEASON, AFTER, 5, "熟料烧成", "GRADED", "C") is None
    other = [Rule(id=1, season_id=8, regime="season_stop", grade_code="C")]
    assert regime_for(other, SEASON, IN_SEASON, 5, "熟料烧成", "GRADED", "C") is None


def test_category_rules_and_equal_specificity_take_the_first_rule():
    found = rules({"regime": "exempt", "category_code": "LIVELIHOOD"}, {"regime": "season_stop"},
                  {"regime": "limit", "limit_pct": 10.0})
    assert regime_for(found, SEASON, IN_SEASON, 1, "", "LIVELIHOOD", None).regime == "exempt"
    assert regime_for(found, SEASON, IN_SEASON, 1, "", "GRADED", "D").regime == "season_stop"


def test_stop_days_stop_only_on_those_days():
    regime = Regime("days", stop_days=(1, 2))
    assert (regime.fraction_on(date(2026, 12, 2)), regime.fraction_on(date(2026, 12, 3))) == (1.0, 0.0)
    assert regime.label == "每月1、2日错峰停产"
    assert parse_days("15，1、2") == (1, 2, 15)
    for bad in ("", "0", "32", "一日", "1,x"):
        with pytest.raises(ValueError):
            parse_days(bad)


def test_a_stopped_regime_keeps_the_entered_measure_in_a_warning():
    from emergency.lists.verdicts import EffectiveMeasure
    from emergency.registry.measures import Measure
    verdict = EffectiveMeasure(measure=Measure("stop"), label="停产", full_label="停产", order_kind="stop", cut=1.0,
                               rule="entered_measure", reason="", entered=Measure("stop"), entered_label="停产")
    stopped = apply_regime(verdict, Regime("season_stop"), IN_SEASON)
    assert (stopped.label, stopped.counted, stopped.staggered, stopped.entered_label) == ("错峰停产中", 0.0, 1.0, "停产")
    assert [p.message for p in stopped.problems] == ["填报“停产”，错峰停产中（整季停产），本级别预警不另计减排量"]
    assert not stopped.is_stop_or_limit and stopped.explains
    assert apply_regime(verdict, Regime("exempt"), IN_SEASON) is verdict


@pytest.fixture
def season_now():
    load_stagger_defaults()   # stagger rules are wiped with the seasons between tests
    today = local_today()
    season = Season(name="本季", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
    db.session.add(season)
    db.session.flush()
    assert adopt_defaults(season) == 9
    db.session.commit()
    return season


def test_defaults_are_seeded_and_copied_into_a_season_once(season_now):
    assert {(r.grade_code, r.regime, r.limit_pct) for r in season_rules(None)} >= {
        ("D", "season_stop", None), ("C", "limit", 30.0), ("A", "exempt", None), ("NON_LEADING", "limit", 30.0)}
    assert adopt_defaults(season_now) == 0
    assert len(season_rules(season_now)) == 9


def test_d_stopped_c_staggered_and_a_exempt_on_the_red_list(season_now, make_enterprise, make_line):
    d_firm = make_enterprise(name="丁级水泥有限公司", grade="D")
    c_firm = make_enterprise(name="丙级水泥有限公司", grade="C")
    a_firm = make_enterprise(name="甲级水泥有限公司", grade="A")
    for firm in (d_firm, c_firm, a_firm):
        make_line(firm, measures={"red": ("stop", None, None, "no_g4")})
    rows = {r.enterprise_name: r for r in iter_list_rows("red")}
    daily = {"so2": 30.0 / 300, "nox": 60.0 / 300, "pm": 15.0 / 300, "vocs": 0.0}

    d_row = rows["丁级水泥有限公司"]
    assert d_row.measure.label == "错峰停产中" and d_row.measure.order_kind == "none"
    assert d_row.reductions == {"so2": 0.0, "nox": 0.0, "pm": 0.0, "vocs": 0.0}
    assert d_row.staggered == pytest.approx(daily)
    assert d_row.measure.entered_label.startswith("停产")

    c_row = rows["丙级水泥有限公司"]
    assert c_row.measure.label.startswith("停产") and c_row.measure.stagger_label == "错峰限产30%"
    assert c_row.reductions == pytest.approx({p: v * 0.7 for p, v in daily.items()})
    assert c_row.staggered == pytest.approx({p: v * 0.3 for p, v in daily.items()})
    assert "按剩余70%产能核算" in c_row.measure.reason

    a_row = rows["甲级水泥有限公司"]
    assert a_row.measure.rule == "self_managed_grade" and a_row.staggered == {}
    assert a_row.measure.stagger_label == ""

    accumulator = accumulator_for("red", counties())
    for row in rows.values():
        accumulator.add(row)
    nox = accumulator.result().total.checks["nox"]
    assert nox.industrial == pytest.approx(0.2 * 0.7)
    assert nox.staggered == pytest.approx(0.2 + 0.2 * 0.3)


def test_outside_the_season_nothing_changes(make_enterprise, make_line):
    load_stagger_defaults()
    today = local_today()
    season = Season(name="往季", starts_on=today - timedelta(days=300), ends_on=today - timedelta(days=100))
    db.session.add(season)
    db.session.flush()
    adopt_defaults(season)
    db.session.commit()
    make_line(make_enterprise(name="丁级水泥有限公司", grade="D"), measures={"red": ("stop", None, None, "no_road")})
    (row,) = iter_list_rows("red")
    assert row.measure.label.startswith("停产") and row.reductions["nox"] == pytest.approx(0.2)


def test_the_database_refuses_an_inconsistent_rule(season_now):
    from sqlalchemy.exc import IntegrityError
    for bad in ({"regime": "limit"}, {"regime": "days"}, {"regime": "limit", "limit_pct": 120.0},
                {"regime": "halt"}, {"regime": "exempt", "grade_code": "C", "category_code": "GRADED"}):
        db.session.add(StaggerRule(season_id=season_now.id, **bad))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_category_reason_is_a_rule_key_that_outranks_its_category():
    found = rules({"regime": "limit", "limit_pct": 30.0, "category_code": "NON_COMPLIANT"},
                  {"regime": "season_stop", "category_code": "NON_COMPLIANT", "category_reason": "未按期完成秋冬季治理任务"})
    late = regime_for(found, SEASON, IN_SEASON, 1, "", "NON_COMPLIANT", None, "未按期完成秋冬季治理任务")
    other = regime_for(found, SEASON, IN_SEASON, 1, "", "NON_COMPLIANT", None, "不能稳定达标排放")
    assert (late.regime, late.rule_id, other.regime) == ("season_stop", 2, "limit")


def test_a_firm_that_missed_its_clean_up_deadline_stops_for_the_season_by_the_seeded_rule(
        season_now, make_enterprise, make_line):
    late = make_enterprise(name="逾期治理水泥有限公司", category="NON_COMPLIANT", grade=None,
                           category_reason="未按期完成秋冬季治理任务")
    unstable = make_enterprise(name="不能稳定达标水泥有限公司", category="NON_COMPLIANT", grade=None,
                               category_reason="不能稳定达标排放")
    for firm in (late, unstable):
        make_line(firm)
    seeded = [r for r in season_rules(season_now) if r.category_reason]
    assert [(r.category_code, r.category_reason, r.regime) for r in seeded] == [
        ("NON_COMPLIANT", "未按期完成秋冬季治理任务", "season_stop")]
    rows = {r.enterprise_name: r for r in iter_list_rows("red")}
    stopped = rows["逾期治理水泥有限公司"]
    assert stopped.measure.label == "错峰停产中" and stopped.measure.stagger_label == "整季停产"
    assert stopped.reductions["nox"] == 0.0 and stopped.staggered["nox"] == pytest.approx(60.0 / 300)
    # Another reason of the same category matches no rule: the alert's own verdict stands.
    assert rows["不能稳定达标水泥有限公司"].measure.label != "错峰停产中"
    assert rows["不能稳定达标水泥有限公司"].measure.label.startswith("停产")
    assert rows["不能稳定达标水泥有限公司"].staggered == {}
