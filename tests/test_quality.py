"""The quality check: each kind of finding, severities, scope, and the check-list command."""
from emergency.lists.quality import ERROR, WARNING, run_checks
from emergency.registry import credit_code
from tests.conftest import DEFAULT_MEASURES as FULL


def findings(county_id=None):
    return [(f.severity, f.check, f.enterprise_name, f.line_name, f.message) for f in run_checks(county_id).findings]


def test_clean_registry_has_no_findings(make_enterprise, make_line):
    make_line(make_enterprise(name="合规企业"), measures=FULL)
    report = run_checks()
    assert (report.findings, report.errors, report.warnings) == ([], 0, 0)


def test_invalid_credit_code_is_an_error_linking_to_the_enterprise(make_enterprise, make_line):
    enterprise = make_enterprise(name="代码错误企业", credit_code="91140502MA00000010")
    make_line(enterprise, measures=FULL)
    [finding] = run_checks().findings
    assert (finding.severity, finding.check, finding.enterprise_name) == (ERROR, "credit_code", "代码错误企业")
    assert "校验位错误" in finding.message
    assert (finding.fix_endpoint, finding.fix_args) == ("registry.edit_enterprise", {"enterprise_id": enterprise.id,
                                                          "fault": "credit_code"})


def test_duplicate_codes_after_normalising_are_errors_on_both(make_enterprise, make_line):
    code = credit_code.make("91140502MA0099999")
    first = make_enterprise(name="甲企业", credit_code=code)
    second = make_enterprise(name="乙企业", credit_code=code.lower())
    for enterprise in (first, second):
        make_line(enterprise, measures=FULL)
    assert sorted(findings()) == sorted([
        (ERROR, "duplicate_code", "甲企业", "", f"统一社会信用代码 {code} 与其他企业重复：乙企业"),
        (ERROR, "duplicate_code", "乙企业", "", f"统一社会信用代码 {code} 与其他企业重复：甲企业"),
    ])


def test_enterprise_without_lines_is_an_error(make_enterprise):
    make_enterprise(name="空企业")
    assert findings() == [(ERROR, "no_lines", "空企业", "", "未登记生产线，无法列入减排清单")]


def test_line_without_measure_at_a_level_is_an_error_linking_to_the_line(make_enterprise, make_line):
    enterprise = make_enterprise(name="缺措施企业", grade="B")
    line = make_line(enterprise, name="2#窑", measures={"yellow": FULL["yellow"], "orange": FULL["orange"]})
    [finding] = run_checks().findings
    assert (finding.severity, finding.check, finding.line_name, finding.message) == \
        (ERROR, "missing_measure", "2#窑", "未填写红色预警减排措施")
    assert (finding.fix_endpoint, finding.fix_args) == \
        ("registry.edit_line", {"enterprise_id": enterprise.id, "line_id": line.id, "fault": "red"})


def test_missing_measure_the_rules_do_not_need_is_only_a_warning(make_enterprise, make_line):
    make_line(make_enterprise(name="A级企业", grade="A"), measures={})
    assert findings() == [(WARNING, "missing_measure", "A级企业", "1#生产线",
                           "未填写黄色、橙色、红色预警措施（清单按规则确定措施，但应补填核查指标）")]


def test_measure_weaker_than_floor_is_an_error(make_enterprise, make_line):
    make_line(make_enterprise(name="弱措施企业", grade="B"),
              measures={"yellow": ("none", None, None), "orange": ("limit", 20.0, None, "no_g4"),
                        "red": ("limit", 90.0, None, "no_g4")})
    assert findings() == [(ERROR, "below_floor", "弱措施企业", "1#生产线",
                           "黄色预警：低于行业措施底线（底线：不停限产；禁止国四及以下重型载货车辆（含燃气）运输）："
                           "运输管控弱于底线（应禁止国四及以下重型载货车辆（含燃气）运输）；"
                           "红色预警：低于行业措施底线（底线：停产；禁止国四及以下重型载货车辆（含燃气）运输）："
                           "削减比例90%低于底线100%")]


def test_rule_imposed_measures_are_warnings_showing_entered_and_imposed(make_enterprise, make_line):
    enterprise = make_enterprise(name="不纳入企业", category="NON_COMPLIANT", grade=None,
                                 category_reason="不能稳定达标排放")
    make_line(enterprise, measures={"yellow": ("limit", 20.0, None), "orange": ("stop", None, None, "no_road"),
                                    "red": ("stop", None, None, "no_road")})
    assert findings() == [(WARNING, "imposed", "不纳入企业", "1#生产线",
                           "黄色预警：填报“限产20%”，按规则执行“停产；停止公路运输”：不纳入绩效分级（不能稳定达标排放）")]


