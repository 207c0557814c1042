"""On-site inspections (现场检查) and the downgrade each 未落实 finding proposes to the city.

County staff (or city staff) record a visit to a firm of an alert: when, who, the finding, a note and photos
(checked and stored by the request attachments' rules, ``grading.attachments``). A 未落实 finding opens a proposal;
the city approves it through the bureau's own downgrade (``grading.history.downgrade``: grade history and audit,
ground 未落实应急减排措施) or declines it.
"""
import hashlib
import secrets

from sqlalchemy import select

from emergency.audit import trail as audit
from emergency.clock import to_local
from emergency.errors import DomainError, NotFound
from emergency.grading import attachments
from emergency.grading.history import downgrade
from emergency.text import fold
from models import Inspection, InspectionPhoto, db
from models.base import utcnow
from models.power import FINDINGS

INSPECTORS_MAX, NOTE_MAX = 200, 2000
NOT_IMPLEMENTED = "not_implemented"


def check_inspection(values, alert, enterprise):
    """{field: Chinese message} for a visit's values (visited_at naive UTC)."""
    errors = {}
    if values.get("visited_at") is None:
        errors["visited_at"] = "请填写检查时间"
    elif values["visited_at"] < alert.started_at:
        errors["visited_at"] = f"检查时间不能早于预警启动时间（{to_local(alert.started_at):%Y-%m-%d %H:%M}）"
    elif values["visited_at"] > utcnow():
        errors["visited_at"] = "检查时间不能晚于现在"
    if not fold(values.get("inspectors") or ""):
        errors["inspectors"] = "请填写检查人员"
    if values.get("finding") not in FINDINGS:
        errors["finding"] = "请选择检查结论"
    if enterprise.county_id not in {c.id for c in alert.counties}:
        errors["enterprise"] = "该企业所在县（市、区）不在本次预警范围内"
    return errors


def record_inspection(enterprise, alert, values, uploads, user):
    """Record a visit with its photos; a 未落实 finding opens a downgrade proposal. Flush; return the Inspection."""
    errors = check_inspection(values, alert, enterprise)
    if errors:
        raise DomainError(errors)
    inspection = Inspection(
        enterprise=enterprise, alert=alert, visited_at=values["visited_at"],
        inspectors=fold(values["inspectors"])[:INSPECTORS_MAX], finding=values["finding"],
        note=(values.get("note") or "").strip()[:NOTE_MAX], created_by_id=getattr(user, "id", None),
        created_by=user.username, proposal="open" if values["finding"] == NOT_IMPLEMENTED else None)
    db.session.add(inspection)
    photos = [InspectionPhoto(inspection=inspection, stored_name=secrets.token_hex(16) + upload.extension,
                              display_name=upload.display_name, content_type=upload.content_type,
                              size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest())
              for upload in uploads]
    db.session.add_all(photos)
    db.session.flush()
    attachments.write_files(photos, uploads)
    return inspection


def visible_inspection(inspection_id, user):
    """The inspection if ``user`` (staff) may see it: city staff any, county staff their county's; else NotFound."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or not (user.is_citywide or (user.role == "county"
                                                       and inspection.enterprise.county_id == user.county_id)):
        raise NotFound(f"inspection {inspection_id}")
    return inspection


def inspection_photo(inspection, photo_id):
    photo = next((p for p in inspection.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound(f"photo {photo_id}")
    return photo


def inspections_of(enterprise_id, alert_id=None):
    """The firm's inspections, newest first (of one alert when ``alert_id`` is given)."""
    query = select(Inspection).where(Inspection.enterprise_id == enterprise_id)
    if alert_id is not None:
        query = query.where(Inspection.alert_id == alert_id)
    return db.session.scalars(query.order_by(Inspection.visited_at.desc(), Inspection.id.desc())).all()


def open_proposals():
    """Inspections whose downgrade proposal waits for the city, oldest first."""
    return db.session.scalars(select(Inspection).where(Inspection.proposal == "open")
                              .order_by(Inspection.created_at, Inspection.id)).all()


def proposal_reason(inspection):
    text = f"{to_local(inspection.visited_at):%Y-%m-%d}现场检查（{inspection.inspectors}）发现未落实应急减排措施"
    return f"{text}：{inspection.note}" if inspection.note else text


def _open(inspection):
    if inspection.proposal != "open":
        raise DomainError({"decision": "该降级建议已处理"})


def approve_proposal(inspection, category_code, grade_code, effective_date, user, reason=""):
    """Downgrade the firm through the city's downgrade path; flush; return the grade history row."""
    _open(inspection)
    entry = downgrade(inspection.enterprise, category_code, grade_code, reason_code=NOT_IMPLEMENTED,
                      reason=reason or proposal_reason(inspection), effective_date=effective_date, user=user)
    inspection.proposal, inspection.history = "approved", entry
    inspection.decided_at, inspection.decided_by = utcnow(), user.username
    db.session.flush()
    return entry


def reject_proposal(inspection, user):
    """Decline the proposal (the finding stays on record); flush."""
    _open(inspection)
    inspection.proposal, inspection.decided_at, inspection.decided_by = "rejected", utcnow(), user.username
    db.session.flush()
    return inspection


def _summary(inspection):
    proposal = f"，降级建议{inspection.proposal_label}" if inspection.proposal else ""
    return f"现场检查：{inspection.finding_label}{proposal}"


audit.register(Inspection, "inspection", "现场检查", lambda o, c: o.enterprise_id, _summary)
