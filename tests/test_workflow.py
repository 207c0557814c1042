"""The request state machine, application rules, grade history, batches, downgrades and concurrent decisions."""
import threading
from datetime import date, timedelta

import pytest

from emergency.errors import DomainError
from emergency.grading import workflow
from emergency.grading.history import apply_due_grades, downgrade, is_downgrade
from emergency.grading.inbox import pending_count
from emergency.grading.workflow import TRANSITIONS, ConcurrentDecision, TransitionError
from models import Enterprise, GradeHistory, GradeRequest, RequestEvent, User, db
from models.request import REQUEST_STATES

TODAY = date(2024, 10, 8)
VALUES = {"target": "GRADED:B", "reason": "已完成超低排放改造", "evidence": "验收报告、监测报告"}
# The path from a new draft to each state: (action, party) steps.
PATHS = {
    "draft": [],
    "submitted": [("submit", "ent")],
    "returned": [("submit", "ent"), ("county_return", "county")],
    "county_approved": [("submit", "ent"), ("county_pass", "county")],
    "approved": [("submit", "ent"), ("county_pass", "county"), ("approve", "city")],
    "rejected": [("submit", "ent"), ("county_pass", "county"), ("reject", "city")],
    "withdrawn": [("withdraw", "ent")],
}
ACTOR_PARTY = {"enterprise": "ent", "county": "county", "city": "city"}


def act(req, action, user, today=TODAY):
    """Take one workflow action with whatever each action needs (notes, effective date)."""
    if action == "submit":
        return workflow.submit_request(req, user, today=today)
    if action == "withdraw":
        return workflow.withdraw(req, user)
    if action.startswith("county_"):
        return workflow.county_review(req, user, action, note="请补充监测报告")
    return workflow.city_decide(req, user, action, note="意见", effective_date=today, today=today)


def advance(parties, state, values=VALUES, other=False):
    """A committed request of the 城区 firm (or, with ``other``, the 泽州县 firm) brought to ``state``."""
    suffix = "_other" if other else ""
    req = workflow.save_request(parties["other" if other else "own"], values, [], parties["ent" + suffix])
    for action, party in PATHS[state]:
        act(req, action, parties[party if party == "city" else party + suffix])
    db.session.commit()
    assert req.state == state
    return req


