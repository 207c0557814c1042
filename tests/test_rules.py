"""The rules engine: one test per rule, with the cases of the domain brief. No app needed.

Floors, grade ladders and settings are built by hand here; the measure types are the seeded ones.
"""
import pytest

from emergency.lists.policy import GENERAL_SCOPE, GRADED_SCOPE, SMALL_MICRO_SCOPE, Floor, Floors, Policy
from emergency.lists.rules import (
    RULES,
    EnterpriseFacts,
    LineFacts,
    effective_measure,
    get_rule,
    judge_enterprise,
)
from emergency.lists.verdicts import ERROR, WARNING, at_least
from emergency.registry.measures import LineParams, Measure, MeasureTypes, weaker_than

TYPES = MeasureTypes.seeded()
CLINKER, GLASS, COKING, OTHER_INDUSTRY = 1, 2, 3, 9
G4, ROAD = "no_g4", "no_road"


def m(action, pct=None, *, fraction=None, hours=None, cap=None, transport="none", text="", indicators=""):
    return Measure(action, limit_pct=pct, other_fraction=fraction, hours=hours, cap_pct=cap, transport=transport,
                   text=text, indicators=indicators)


def floor(industry, grade, level, measure, process="", scope=GRADED_SCOPE):
    return Floor(measure, scope, industry, grade, level, process)


FLOORS = Floors([
    # Cement clinker, the guide's verified table (domain brief §2.3.1).
    *(floor(CLINKER, "A", lv, m("self")) for lv in ("yellow", "orange", "red")),
    floor(CLINKER, "B", "yellow", m("none", transport=G4)),
    floor(CLINKER, "B", "orange", m("limit", 20, transport=G4)),
    floor(CLINKER, "B", "red", m("stop", transport=G4)),
    floor(CLINKER, "C", "yellow", m("line_share", 50, transport=G4)),
    floor(CLINKER, "C", "orange", m("stop", transport=G4)),
    floor(CLINKER, "C", "red", m("stop", transport=G4)),
    *(floor(CLINKER, "D", lv, m("stop", transport=ROAD)) for lv in ("yellow", "orange", "red")),
    # Glass (§2.2, third-party reading of §19(五)): B 10%, C 20%, D 30%.
    floor(GLASS, "B", "red", m("limit", 10, transport=G4)),
    floor(GLASS, "C", "red", m("limit", 20, transport=G4)),
    floor(GLASS, "D", "red", m("limit", 30, transport=ROAD)),
    # Coking: the industry row says stop; coke ovens (工序 焦炉) stretch their coking time (§2.6.2).
    floor(COKING, "B", "red", m("stop", transport=G4)),
    floor(COKING, "B", "red", m("coking_time", hours=36, transport=G4), process="焦炉"),
    floor(COKING, "D", "red", m("stop", transport=ROAD)),
    floor(COKING, "D", "red", m("coking_time", hours=48, transport=ROAD), process="焦炉"),
    # Non-key industries (一般管控) and small and micro firms.
    floor(None, None, "red", m("limit", 30), scope=GENERAL_SCOPE),
    floor(None, None, "red", m("none"), scope=SMALL_MICRO_SCOPE),
])
LOWEST = {CLINKER: "D", GLASS: "D", COKING: "D"}


def policy(**kw):
    return Policy(types=TYPES, floors=FLOORS, lowest_grades=LOWEST, **kw)


def firm(category="GRADED", grade="B", industry=CLINKER, **kw):
    return EnterpriseFacts(category_code=category, grade_code=grade, industry_id=industry, **kw)


def line(can_stop=True, process="", coking_hours=None, capacity=None):
    return LineFacts(LineParams(can_stop, coking_hours, capacity), process)


def judge(enterprise, entered, level="red", facts=None, **kw):
    return effective_measure(enterprise, facts or line(), entered, level, policy(**kw))


def codes(verdict, severity=None):
    return [p.code for p in verdict.problems if severity is None or p.severity == severity]


# --- the cases the issue names --------------------------------------------------------------------------

def test_glass_b_at_red_limiting_10_percent_under_the_glass_row_is_ok():
    v = judge(firm(industry=GLASS), m("limit", 10, transport=G4), facts=line(can_stop=False, process="熔窑"))
    assert (v.rule, v.label, v.cut, v.problems) == ("entered_measure", "限产10%", pytest.approx(0.1), ())


