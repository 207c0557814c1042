"""The screens judge with rule inputs kept per registry generation (``RuleInputs.shared``): read once per committed
change, renewed by every committed change to what the rules read, and safe across requests and commits."""
import re

import pytest

from emergency.lists.inputs import RuleInputs
from emergency.lists.page import build_list_page
from models import Grade, MeasureFloor, db
from tests.querycount import count_queries

# What reading the rule inputs sends: the floors and the grades (among the policy's other reference reads).
READS_INPUTS = re.compile(r"FROM measure_floor|FROM grade\b", re.S)


def _red_row(name):
    page = build_list_page("red")
    return next(row for _, groups in page.groups for group in groups for row in group.rows
                if row.enterprise_name == name)


@pytest.mark.mutates_reference
def test_the_inputs_are_read_once_per_generation_and_again_after_a_committed_change(make_enterprise, make_line):
    make_line(make_enterprise(name="乙级水泥", grade="B"))
    with count_queries() as cold:
        first = _red_row("乙级水泥")
    with count_queries() as warm:
        again = _red_row("乙级水泥")
    assert any(READS_INPUTS.search(s) for s in cold) and not any(READS_INPUTS.search(s) for s in warm)
    assert first.measure == again.measure and first.measure.action in ("stop", "limit") and first.grade_label == "B"
    kept = RuleInputs.shared()
    assert RuleInputs.shared() is kept

    # Reference data the rules read: B firms now manage themselves, and B is printed under another label.
    grade = db.session.get(Grade, "B")
    grade.self_managed, grade.label = True, "B级（试行）"
    db.session.commit()
    changed = _red_row("乙级水泥")
    assert changed.measure.action == "self" and changed.grade_label == "B级（试行）"
    assert RuleInputs.shared() is not kept


@pytest.mark.mutates_reference
def test_a_floor_edit_changes_the_list_at_once(make_enterprise, make_line):
    enterprise = make_enterprise(name="丙级水泥", grade="C")
    make_line(enterprise)
    before = _red_row("丙级水泥").measure
    floor = db.session.query(MeasureFloor).filter_by(level="red", industry_id=enterprise.industry_id,
                                                      grade_code="C").one()
    assert before.floor is not None and before.floor.action == floor.action == "stop"
    floor.action, floor.limit_pct = "limit", 50.0
    db.session.commit()
    after = _red_row("丙级水泥").measure
    assert (after.floor.action, after.floor.limit_pct) == ("limit", 50.0)


def test_pages_after_unrelated_commits_still_render_from_the_kept_inputs(make_enterprise, make_line, make_user,
                                                                         login):
    """A commit that changes nothing the rules read (a new user) keeps the inputs; the kept copies are plain values,
    not ORM rows that the commit expired and the session's end detached."""
    enterprise = make_enterprise(name="乙级焦化", grade="B")
    make_line(enterprise)
    enterprise_id = enterprise.id
    client = login(make_user("city"))
    first = client.get("/lists/red").get_data(as_text=True)
    kept = RuleInputs.shared()
    make_user("county", county_name="城区")                     # a commit outside what the list is made of
    db.session.remove()          # as at the end of a request: the session that read the inputs is gone
    page = client.get("/lists/red")
    detail = client.get(f"/enterprises/{enterprise_id}")
    assert page.status_code == 200 and detail.status_code == 200
    body = page.get_data(as_text=True)
    assert "乙级焦化" in body and body.count("乙级焦化") == first.count("乙级焦化")
    assert "乙级焦化" in detail.get_data(as_text=True)
    assert RuleInputs.shared() is kept
