"""Building list rows from the registry: rules applied with floors, reductions, order, scope and query count."""
import pytest
from sqlalchemy import event

from emergency.lists.inputs import read_settings
from emergency.lists.listing import (
    count_without_lines,
    enterprise_ids,
    find_county,
    iter_enterprises,
    iter_list_rows,
)
from models import County, Setting, db


def test_rows_carry_effective_measure_and_reductions(make_enterprise, make_line):
    enterprise = make_enterprise(name="晋城水泥有限公司", grade="B")
    make_line(enterprise, so2_t_yr=30.0, nox_t_yr=60.0, pm_t_yr=15.0, vocs_t_yr=3.0, operating_days=300)
    red = list(iter_list_rows("red"))
    assert len(red) == 1
    row = red[0]
    assert (row.county_name, row.enterprise_name, row.line_name, row.industry, row.grade_label) == \
        ("城区", "晋城水泥有限公司", "1#生产线", "水泥（熟料）", "B")
    assert (row.measure.action, row.measure.status, row.measure.full_label) == (
        "stop", "ok", "停产；禁止国四及以下重型载货车辆（含燃气）运输")
    assert row.reductions == pytest.approx({"so2": 0.1, "nox": 0.2, "pm": 0.05, "vocs": 0.01})
    orange = next(iter_list_rows("orange"))
    assert orange.measure.label == "限产20%"
    assert orange.reductions == pytest.approx({"so2": 0.02, "nox": 0.04, "pm": 0.01, "vocs": 0.002})
    yellow = next(iter_list_rows("yellow"))
    assert (yellow.measure.action, yellow.measure.measure.transport, yellow.reductions["so2"]) == (
        "none", "no_g4", 0.0)


def test_floor_from_reference_data_flags_weaker_measure(make_enterprise, make_line):
    # Clinker B at orange: the floor is 限产20% with the truck ban; an entered 限产10% is weaker.
    enterprise = make_enterprise(grade="B")
    make_line(enterprise, measures={"orange": ("limit", 10.0, None, "no_g4")}, so2_t_yr=30.0)
    row = next(iter_list_rows("orange"))
    assert (row.measure.status, row.measure.floor_label, row.measure.label) == (
        "error", "限产20%；禁止国四及以下重型载货车辆（含燃气）运输", "限产10%")
    assert [p.code for p in row.measure.errors] == ["below_floor"]
    # A line in error is not issued: it counts no reduction until it is fixed.
    assert (row.measure.cut, row.reductions["so2"]) == (pytest.approx(0.1), 0.0)
    missing = next(iter_list_rows("red"))
    assert (missing.measure.status, [p.code for p in missing.measure.errors], missing.reductions["so2"]) == (
        "error", ["missing"], 0.0)


def test_clinker_c_at_yellow_is_met_by_stopping_one_of_two_lines(make_enterprise, make_line):
    # The verified guide table: C stops 50% of its lines at yellow (以生产线计), judged per enterprise.
    enterprise = make_enterprise(grade="C")
    make_line(enterprise, name="1#", measures={"yellow": ("stop", None, None, "no_g4")})
    make_line(enterprise, name="2#", measures={"yellow": ("none", None, None, "no_g4")})
    rows = list(iter_list_rows("yellow"))
    assert [(r.line_name, r.measure.label, r.measure.status) for r in rows] == [
        ("1#", "停产", "ok"), ("2#", "不停限产", "ok")]
    # Both running: each running line carries the error.
    make_line(enterprise, name="3#", measures={"yellow": ("none", None, None, "no_g4")})
    rows = list(iter_list_rows("yellow"))
    assert [r.measure.status for r in rows] == ["ok", "error", "error"]
    assert "现停产33.33%" in rows[1].measure.problem


def test_self_managed_grade_ignores_entered_stop(make_enterprise, make_line):
    make_line(make_enterprise(grade="A"), measures={"red": ("stop", None, None)})
    row = next(iter_list_rows("red"))
    assert (row.measure.action, row.measure.rule, row.reductions["so2"]) == ("self", "self_managed_grade", 0.0)