def test_coking_b_at_red_stretching_coking_time_to_36_hours_is_ok():
    coke_oven = line(can_stop=False, process="焦炉", coking_hours=19)
    v = judge(firm(industry=COKING), m("coking_time", hours=36, transport=G4), facts=coke_oven)
    assert (v.label, v.problems, v.floor_label) == ("延长结焦时间至36小时", (), "延长结焦时间至36小时；"
                                                    "禁止国四及以下重型载货车辆（含燃气）运输")
    assert v.cut == pytest.approx(1 - 19 / 36)


def test_coking_b_at_red_with_too_short_a_coking_time_is_below_the_floor():
    coke_oven = line(can_stop=False, process="焦炉", coking_hours=19)
    v = judge(firm(industry=COKING), m("coking_time", hours=30, transport=G4), facts=coke_oven)
    assert codes(v, ERROR) == ["below_floor"]
    assert "削减比例36.67%低于底线47.22%" in v.problem


def test_clinker_c_at_yellow_with_line_1_stopped_and_line_2_running_is_ok():
    lines = [(line(process="熟料烧成"), m("stop", transport=G4)), (line(process="熟料烧成"), m("none", transport=G4))]
    verdicts = judge_enterprise(firm(grade="C"), lines, "yellow", policy())
    assert [v.label for v in verdicts] == ["停产", "不停限产"]
    assert [v.problems for v in verdicts] == [(), ()]


def test_clinker_c_at_yellow_with_no_line_stopped_fails_on_each_running_line():
    lines = [(line(process="熟料烧成"), m("limit", 50, transport=G4)), (line(process="熟料烧成"), m("none", transport=G4))]
    verdicts = judge_enterprise(firm(grade="C"), lines, "yellow", policy())
    assert [codes(v, ERROR) for v in verdicts] == [["line_share"], ["line_share"]]
    assert "应停产50%（以生产线计），现停产0%" in verdicts[0].problem


def test_line_share_is_weighted_by_capacity_when_every_line_has_one():
    small, big = line(process="熟料烧成", capacity=2500), line(process="熟料烧成", capacity=5000)
    verdicts = judge_enterprise(firm(grade="C"), [(small, m("stop", transport=G4)), (big, m("none", transport=G4))],
                                "yellow", policy())
    assert codes(verdicts[1], ERROR) == ["line_share"] and "现停产33.33%" in verdicts[1].problem
    assert codes(verdicts[0], ERROR) == []   # the stopped line itself did its part
    verdicts = judge_enterprise(firm(grade="C"), [(small, m("none", transport=G4)), (big, m("stop", transport=G4))],
                                "yellow", policy())
    assert [v.problems for v in verdicts] == [(), ()]


def test_a_non_compliant_line_that_cannot_stop_takes_at_least_the_lowest_grades_measure():
    coke_oven = line(can_stop=False, process="焦炉", coking_hours=19)
    v = judge(firm("NON_COMPLIANT", None, industry=COKING, category_reason="不能稳定达标排放"), m("limit", 20),
              facts=coke_oven)
    # D's coke-oven measure (48 h, cut 60%) is stronger than the strictest limit (50%), and D's transport applies.
    assert (v.label, v.measure.transport, v.imposed) == ("延长结焦时间至48小时", ROAD, True)
    assert v.cut == pytest.approx(1 - 19 / 48)
    assert codes(v) == ["imposed"] and "填报“限产20%”，按规则执行" in v.warnings[0].message
    assert "不纳入绩效分级（不能稳定达标排放）" in v.reason


def test_a_non_compliant_line_never_takes_less_than_the_strictest_limit():
    furnace = line(can_stop=False, process="熔窑")
    v = judge(firm("NON_COMPLIANT", None, industry=GLASS, category_reason="未达到排污许可管理要求"), None,
              facts=furnace)
    # Glass D limits 30% only, so the strictest limit (50%) applies, with D's ban on road transport.
    assert (v.label, v.cut, v.measure.transport) == ("限产50%", 0.5, ROAD)
    assert v.problems == ()