@pytest.mark.parametrize("key", list(TRANSITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_every_legal_transition(parties, key):
    source, action = key
    req = advance(parties, source)
    act(req, action, parties[ACTOR_PARTY[TRANSITIONS[key].actor]])
    db.session.commit()
    db.session.expire_all()
    req = db.session.get(GradeRequest, req.id)
    assert req.state == TRANSITIONS[key].target
    assert req.events[-1].action == action and req.events[-1].from_state == source


@pytest.mark.parametrize("state", REQUEST_STATES)
def test_illegal_transitions_are_refused(parties, state):
    req = advance(parties, state)
    actions = {a for _, a in TRANSITIONS}
    for action in sorted(actions - {a for s, a in TRANSITIONS if s == state}):
        party = ACTOR_PARTY[next(t.actor for t in TRANSITIONS.values() if t.action == action)]
        with pytest.raises(TransitionError, match="状态的申请不能"):
            act(req, action, parties[party])
        db.session.rollback()
        assert db.session.get(GradeRequest, req.id).state == state


@pytest.mark.parametrize("key", list(TRANSITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_wrong_party_is_refused(parties, key):
    source, action = key
    req = advance(parties, source)
    events = len(req.events)
    right = ACTOR_PARTY[TRANSITIONS[key].actor]
    for party in ("ent", "ent_other", "county", "county_other", "city", "admin"):
        if party == right or (right == "city" and party == "admin"):
            continue
        with pytest.raises(TransitionError, match="只有"):
            act(req, action, parties[party])
        db.session.rollback()
    db.session.expire_all()
    req = db.session.get(GradeRequest, req.id)
    assert req.state == source and len(req.events) == events


def test_approval_sets_grade_and_records_history(parties):
    req = advance(parties, "approved")
    enterprise = db.session.get(Enterprise, parties["own"].id)
    assert enterprise.grade_code == "B" and enterprise.category_code == "GRADED"
    entry = db.session.query(GradeHistory).one()
    assert (entry.old_grade_code, entry.new_grade_code, entry.status) == ("C", "B", "applied")
    assert entry.request_id == req.id and entry.decided_by_name == parties["city"].username
    assert entry.reason == VALUES["reason"] and entry.kind == "request"
    assert req.unseen_decision and req.decided_at is not None


def test_rejection_leaves_grade(parties):
    advance(parties, "rejected")
    assert db.session.get(Enterprise, parties["own"].id).grade_code == "C"
    assert db.session.query(GradeHistory).count() == 0


def test_future_effective_date_waits_until_due(parties, runner):
    req = advance(parties, "county_approved")
    later = TODAY + timedelta(days=10)
    workflow.city_decide(req, parties["city"], "approve", effective_date=later, today=TODAY)
    db.session.commit()
    entry = db.session.query(GradeHistory).one()
    assert entry.status == "pending" and parties["own"].grade_code == "C"
    assert apply_due_grades(later - timedelta(days=1)) == 0
    result = runner.invoke(args=["apply-due-grades", "--today", later.isoformat()])
    assert result.exit_code == 0 and "1 项" in result.output
    db.session.expire_all()
    assert db.session.get(Enterprise, parties["own"].id).grade_code == "B"
    assert db.session.get(GradeHistory, entry.id).status == "applied"
    assert apply_due_grades(later) == 0


def test_a_later_decision_supersedes_a_pending_one(parties):
    req = advance(parties, "county_approved")
    workflow.city_decide(req, parties["city"], "approve", effective_date=TODAY + timedelta(days=30), today=TODAY)
    downgrade(parties["own"], "GRADED", "D", reason_code="spot_check", reason="", effective_date=TODAY,
              user=parties["city"], today=TODAY)
    db.session.commit()
    assert apply_due_grades(TODAY + timedelta(days=60)) == 0
    assert parties["own"].grade_code == "D"
    assert sorted(e.status for e in db.session.query(GradeHistory)) == ["applied", "superseded"]


@pytest.mark.parametrize("target, message", [
    ("GRADED:LEADING", "分级方案不允许“引领性”"),
    ("GRADED:C", "现有等级已是“C”"),
    ("GUARANTEED:C", "保障类企业须达到B级及以上"),
    ("NON_COMPLIANT:", "只能申请绩效分级等级或保障类"),
])
def test_applications_the_rules_refuse(parties, target, message):
    with pytest.raises(DomainError, match=message):
        workflow.save_request(parties["own"], {**VALUES, "target": target}, [], parties["ent"])
    db.session.rollback()
    assert db.session.query(GradeRequest).count() == 0


def test_a_second_open_request_is_refused_until_the_first_is_closed(parties):
    first = advance(parties, "submitted")
    with pytest.raises(DomainError, match=f"已有尚未办结的申请（第{first.id}号，已提交）"):
        workflow.save_request(parties["own"], {**VALUES, "target": "GRADED:A"}, [], parties["ent"])
    db.session.rollback()
    workflow.withdraw(db.session.get(GradeRequest, first.id), parties["ent"])
    second = workflow.save_request(parties["own"], {**VALUES, "target": "GRADED:A"}, [], parties["ent"])
    assert second.state == "draft"


def test_violation_blocks_high_grades_and_guarantee(parties, make_enterprise, make_user):
    firm = make_enterprise(name="违法企业", grade="D", violation_prev_year=True)
    user = make_user("enterprise", enterprise=firm)
    for target in ("GRADED:A", "GRADED:B", "GRADED:B-", "GUARANTEED:B"):
        with pytest.raises(DomainError, match="上一年度存在违法违规行为.*不得申请A、B、B-、引领性、保障类"):
            workflow.save_request(firm, {**VALUES, "target": target}, [], user)
        db.session.rollback()
    assert workflow.save_request(firm, {**VALUES, "target": "GRADED:C"}, [], user).state == "draft"


def test_approval_rechecks_the_violation_flag(parties):
    req = advance(parties, "county_approved")
    parties["own"].violation_prev_year = True
    db.session.commit()
    with pytest.raises(DomainError, match="上一年度存在违法违规行为"):
        workflow.city_decide(req, parties["city"], "approve", effective_date=TODAY, today=TODAY)
    db.session.rollback()
    assert db.session.get(GradeRequest, req.id).state == "county_approved"


def test_withdrawn_request_cannot_be_approved(parties):
    req = advance(parties, "withdrawn")
    with pytest.raises(TransitionError, match="“已撤回”状态的申请不能批准"):
        workflow.city_decide(req, parties["city"], "approve", effective_date=TODAY, today=TODAY)
    db.session.rollback()
    assert db.session.get(Enterprise, parties["own"].id).grade_code == "C"


def test_notes_are_required_to_return_and_to_reject(parties):
    req = advance(parties, "submitted")
    with pytest.raises(DomainError, match="退回修改时须填写意见"):
        workflow.county_review(req, parties["county"], "county_return", note="  ")
    workflow.county_review(req, parties["county"], "county_pass")
    with pytest.raises(DomainError, match="驳回时须填写理由"):
        workflow.city_decide(req, parties["city"], "reject", note="")
    assert req.state == "county_approved"


@pytest.mark.parametrize("day, deadline, name", [
    (date(2024, 1, 3), date(2024, 9, 15), "第一批"),
    (date(2024, 9, 15), date(2024, 9, 15), "第一批"),
    (date(2024, 9, 16), date(2024, 12, 15), "第二批"),
    (date(2024, 12, 16), date(2025, 9, 15), "第一批"),
])
def test_batch_cutoffs_are_data(day, deadline, name):
    assert workflow.batch_for(day) == (deadline, name)


def test_submission_records_the_batch(parties):
    req = advance(parties, "submitted")
    assert req.batch_label == "2024年第二批（12月15日截止）"
    assert (req.from_category_code, req.from_grade_code) == ("GRADED", "C")


def test_stale_version_from_an_old_page_is_refused(parties):
    req = advance(parties, "submitted")
    shown = req.version
    workflow.county_review(req, parties["county"], "county_pass", expected_version=shown)
    db.session.commit()
    with pytest.raises(TransitionError):
        workflow.city_decide(req, parties["city"], "approve", effective_date=TODAY, expected_version=shown)


def test_two_concurrent_decisions_only_one_wins(app, parties):
    """Two clerks load the same request, then both decide at once: the conditional UPDATE lets one win."""
    req_id = advance(parties, "county_approved").id
    city_ids = [parties["city"].id, parties["admin"].id]
    loaded, outcomes = threading.Barrier(2), []

    def clerk(user_id, decision):
        with app.app_context():
            req, user = db.session.get(GradeRequest, req_id), db.session.get(User, user_id)
            assert req.state == "county_approved"
            loaded.wait(timeout=10)
            try:
                workflow.city_decide(req, user, decision, note="并发", effective_date=TODAY, today=TODAY)
                db.session.commit()
                outcomes.append(decision)
            except ConcurrentDecision:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=clerk, args=(uid, d)) for uid, d in zip(city_ids, ("approve", "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) in (["approve", "refused"], ["refused", "reject"])
    db.session.expire_all()
    req = db.session.get(GradeRequest, req_id)
    winner = next(o for o in outcomes if o != "refused")
    assert req.state == {"approve": "approved", "reject": "rejected"}[winner]
    assert db.session.query(RequestEvent).filter_by(request_id=req_id, action=winner).count() == 1
    assert db.session.query(GradeHistory).count() == (1 if winner == "approve" else 0)


def test_conditional_update_refuses_a_decision_on_a_stale_row(parties):
    """The version is checked by the UPDATE itself, not only in Python."""
    req = advance(parties, "county_approved")
    # Another clerk's decision lands in the database after this session read the row.
    db.session.execute(GradeRequest.__table__.update().where(GradeRequest.id == req.id)
                       .values(state="rejected", version=req.version + 1))
    with pytest.raises(ConcurrentDecision):
        workflow.city_decide(req, parties["city"], "approve", effective_date=TODAY, today=TODAY)
    db.session.rollback()
    assert db.session.get(GradeRequest, req.id).state == "county_approved"   # the raw update rolled back too


@pytest.mark.parametrize("old, new, expected", [
    (("GRADED", "B"), ("GRADED", "C"), True),
    (("GRADED", "C"), ("GRADED", "B"), False),
    (("GUARANTEED", "B"), ("GRADED", "B"), True),
    (("GRADED", "B"), ("GUARANTEED", "B"), False),
    (("GRADED", "LEADING"), ("GRADED", "NON_LEADING"), True),
    (("GRADED", "D"), ("NON_COMPLIANT", None), True),
    (("NON_COMPLIANT", None), ("GRADED", "D"), False),
    (("GENERAL", None), ("GENERAL", None), False),
])
def test_is_downgrade(old, new, expected):
    rank = {"A": 1, "B": 2, "B-": 3, "C": 4, "D": 5, "LEADING": 6, "NON_LEADING": 7}
    assert is_downgrade(old, new, rank) is expected


def test_downgrade_records_reason_and_refuses_upgrades(parties):
    with pytest.raises(DomainError, match="不能高于或等同于现有等级"):
        downgrade(parties["own"], "GRADED", "B", reason_code="falsified", reason="", effective_date=TODAY,
                  user=parties["city"], today=TODAY)
    with pytest.raises(DomainError, match="须填写具体说明"):
        downgrade(parties["own"], "GRADED", "D", reason_code="other", reason=" ", effective_date=TODAY,
                  user=parties["city"], today=TODAY)
    assert db.session.query(GradeHistory).count() == 0
    entry = downgrade(parties["own"], "GRADED", "D", reason_code="not_implemented", reason="橙色预警期间未停产",
                      effective_date=TODAY, user=parties["city"], today=TODAY)
    db.session.commit()
    assert parties["own"].grade_code == "D" and entry.kind == "downgrade"
    assert entry.why == "未落实应急减排措施：橙色预警期间未停产"


def test_inbox_counts(parties):
    submitted = advance(parties, "submitted")
    advance(parties, "county_approved", other=True)
    counts = {p: pending_count(parties[p]) for p in ("ent", "ent_other", "county", "county_other", "city", "admin")}
    assert counts == {"ent": 0, "ent_other": 0, "county": 1, "county_other": 0, "city": 1, "admin": 1}
    act(submitted, "county_return", parties["county"])
    db.session.commit()
    assert pending_count(parties["ent"]) == 1 and pending_count(parties["county"]) == 0
    act(submitted, "submit", parties["ent"])
    act(submitted, "county_pass", parties["county"])
    act(submitted, "approve", parties["city"])
    db.session.commit()
    assert pending_count(parties["ent"]) == 1          # the decision, until the enterprise opens it
    workflow.mark_seen(submitted, parties["ent"])
    db.session.commit()
    assert pending_count(parties["ent"]) == 0 and pending_count(parties["city"]) == 1
