"""The grade-change request workflow: a transition table and named operations that flush, never commit.

草稿 → 已提交 → (county) 退回修改 | 县级通过 → (city) 已批准 | 已驳回; the enterprise may withdraw (已撤回) any
request not yet finally decided and resubmit a returned one. Nothing else is a legal move. Each move bumps
the request's version, and its UPDATE is conditional on the version read, so of two clerks deciding the same
request at once only the first wins; the second gets ``ConcurrentDecision``.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from emergency.audit import trail as audit
from emergency.clock import local_today
from emergency.errors import DomainError
from emergency.grading import attachments
from emergency.grading.history import change_classification, check_target, load_target, parse_target, target_choices
from models import BatchCutoff, Category, Grade, GradeRequest, RequestEvent, db
from models.base import utcnow
from models.request import EVENT_LABELS, OPEN_STATES, STATE_LABELS

# Categories an enterprise may apply for; the others are set by the bureau.
REQUESTABLE_CATEGORIES = ("GRADED", "GUARANTEED")
EDITABLE_STATES = ("draft", "returned")
ENTERPRISE, COUNTY, CITY = "enterprise", "county", "city"
ACTOR_LABELS = {ENTERPRISE: "企业", COUNTY: "县级工作人员", CITY: "市局工作人员"}


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    actor: str
    label: str


TRANSITIONS = {(t.source, t.action): t for t in (
    Transition("draft", "submit", "submitted", ENTERPRISE, "提交"),
    Transition("returned", "submit", "submitted", ENTERPRISE, "重新提交"),
    Transition("draft", "withdraw", "withdrawn", ENTERPRISE, "撤回"),
    Transition("submitted", "withdraw", "withdrawn", ENTERPRISE, "撤回"),
    Transition("returned", "withdraw", "withdrawn", ENTERPRISE, "撤回"),
    Transition("county_approved", "withdraw", "withdrawn", ENTERPRISE, "撤回"),
    Transition("submitted", "county_pass", "county_approved", COUNTY, "县级审核通过"),
    Transition("submitted", "county_return", "returned", COUNTY, "退回修改"),
    Transition("county_approved", "approve", "approved", CITY, "批准"),
    Transition("county_approved", "reject", "rejected", CITY, "驳回"),
)}


class TransitionError(DomainError):
    """A move the table does not allow from the request's state, or for this user."""

    def __init__(self, message):
        super().__init__({"state": message})
        self.message = message


class ConcurrentDecision(TransitionError):
    """Someone else changed the request between reading and writing it."""

    def __init__(self):
        super().__init__("该申请已被他人处理，请刷新页面查看最新状态")


def actor_of(user, req):
    """Which party ``user`` is for ``req`` (enterprise, county, city) or None."""
    if user.role == "enterprise" and user.enterprise_id == req.enterprise_id:
        return ENTERPRISE
    if user.role == "county" and user.county_id == req.enterprise.county_id:
        return COUNTY
    if user.is_citywide:
        return CITY
    return None


def allowed_actions(req, user):
    """The actions ``user`` may take on ``req`` now, e.g. ["county_pass", "county_return"]."""
    actor = actor_of(user, req)
    return [t.action for (source, _), t in TRANSITIONS.items() if source == req.state and t.actor == actor]


def can_edit(req, user):
    return req.state in EDITABLE_STATES and actor_of(user, req) == ENTERPRISE


def _flush():
    try:
        db.session.flush()
    except StaleDataError:
        raise ConcurrentDecision() from None


def check_move(req, action, user, expected_version=None):
    """Return the table row for ``action`` on ``req`` by ``user``, or raise TransitionError."""
    step = TRANSITIONS.get((req.state, action))
    if step is None:
        raise TransitionError(f"“{req.state_label}”状态的申请不能{EVENT_LABELS.get(action, action)}")
    if actor_of(user, req) != step.actor:
        raise TransitionError(f"只有{ACTOR_LABELS[step.actor]}可以{step.label}")
    # The form carries the version it was shown: a decision on a page that is out of date is refused.
    if expected_version is not None and expected_version != req.version:
        raise ConcurrentDecision()
    return step