def test_a_non_compliant_line_that_can_stop_stops_and_a_stronger_entry_wins():
    enterprise = firm("NON_COMPLIANT", None, category_reason="未完成秋冬季治理任务")
    stop = judge(enterprise, m("limit", 20))
    assert (stop.label, stop.cut, stop.measure.transport, stop.imposed) == ("停产", 1.0, ROAD, True)
    kept = judge(enterprise, m("stop", transport=ROAD, text="全厂停产，停止公路运输"))
    assert (kept.label, kept.text, kept.imposed, kept.problems) == ("停产", "全厂停产，停止公路运输", False, ())


def test_non_compliant_firms_must_say_why():
    v = judge(firm("NON_COMPLIANT", None), m("stop", transport=ROAD))
    assert codes(v, ERROR) == ["missing_reason"] and "不纳入绩效分级的原因" in v.problem


def test_livelihood_on_an_industry_that_does_not_allow_it_is_an_error_on_the_row():
    v = judge(firm("LIVELIHOOD", None, industry=COKING,
                   classification_errors=("民生类仅适用于居民供暖锅炉、生活服务业，不适用于“焦化”",)), m("none"))
    assert (v.rule, codes(v, ERROR)) == ("invalid_classification", ["classification"])
    assert "不适用于“焦化”" in v.problem


def test_livelihood_is_listed_without_stop_or_limit():
    v = judge(firm("LIVELIHOOD", None, industry=OTHER_INDUSTRY), m("none", indicators="供热量"))
    assert (v.rule, v.label, v.cut, v.problems, v.indicators) == ("livelihood", "不停限产", 0.0, (), "供热量")
    assert not v.is_stop_or_limit


@pytest.mark.parametrize("entered", [m("none"), m("heat_led", cap=None), m("self")])
def test_guaranteed_without_a_capped_load_is_an_error(entered):
    v = judge(firm("GUARANTEED", "B", category_reason="保障民生"), entered)
    assert codes(v, ERROR) == ["missing_cap"]


def test_guaranteed_with_a_cap_and_a_reason_is_ok():
    v = judge(firm("GUARANTEED", "B", category_reason="保障民生"), m("heat_led", cap=70, text="以热定产"))
    assert (v.label, v.cut, v.problems) == ("以热定产（负荷不超过70%）", pytest.approx(0.3), ())


def test_guaranteed_without_a_reason_is_an_error():
    v = judge(firm("GUARANTEED", "B"), m("order_led", cap=80))
    assert codes(v, ERROR) == ["missing_reason"] and "保障民生、保障城市正常运转或国家战略性产业" in v.problem


def test_other_90_percent_is_not_weaker_than_limit_20():
    assert weaker_than(m("other", fraction=0.9), m("limit", 20), TYPES) == []
    assert at_least(m("other", fraction=0.9), m("limit", 20), TYPES)


def test_limit_30_without_the_truck_ban_is_weaker_than_a_floor_that_requires_it():
    reasons = weaker_than(m("limit", 30), m("limit", 20, transport=G4), TYPES)
    assert reasons == ["运输管控弱于底线（应禁止国四及以下重型载货车辆（含燃气）运输）"]
    v = judge(firm(), m("limit", 30), level="orange")
    assert codes(v, ERROR) == ["below_floor"]


def test_a_stop_without_the_truck_ban_is_weaker_too():
    v = judge(firm(), m("stop"))
    assert codes(v, ERROR) == ["below_floor"] and "运输管控弱于底线" in v.problem


def test_self_managed_firms_keep_their_commitment_shown_but_not_counted():
    v = judge(firm(grade="A"), m("limit", 20, text="自愿限产20%"))
    assert (v.rule, v.label, v.cut, v.commitment, v.imposed) == ("self_managed_grade", "自主减排", 0.0,
                                                                  "自愿限产20%", True)
    counted = judge(firm(grade="LEADING"), m("limit", 20), count_self_commitment=True)
    assert counted.cut == pytest.approx(0.2)


def test_a_stop_on_a_line_kept_hot_counts_as_hot_standby():
    kiln = line(can_stop=False, process="石灰窑")
    v = judge(firm(), m("stop", transport=G4), facts=kiln)
    assert (v.label, v.cut, codes(v)) == ("停产", pytest.approx(0.8), ["hot_counted"])