def test_non_compliant_line_that_cannot_stop_takes_the_lowest_grades_measure_at_least(app, make_enterprise,
                                                                                      make_line):
    enterprise = make_enterprise(category="NON_COMPLIANT", grade=None, category_reason="不能稳定达标排放")
    make_line(enterprise, can_stop_quickly=False, so2_t_yr=30.0, measures={})
    row = next(iter_list_rows("red"))
    # Clinker D stops at red; a line that cannot stop keeps hot (80%), stronger than the strictest limit (50%).
    assert (row.measure.action, row.measure.measure.transport, row.measure.cut) == ("hot_standby", "no_road", 0.8)
    assert row.reductions["so2"] == pytest.approx(0.08)
    db.session.add(Setting(key="strictest_limit_pct", value="90"))
    db.session.commit()
    assert read_settings()["strictest_limit_pct"] == 90.0
    strictest = next(iter_list_rows("red")).measure
    assert (strictest.label, strictest.text) == ("限产90%", "不可短时停产，执行最严限产（90%）")


def test_list_order_scope_and_enterprises_without_lines(make_enterprise, make_line, county):
    zezhou_b = make_enterprise(name="B泽州企业", county_name="泽州县")
    zezhou_a = make_enterprise(name="A泽州企业", county_name="泽州县")
    city = make_enterprise(name="Z城区企业", county_name="城区")
    make_enterprise(name="无生产线企业", county_name="泽州县")
    for enterprise in (zezhou_b, zezhou_a, city):
        make_line(enterprise, name="2#")
        make_line(enterprise, name="1#")
    rows = list(iter_list_rows("red"))
    assert [(r.enterprise_name, r.line_name) for r in rows] == [
        ("Z城区企业", "2#"), ("Z城区企业", "1#"), ("A泽州企业", "2#"), ("A泽州企业", "1#"),
        ("B泽州企业", "2#"), ("B泽州企业", "1#")]
    zezhou_id = county("泽州县").id
    assert {r.enterprise_name for r in iter_list_rows("red", zezhou_id)} == {"A泽州企业", "B泽州企业"}
    assert enterprise_ids(zezhou_id) == [zezhou_a.id, zezhou_b.id]
    assert len(enterprise_ids(zezhou_id, with_lines=False)) == 3
    assert (count_without_lines(zezhou_id), count_without_lines(county("城区").id), count_without_lines()) == (1, 0, 1)


def test_enterprises_stream_in_batches_keeping_order(make_enterprise, make_line):
    made = [make_enterprise(name=f"企业{i}") for i in range(5)]
    ids = [e.id for e in reversed(made)]
    assert [e.id for e in iter_enterprises(ids, batch_size=2)] == ids


def test_building_the_list_takes_a_handful_of_queries(app, make_enterprise, make_line):
    for i in range(12):
        enterprise = make_enterprise(name=f"企业{i:02d}", grade=("B", "C", "A")[i % 3])
        make_line(enterprise, name="1#")
        make_line(enterprise, name="2#")
    db.session.expire_all()
    statements = []
    engine = db.engine

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = list(iter_list_rows("orange"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == 24
    # settings, measure types, floors, industries, grades, categories, the season's stagger rules and one
    # streamed list query: none per enterprise.
    assert len(statements) <= 9, statements


def test_find_county_by_id_or_name(county):
    zezhou = county("泽州县")
    assert find_county(str(zezhou.id)) == zezhou
    assert find_county(" 泽州县 ") == zezhou
    assert find_county("不存在县") is None
    assert find_county("999999") is None
    assert find_county("") is None
    assert db.session.query(County).count() == 7


def test_streamed_rows_match_the_per_enterprise_rows_used_by_orders(make_enterprise, make_line):
    """The list query and the ORM path (orders) must agree for every category."""
    from emergency.lists.inputs import RuleInputs
    from emergency.lists.listing import enterprise_rows

    cases = [("GRADED", "B", "cement_clinker"), ("GRADED", "A", "cement_clinker"), ("GRADED", "C", "cement_clinker"),
             ("GUARANTEED", None, "heating"), ("LIVELIHOOD", None, "life_service"), ("GENERAL", None, "other"),
             ("NON_COMPLIANT", None, "coking")]
    made = []
    for i, (category, grade, industry) in enumerate(cases):
        enterprise = make_enterprise(name=f"一致性{i}", category=category, grade=grade, industry_code=industry)
        make_line(enterprise, name="1#", measures={"red": ("limit", 40.0, None), "orange": ("other", None, 0.1)})
        make_line(enterprise, name="2#", can_stop_quickly=False, measures={}, operating_days=366)
        made.append(enterprise)
    db.session.expire_all()
    for level in ("yellow", "orange", "red"):
        streamed = list(iter_list_rows(level))
        per_enterprise = [row for e in made for row in enterprise_rows(e, level, RuleInputs())]
        assert streamed == per_enterprise
    assert {r.grade_label for r in streamed} == {"B", "A", "C", "保障类", "民生", "一般管控", "不纳入绩效分级"}
