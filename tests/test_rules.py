"""The rules engine: one test per rule, every category and grade, and the floor comparisons. No app needed."""
import pytest

from emergency.lists.rules import (
    BELOW_FLOOR,
    MISSING,
    OK,
    RULES,
    EnterpriseFacts,
    LineFacts,
    RuleContext,
    effective_measure,
    get_rule,
)
from emergency.registry.measures import Measure

STOP = Measure("stop", text="停产；禁止使用国四及以下重型载货车辆", indicators="用电量")
LIMIT20 = Measure("limit", limit_pct=20.0, text="限产20%")
LIMIT10 = Measure("limit", limit_pct=10.0, text="限产10%")
OTHER0 = Measure("other", other_fraction=0.0, text="禁止使用国四及以下重型载货车辆")
OTHER15 = Measure("other", other_fraction=0.15, text="错峰运输，削减15%")
SELF = Measure("self", text="自主减排")
NONE = Measure("none", text="不停限产")
GUARANTEE = Measure("other", other_fraction=0.3, text="以热定产，按供热负荷生产", indicators="供热量")

SELF_MANAGED = {"A": True, "B": False, "B-": False, "C": False, "D": False, "LEADING": True, "NON_LEADING": False}


def facts(category="GRADED", grade="B"):
    return EnterpriseFacts(category_code=category, grade_code=grade, self_managed=SELF_MANAGED.get(grade, False))


def apply(category="GRADED", grade="B", entered=LIMIT20, floor=None, stoppable=True, strictest=50.0):
    return effective_measure(facts(category, grade), LineFacts(stoppable), entered, floor, strictest)


def test_non_compliant_stops_every_line_whatever_is_entered():
    result = apply("NON_COMPLIANT", None, entered=SELF)
    assert (result.action, result.cut_fraction, result.rule, result.status) == ("stop", 1.0, "non_compliant_stop", OK)
    assert "不纳入绩效分级" in result.text


def test_non_compliant_line_that_cannot_stop_gets_the_strictest_limit_recorded_as_such():
    result = apply("NON_COMPLIANT", None, entered=STOP, stoppable=False, strictest=60.0)
    assert (result.action, result.limit_pct, result.rule) == ("limit", 60.0, "non_compliant_strictest_limit")
    assert result.text == "不可短时停产，执行最严限产（60%）"
    assert result.cut_fraction == pytest.approx(0.6)
    assert result.indicators == "用电量"  # the entered verification indicator is kept


def test_non_compliant_without_entered_measure_is_not_an_error():
    result = apply("NON_COMPLIANT", None, entered=None)
    assert (result.action, result.status, result.indicators) == ("stop", OK, "")


@pytest.mark.parametrize("grade", ["A", "LEADING"])
def test_self_managed_grades_reduce_voluntarily_whatever_is_entered(grade):
    result = apply("GRADED", grade, entered=STOP, floor=LIMIT20)
    assert (result.action, result.cut_fraction, result.rule, result.status) == ("self", 0.0, "self_managed_grade", OK)
    assert result.text == "鼓励结合实际，自主采取减排措施"


@pytest.mark.parametrize("grade", ["B", "B-", "C", "D", "NON_LEADING"])
def test_other_grades_take_the_entered_measure(grade):
    result = apply("GRADED", grade, entered=OTHER15, floor=OTHER0)
    assert (result.action, result.other_fraction, result.rule, result.status) == ("other", 0.15, "entered_measure", OK)
    assert result.text == "错峰运输，削减15%"
    assert result.cut_fraction == pytest.approx(0.15)


def test_livelihood_is_listed_without_stop_or_limit():
    result = apply("LIVELIHOOD", None, entered=STOP)
    assert (result.action, result.cut_fraction, result.rule, result.label) == ("none", 0.0, "livelihood", "不停限产")


@pytest.mark.parametrize("grade", ["A", "B", "LEADING", None])
def test_guaranteed_takes_its_guarantee_measure_even_with_a_self_managed_grade(grade):
    result = apply("GUARANTEED", grade, entered=GUARANTEE, floor=STOP)
    assert (result.action, result.rule, result.status) == ("other", "guarantee_measure", OK)
    assert result.text == "以热定产，按供热负荷生产"
    assert result.cut_fraction == pytest.approx(0.3)


