"""Who sees which grade-change requests, and the filtered request list."""
from sqlalchemy import select

from emergency.errors import NotFound
from emergency.grading.inbox import pending_query
from emergency.registry.queries import _like_escape
from emergency.text import fold
from models import County, Enterprise, GradeRequest, RequestAttachment, db
from models.request import STATE_LABELS

# "todo" is the user's inbox; the empty value shows every state.
STATE_FILTERS = [("todo", "待我处理"), ("", "全部")] + list(STATE_LABELS.items())


def can_see(user, req):
    """Enterprises see their own requests (drafts included); staff see submitted ones in their scope."""
    if user.role == "enterprise":
        return req.enterprise_id == user.enterprise_id
    if req.submitted_at is None:
        return False
    if user.role == "county":
        return req.enterprise.county_id == user.county_id
    return user.is_citywide


def visible_request(request_id, user):
    """The request if ``user`` may see it; NotFound otherwise."""
    req = db.session.get(GradeRequest, request_id)
    if req is None or not can_see(user, req):
        raise NotFound(f"grade request {request_id}")
    return req


def request_attachment(req, attachment_id):
    """An attachment of ``req``; NotFound for one of another request."""
    attachment = db.session.get(RequestAttachment, attachment_id)
    if attachment is None or attachment.request_id != req.id:
        raise NotFound(f"attachment {attachment_id}")
    return attachment


def scope_requests(stmt, user):
    """Limit a select over GradeRequest (joined to Enterprise) to what ``user`` may see."""
    if user.role == "enterprise":
        return stmt.where(GradeRequest.enterprise_id == user.enterprise_id)
    stmt = stmt.where(GradeRequest.submitted_at.is_not(None))
    if user.role == "county":
        return stmt.where(Enterprise.county_id == user.county_id)
    return stmt if user.is_citywide else stmt.where(db.false())


def request_list(user, state="", county=None, q=""):
    """The select of (GradeRequest) rows for the list page, newest first."""
    stmt = (select(GradeRequest).join(Enterprise, GradeRequest.enterprise_id == Enterprise.id)
            .join(County, Enterprise.county_id == County.id))
    stmt = scope_requests(stmt, user)
    if state == "todo":
        todo = pending_query(user)
        stmt = stmt.where(GradeRequest.id.in_(todo)) if todo is not None else stmt.where(db.false())
    elif state in STATE_LABELS:
        stmt = stmt.where(GradeRequest.state == state)
    if county:
        stmt = stmt.where(Enterprise.county_id == county)
    text = fold(q or "")
    if text:
        stmt = stmt.where(Enterprise.name.like(f"%{_like_escape(text)}%", escape="\\"))
    return stmt.order_by(GradeRequest.id.desc())