def _move(req, action, user, note="", expected_version=None):
    """Apply one row of the table to ``req`` and record the step; flush."""
    step = check_move(req, action, user, expected_version)
    db.session.add(RequestEvent(request=req, user_id=user.id, username=user.signature, action=action,
                                from_state=req.state, to_state=step.target, note=(note or "").strip()))
    req.state = step.target
    _flush()
    return req


def batch_for(day):
    """(deadline, name) of the batch an application made on ``day`` belongs to, or (None, "") without cut-offs."""
    cutoffs = db.session.scalars(select(BatchCutoff).order_by(BatchCutoff.month, BatchCutoff.day)).all()
    for cutoff in cutoffs:
        deadline = date(day.year, cutoff.month, cutoff.day)
        if day <= deadline:
            return deadline, cutoff.name
    if cutoffs:
        return date(day.year + 1, cutoffs[0].month, cutoffs[0].day), cutoffs[0].name
    return None, ""


def blocked_labels():
    """The grades and categories barred after a violation, as data says, e.g. "A、B、B-、引领性、保障类"."""
    grades = db.session.scalars(select(Grade.label).where(Grade.blocked_by_violation.is_(True))
                                .order_by(Grade.sort_order)).all()
    categories = db.session.scalars(select(Category.label).where(Category.blocked_by_violation.is_(True))
                                    .order_by(Category.sort_order)).all()
    return "、".join([*grades, *categories])


def _barred(enterprise, category, grade):
    """Whether the enterprise's violation of the previous year bars this target."""
    blocked = category.blocked_by_violation or bool(grade and grade.blocked_by_violation)
    return enterprise.violation_prev_year and blocked


def requestable_choices(enterprise):
    """The targets the enterprise may apply for: its industry's scheme, less those a violation bars."""
    categories = {c.code: c for c in db.session.query(Category)}
    grades = {g.code: g for g in db.session.query(Grade)}
    kept = []
    for value, label in target_choices(enterprise, REQUESTABLE_CATEGORIES):
        category_code, grade_code = parse_target(value)
        if not value or not _barred(enterprise, categories[category_code], grades.get(grade_code)):
            kept.append((value, label))
    return kept


def check_request(enterprise, category, grade, req=None):
    """Return {"target": message} for an application the rules refuse (see the module doc and README)."""
    if category.code not in REQUESTABLE_CATEGORIES:
        return {"target": "企业只能申请绩效分级等级或保障类"}
    errors = check_target(enterprise, category, grade)
    if errors:
        return errors
    if _barred(enterprise, category, grade):
        return {"target": f"企业上一年度存在违法违规行为（未批先建、超标超总量排放、未按期完成治理任务或未安装使用"
                          f"自动监控等），本年度不得申请{blocked_labels()}"}
    stmt = select(GradeRequest).where(GradeRequest.enterprise_id == enterprise.id,
                                      GradeRequest.state.in_(OPEN_STATES))
    if req is not None and req.id is not None:
        stmt = stmt.where(GradeRequest.id != req.id)
    other = db.session.scalars(stmt.limit(1)).first()
    if other is not None:
        return {"target": f"已有尚未办结的申请（第{other.id}号，{other.state_label}），请待其办结或撤回后再申请"}
    return {}


