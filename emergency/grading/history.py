"""Changes of an enterprise's (category, grade): target checks, the grade history and dated application.

A decision whose effective date has come is applied at once; a future one waits as a ``pending`` history
row until ``apply_due_grades`` runs (from the ``apply-due-grades`` command and, lazily, before each web
request), so the next list built on or after the effective date uses the new grade.
"""
from sqlalchemy import exists, select

from emergency.audit import trail as audit
from emergency.clock import local_today
from emergency.errors import DomainError
from emergency.registry.grades import check_classification
from models import Category, Grade, GradeHistory, db
from models.base import utcnow
from models.request import DOWNGRADE_REASONS, HISTORY_KIND_LABELS, classification_label

# How lenient a category is during alerts, so "downgrade" can compare across categories: 民生 is not
# stopped, 保障类 keeps its guaranteed task, graded and general firms take measures, 不纳入 stops.
CATEGORY_LENIENCY = {"LIVELIHOOD": 3, "GUARANTEED": 2, "GRADED": 1, "GENERAL": 1, "NON_COMPLIANT": 0}


def target_value(category_code, grade_code):
    """The form value of a target, e.g. "GRADED:B" or "GUARANTEED:"."""
    return f"{category_code}:{grade_code or ''}"


def parse_target(value):
    """(category code, grade code or None) from a form value; (None, None) when malformed."""
    category_code, sep, grade_code = (value or "").partition(":")
    if not sep or not category_code:
        return None, None
    return category_code, grade_code or None


def target_choices(enterprise, category_codes=None, downgrades_only=False, blank="请选择"):
    """(value, label) of the classifications the enterprise's industry allows, other than its current one."""
    grades = db.session.query(Grade).order_by(Grade.sort_order).all()
    rank = {g.code: g.sort_order for g in grades}
    current = (enterprise.category_code, enterprise.grade_code)
    choices = [("", blank)]
    for category in db.session.query(Category).order_by(Category.sort_order):
        if category_codes is not None and category.code not in category_codes:
            continue
        for grade in [None, *grades]:
            pair = (category.code, grade.code if grade else None)
            if pair == current or check_classification(enterprise.industry, category, grade):
                continue
            if not downgrades_only or is_downgrade(current, pair, rank):
                choices.append((target_value(*pair), classification_label(category, grade)))
    return choices


def load_target(category_code, grade_code):
    """(Category, Grade or None) for codes, or raise DomainError when either is unknown."""
    category = db.session.get(Category, category_code or "")
    grade = db.session.get(Grade, grade_code) if grade_code else None
    if category is None or (grade_code and grade is None):
        raise DomainError({"target": "请选择等级"})
    return category, grade


def check_target(enterprise, category, grade):
    """Return {"target": message} when the industry's scheme forbids it or the enterprise already has it."""
    problems = check_classification(enterprise.industry, category, grade)
    if problems:
        return {"target": "；".join(problems.values())}
    if (category.code, grade.code if grade else None) == (enterprise.category_code, enterprise.grade_code):
        return {"target": f"企业现有等级已是“{enterprise.grade_label}”，无需调整"}
    return {}


def standing(category_code, grade_code, grade_rank):
    """A sortable key: higher means treated more leniently (category first, then grade order)."""
    rank = grade_rank.get(grade_code, 0) if grade_code else 0
    return CATEGORY_LENIENCY.get(category_code, 1), -rank


def is_downgrade(old, new, grade_rank):
    """True when ``new`` (category code, grade code) is treated more strictly than ``old``."""
    return standing(*new, grade_rank) < standing(*old, grade_rank)


def _grade_rank():
    return {g.code: g.sort_order for g in db.session.query(Grade)}


def change_classification(enterprise, category, grade, *, kind, effective_date, user, reason="",
                          reason_code=None, request=None, today=None):
    """Record a change in the grade history and apply it now when its date has come; flush."""
    today = today or local_today()
    # A newer decision replaces any change still waiting for its date.
    for entry in db.session.scalars(select(GradeHistory).where(
            GradeHistory.enterprise_id == enterprise.id, GradeHistory.status == "pending")):
        entry.status = "superseded"
    entry = GradeHistory(
        enterprise=enterprise, kind=kind, old_category_code=enterprise.category_code,
        old_grade_code=enterprise.grade_code, new_category_code=category.code,
        new_grade_code=grade.code if grade else None, reason=(reason or "").strip(), reason_code=reason_code,
        request=request, effective_date=effective_date, status="pending",
        decided_by_id=getattr(user, "id", None),
        decided_by_name=getattr(user, "signature", None) or getattr(user, "username", "system"),
    )
    db.session.add(entry)
    if effective_date <= today:
        _apply(entry)
    db.session.flush()
    return entry


def _apply(entry):
    """Set the enterprise's classification from a history row, recording what it replaced."""
    enterprise = entry.enterprise
    entry.old_category_code, entry.old_grade_code = enterprise.category_code, enterprise.grade_code
    enterprise.category = db.session.get(Category, entry.new_category_code)
    enterprise.grade = db.session.get(Grade, entry.new_grade_code) if entry.new_grade_code else None
    entry.status, entry.applied_at = "applied", utcnow()


def _due(today):
    return (GradeHistory.status == "pending", GradeHistory.effective_date <= today)


def apply_due_grades(today=None):
    """Apply every pending change whose effective date has come; flush; return how many were applied."""
    today = today or local_today()
    if not db.session.scalar(select(exists().where(*_due(today)))):
        return 0
    entries = db.session.scalars(select(GradeHistory).where(*_due(today))
                                 .order_by(GradeHistory.effective_date, GradeHistory.id)).all()
    for entry in entries:
        _apply(entry)
    db.session.flush()
    return len(entries)


def check_downgrade(enterprise, category, grade, reason_code, reason):
    """Return {field: message} for a city downgrade of ``enterprise`` to (category, grade)."""
    errors = check_target(enterprise, category, grade)
    if not errors:
        old = (enterprise.category_code, enterprise.grade_code)
        if not is_downgrade(old, (category.code, grade.code if grade else None), _grade_rank()):
            errors["target"] = f"降级后的等级不能高于或等同于现有等级“{enterprise.grade_label}”"
    if reason_code not in DOWNGRADE_REASONS:
        errors["reason_code"] = "请选择降级原因"
    elif reason_code == "other" and not (reason or "").strip():
        errors["reason"] = "原因为“其他”时须填写具体说明"
    return errors


def downgrade(enterprise, category_code, grade_code, *, reason_code, reason, effective_date, user, today=None):
    """Downgrade an enterprise on the bureau's own authority (no request); flush; return the history row."""
    category, grade = load_target(category_code, grade_code)
    errors = check_downgrade(enterprise, category, grade, reason_code, reason)
    if errors:
        raise DomainError(errors)
    return change_classification(enterprise, category, grade, kind="downgrade", effective_date=effective_date,
                                 user=user, reason=reason, reason_code=reason_code, today=today)


def _history_summary(entry):
    old = entry.old_grade_code or entry.old_category_code or "—"
    new = entry.new_grade_code or entry.new_category_code
    return f"{HISTORY_KIND_LABELS.get(entry.kind, entry.kind)}：{old} → {new}（{entry.effective_date}）"


audit.register(GradeHistory, "grade", "等级变更", lambda o, c: o.enterprise_id, _history_summary)