def test_guaranteed_without_measure_is_missing():
    result = apply("GUARANTEED", "B", entered=None)
    assert (result.action, result.status, result.cut_fraction, result.label) == (None, MISSING, 0.0, "未填写")


def test_general_firm_takes_entered_measure_without_floor():
    result = apply("GENERAL", None, entered=SELF, floor=None)
    assert (result.action, result.status, result.rule) == ("self", OK, "entered_measure")


def test_general_firm_without_measure_is_an_error():
    result = apply("GENERAL", None, entered=None)
    assert result.status == MISSING and result.is_error and result.problem == "未填写本级别措施"


@pytest.mark.parametrize("entered, floor, status", [
    (LIMIT10, LIMIT20, BELOW_FLOOR),   # weaker: same action, smaller %
    (OTHER15, LIMIT20, BELOW_FLOOR),   # weaker: lower rank whatever the fraction
    (SELF, OTHER0, BELOW_FLOOR),
    (NONE, SELF, BELOW_FLOOR),
    (LIMIT20, LIMIT20, OK),            # equal
    (OTHER0, OTHER0, OK),
    (STOP, STOP, OK),
    (STOP, LIMIT20, OK),               # stronger
    (LIMIT10, OTHER0, OK),
    (OTHER15, OTHER0, OK),
], ids=["limit10<limit20", "other<limit", "self<other", "none<self", "limit=limit", "other=other", "stop=stop",
        "stop>limit", "limit>other", "other15>other0"])
def test_floor_comparison(entered, floor, status):
    result = apply("GRADED", "C", entered=entered, floor=floor)
    assert result.status == status
    # A weaker measure is flagged, never replaced: the entered action and cut are kept.
    assert (result.action, result.cut_fraction) == (entered.action, entered.cut_fraction)
    assert result.floor == floor


def test_missing_measure_with_floor_is_missing_not_below_floor():
    result = apply("GRADED", "D", entered=None, floor=STOP)
    assert (result.status, result.cut_fraction, result.floor) == (MISSING, 0.0, STOP)


def test_below_floor_problem_names_the_floor():
    result = apply("GRADED", "B", entered=LIMIT10, floor=LIMIT20)
    assert result.problem == "低于行业措施底线（底线：限产20%）"
    assert result.label == "限产10%"


@pytest.mark.parametrize("measure, cut", [(STOP, 1.0), (LIMIT20, 0.2), (OTHER15, 0.15), (SELF, 0.0), (NONE, 0.0)])
def test_cut_fraction_of_entered_measures(measure, cut):
    assert apply("GRADED", "C", entered=measure).cut_fraction == pytest.approx(cut)


def test_entered_measure_without_text_falls_back_to_its_label():
    assert apply("GRADED", "C", entered=Measure("limit", limit_pct=30.0)).text == "限产30%"


@pytest.mark.parametrize("rule_name, context, applies", [
    ("non_compliant_stop", RuleContext(facts("NON_COMPLIANT", None), LineFacts(True), None, None, 50), True),
    ("non_compliant_stop", RuleContext(facts("NON_COMPLIANT", None), LineFacts(False), None, None, 50), False),
    ("non_compliant_strictest_limit", RuleContext(facts("NON_COMPLIANT", None), LineFacts(False), None, None, 50),
     True),
    ("self_managed_grade", RuleContext(facts("GRADED", "A"), LineFacts(), None, None, 50), True),
    ("self_managed_grade", RuleContext(facts("GUARANTEED", "A"), LineFacts(), None, None, 50), False),
    ("livelihood", RuleContext(facts("LIVELIHOOD", None), LineFacts(), None, None, 50), True),
    ("guarantee_measure", RuleContext(facts("GUARANTEED", "B"), LineFacts(), None, None, 50), True),
    ("guarantee_measure", RuleContext(facts("GRADED", "B"), LineFacts(), None, None, 50), False),
    ("entered_measure", RuleContext(facts("GENERAL", None), LineFacts(), None, None, 50), True),
])
def test_each_rule_applies_only_to_its_case(rule_name, context, applies):
    assert get_rule(rule_name).applies(context) is applies


def test_rule_registry_is_ordered_and_named():
    assert [r.name for r in RULES] == ["non_compliant_stop", "non_compliant_strictest_limit", "self_managed_grade",
                                      "livelihood", "guarantee_measure", "entered_measure"]
    with pytest.raises(KeyError):
        get_rule("no_such_rule")