def save_request(enterprise, values, uploads, user, req=None, submit=False, today=None):
    """Create or edit a draft/returned request with its new attachments, optionally submitting it; flush.

    :param values: {"target": "CATEGORY:GRADE", "reason": str, "evidence": str}; ``uploads``: checked files.
    """
    if req is not None and not can_edit(req, user):
        raise TransitionError(f"“{req.state_label}”状态的申请不能修改")
    if user.role != "enterprise" or user.enterprise_id != enterprise.id:
        raise TransitionError("只有本企业用户可以提出申请")
    category, grade = load_target(*parse_target(values.get("target")))
    errors = check_request(enterprise, category, grade, req)
    if errors:
        raise DomainError(errors)
    if req is None:
        req = GradeRequest(enterprise=enterprise, created_by_id=user.id, state="draft")
        db.session.add(req)
        db.session.add(RequestEvent(request=req, user_id=user.id, username=user.signature, action="create",
                                    to_state="draft"))
    req.target_category, req.target_grade = category, grade
    req.reason, req.evidence = values["reason"].strip(), values["evidence"].strip()
    _flush()
    attachments.add_attachments(req, uploads, user)
    if submit:
        submit_request(req, user, today=today)
    return req


def submit_request(req, user, today=None):
    """Submit (or resubmit) a draft or returned request: recheck it, assign its batch; flush."""
    check_move(req, "submit", user)
    enterprise = req.enterprise
    errors = check_request(enterprise, req.target_category, req.target_grade, req)
    if errors:
        raise TransitionError(errors["target"])
    today = today or local_today()
    req.batch_deadline, req.batch_name = batch_for(today)
    req.from_category_code, req.from_grade_code = enterprise.category_code, enterprise.grade_code
    req.submitted_at = utcnow()
    return _move(req, "submit", user)


def withdraw(req, user, expected_version=None):
    """The enterprise withdraws a request not yet finally decided; flush."""
    return _move(req, "withdraw", user, expected_version=expected_version)


def county_review(req, user, decision, note="", expected_version=None):
    """County staff pass a submitted request to the city, or return it for changes (a note is required)."""
    if decision not in ("county_pass", "county_return"):
        raise DomainError({"decision": "请选择审核结论"})
    check_move(req, decision, user, expected_version)
    if decision == "county_return" and not (note or "").strip():
        raise DomainError({"note": "退回修改时须填写意见"})
    return _move(req, decision, user, note, expected_version)


def city_decide(req, user, decision, note="", effective_date=None, expected_version=None, today=None):
    """City staff approve (setting the grade from ``effective_date``) or reject a county-passed request."""
    if decision not in ("approve", "reject"):
        raise DomainError({"decision": "请选择审批结论"})
    check_move(req, decision, user, expected_version)
    if decision == "reject" and not (note or "").strip():
        raise DomainError({"note": "驳回时须填写理由"})
    if decision == "approve":
        if effective_date is None:
            raise DomainError({"effective_date": "请填写生效日期"})
        # The enterprise may have changed since it applied (a downgrade, a new violation flag).
        errors = check_target(req.enterprise, req.target_category, req.target_grade)
        if not errors and req.enterprise.violation_prev_year:
            errors = check_request(req.enterprise, req.target_category, req.target_grade, req)
        if errors:
            raise DomainError(errors)
        req.effective_date = effective_date
    req.decided_at, req.unseen_decision = utcnow(), True
    _move(req, decision, user, note, expected_version)
    if decision == "approve":
        change_classification(req.enterprise, req.target_category, req.target_grade, kind="request",
                              effective_date=effective_date, user=user, reason=req.reason, request=req,
                              today=today)
    return req


def mark_seen(req, user):
    """The enterprise has opened its decided request. Not a record change, so neither versioned nor audited."""
    if req.unseen_decision and actor_of(user, req) == ENTERPRISE:
        db.session.execute(update(GradeRequest).where(GradeRequest.id == req.id)
                           .values(unseen_decision=False).execution_options(synchronize_session=False))


def remove_attachment(req, user, attachment):
    """The enterprise removes a file from a request it may still edit; flush."""
    if not can_edit(req, user):
        raise TransitionError(f"“{req.state_label}”状态的申请不能修改附件")
    attachments.remove_attachment(attachment)


audit.register(GradeRequest, "request", "调级申请", lambda o, c: o.enterprise_id,
               lambda o: f"第{o.id}号申请（{STATE_LABELS.get(o.state, o.state)}）")