def test_a_floor_stop_reads_as_hot_standby_for_a_line_that_cannot_stop():
    kiln = line(can_stop=False, process="石灰窑")
    v = judge(firm(), m("hot_standby", transport=G4), facts=kiln)
    assert (v.label, v.cut, v.problems) == ("停产保温（保窑/焖炉）", pytest.approx(0.8), ())


def test_small_micro_firms_under_the_threshold_may_take_a_lighter_measure():
    v = judge(firm(industry=OTHER_INDUSTRY, category="GENERAL", grade=None, small_micro=True, annual_t_yr=1.5),
              m("none"))
    assert (v.rule, v.problems) == ("small_micro", ())
    assert "小微涉气企业（年排放量1.5吨，不超过2吨）" in v.reason


def test_small_micro_firms_over_the_threshold_keep_the_normal_floor_with_a_warning():
    v = judge(firm(industry=OTHER_INDUSTRY, category="GENERAL", grade=None, small_micro=True, annual_t_yr=12),
              m("none"))
    assert (v.rule, codes(v)) == ("entered_measure", ["small_micro_over", "below_floor"])


def test_non_key_industries_have_a_general_floor():
    v = judge(firm("GENERAL", None, industry=OTHER_INDUSTRY), m("none"))
    assert codes(v, ERROR) == ["below_floor"] and "底线：限产30%" in v.problem
    assert judge(firm("GENERAL", None, industry=OTHER_INDUSTRY), m("limit", 30)).problems == ()


def test_a_d_grade_where_the_scheme_has_none_is_an_error_on_the_row():
    v = judge(firm(grade="D", classification_errors=("“水泥（粉磨站）”的分级方案不允许“D”",)), m("stop", transport=ROAD))
    assert (v.rule, v.is_error, v.problem) == ("invalid_classification", True, "“水泥（粉磨站）”的分级方案不允许“D”")


def test_a_missing_measure_is_an_error():
    v = judge(firm(), None)
    assert (v.label, v.cut, codes(v)) == ("未填写", 0.0, ["missing"])


def test_coking_time_without_the_normal_coking_time_cannot_be_counted():
    v = judge(firm(industry=OTHER_INDUSTRY, category="GENERAL", grade=None), m("coking_time", hours=36))
    assert "no_coking_hours" in codes(v, ERROR) and v.cut == 0.0


@pytest.mark.parametrize("measure, cut", [
    (m("stop"), 1.0), (m("hot_standby"), 0.8), (m("line_share", 50), 0.5), (m("limit", 30), 0.3),
    (m("heat_led", cap=60), 0.4), (m("order_led", cap=90), 0.1), (m("other", fraction=0.15), 0.15),
    (m("self"), 0.0), (m("none"), 0.0),
])
def test_cut_fraction_of_each_measure_type(measure, cut):
    assert measure.cut(TYPES) == pytest.approx(cut)
    assert m("coking_time", hours=40).cut(TYPES, LineParams(coking_hours=20)) == pytest.approx(0.5)


def test_the_rules_form_a_table_with_names():
    assert [r.name for r in RULES] == ["invalid_classification", "non_compliant", "self_managed_grade",
                                       "livelihood", "guarantee_measure", "small_micro", "entered_measure"]
    assert get_rule("livelihood") is RULES[3]
    with pytest.raises(KeyError):
        get_rule("nope")


def test_every_warning_and_error_has_a_chinese_message():
    v = judge(firm("NON_COMPLIANT", None), m("limit", 20), facts=line(can_stop=False))
    assert {p.severity for p in v.problems} == {ERROR, WARNING}
    assert all(p.message and not p.message.isascii() for p in v.problems)


@pytest.mark.parametrize("process, line_process, matches", [
    ("焦炉", "1#焦炉（JN60型）", True), ("熔化", "中频炉熔化", True), ("焦炉", "焦炉煤气制甲醇", False),
    ("高炉", "高炉煤气发电", False), ("焦炉", "熟料烧成", False), ("", "任何工序", True),
])
def test_process_floors_match_the_lines_process_but_not_by_product_gas_lines(process, line_process, matches):
    assert floor(COKING, "B", "red", m("stop"), process=process).matches_process(line_process) is matches