def test_firm_wide_problems_are_reported_once_for_the_firm(make_enterprise, make_line):
    enterprise = make_enterprise(name="保障无原因企业", category="GUARANTEED", grade=None, industry_code="thermal_power")
    cap = {"action": "heat_led", "cap_pct": 80.0}
    make_line(enterprise, name="1#机组", measures={level: cap for level in ("yellow", "orange", "red")})
    make_line(enterprise, name="2#机组", measures={level: cap for level in ("yellow", "orange", "red")})
    assert findings() == [(ERROR, "missing_reason", "保障无原因企业", "",
                           "未填写保障类别（保障民生、保障城市正常运转或国家战略性产业）")]


def test_grade_not_in_the_scheme_and_guarantee_below_b_are_errors(make_enterprise, make_line):
    make_line(make_enterprise(name="错等级企业", grade="LEADING"), measures=FULL)
    make_line(make_enterprise(name="保障C级企业", category="GUARANTEED", grade="C"), measures=FULL)
    result = findings()
    assert [(s, c, e) for s, c, e, _, _ in result] == [
        (ERROR, "classification", "保障C级企业"), (ERROR, "classification", "错等级企业")]
    assert "保障类企业须达到B级及以上或引领性" in result[0][4]
    assert "不允许“引领性”" in result[1][4]


def test_line_without_emissions_is_a_warning(make_enterprise, make_line):
    make_line(make_enterprise(name="零排放企业"), measures=FULL, so2_t_yr=0.0, nox_t_yr=0.0, pm_t_yr=0.0)
    assert findings() == [(WARNING, "no_emissions", "零排放企业", "1#生产线", "四项污染物年排放量均为0，无法核算减排量")]


def test_county_scope_sees_only_its_county(make_enterprise, county):
    make_enterprise(name="城区空企业", county_name="城区")
    make_enterprise(name="泽州空企业", county_name="泽州县")
    assert [f[2] for f in findings(county("泽州县").id)] == ["泽州空企业"]
    assert [f[2] for f in findings()] == ["城区空企业", "泽州空企业"]


def test_check_list_command_prints_findings_and_exits_1_on_errors(runner, make_enterprise, make_line):
    make_enterprise(name="空企业", county_name="泽州县")
    make_line(make_enterprise(name="零排放企业"), measures=FULL, so2_t_yr=0.0, nox_t_yr=0.0, pm_t_yr=0.0)
    result = runner.invoke(args=["check-list"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "[警告] 城区 / 零排放企业 / 1#生产线：四项污染物年排放量均为0，无法核算减排量",
        "[错误] 泽州县 / 空企业：未登记生产线，无法列入减排清单",
        "共发现错误 1 项，警告 1 项。",
    ]
    only_warnings = runner.invoke(args=["check-list", "--county", "城区"])
    assert only_warnings.exit_code == 0
    assert only_warnings.output.splitlines()[-1] == "共发现错误 0 项，警告 1 项。"


def test_check_list_command_rejects_unknown_county(runner):
    result = runner.invoke(args=["check-list", "--county", "火星县"])
    assert result.exit_code == 2
    assert "未找到县（市、区）：火星县" in result.output


def test_findings_come_in_list_order_enterprise_first_then_its_lines_by_id(make_enterprise, make_line):
    second = make_enterprise(name="B企业", credit_code="91140502MA00000010")
    make_line(second, name="2#线", measures={})
    make_line(second, name="1#线", measures=FULL, so2_t_yr=0.0, nox_t_yr=0.0, pm_t_yr=0.0)
    make_line(second, name="3#线", measures=FULL)                # the same measures, with emissions: clean
    make_enterprise(name="A企业")
    result = findings()
    assert [(s, c, e, line) for s, c, e, line, _ in result] == [
        (ERROR, "no_lines", "A企业", ""),
        (ERROR, "credit_code", "B企业", ""),
        (ERROR, "missing_measure", "B企业", "2#线"),
        (WARNING, "no_emissions", "B企业", "1#线"),
    ]
    assert result[2][4] == "未填写黄色、橙色、红色预警减排措施"


def test_lines_with_the_same_measures_are_judged_by_their_own_enterprise(make_enterprise, make_line):
    weak = {"yellow": ("limit", 20.0, None, "no_g4"), "orange": ("stop", None, None, "no_g4"),
            "red": ("stop", None, None, "no_g4")}
    make_line(make_enterprise(name="A级企业", grade="A"), measures=weak)
    make_line(make_enterprise(name="C级企业", grade="C"), measures=weak)
    make_line(make_enterprise(name="焦化C级企业", industry_code="coking", grade="C"), measures=weak)
    result = findings()
    # A firms reduce voluntarily (the entered measures become their shown commitment: a warning, not an
    # error); a single C line limited 20% does not stop half the firm's lines at yellow.
    assert [(s, c, e) for s, c, e, _, _ in result] == [(WARNING, "imposed", "A级企业"),
                                                       (ERROR, "line_share", "C级企业"),
                                                       (ERROR, "line_share", "焦化C级企业")]
    assert result[1][4] == "黄色预警：按生产线停产不足：本企业“熟料烧成”的生产线应停产50%（以生产线计），现停产0%"
