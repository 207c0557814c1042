"""Pending-work counts for the navigation bar: grade-change requests awaiting this user's action.

- county staff: 已提交 requests of enterprises in their county (the county review);
- city staff and admins: 县级通过 requests (the final decision);
- enterprise users: their 退回修改 requests (awaiting resubmission) plus final decisions (已批准 / 已驳回)
  they have not opened yet (``GradeRequest.unseen_decision``, cleared when they view the request).
"""
from sqlalchemy import func, or_, select

from models import Enterprise, GradeRequest, db


def pending_query(user):
    """The select of requests awaiting ``user``, or None for a user with no inbox."""
    stmt = select(GradeRequest.id)
    if user.role == "county":
        return (stmt.join(Enterprise, GradeRequest.enterprise_id == Enterprise.id)
                .where(GradeRequest.state == "submitted", Enterprise.county_id == user.county_id))
    if user.is_citywide:
        return stmt.where(GradeRequest.state == "county_approved")
    if user.role == "enterprise" and user.enterprise_id:
        return stmt.where(GradeRequest.enterprise_id == user.enterprise_id,
                          or_(GradeRequest.state == "returned", GradeRequest.unseen_decision.is_(True)))
    return None


def pending_count_select(user):
    """A scalar subquery counting the requests awaiting ``user``; None for anonymous users and users with no
    inbox. The navigation reads it in the same query as its other figure (``emergency.web.context``)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    stmt = pending_query(user)
    if stmt is None:
        return None
    return select(func.count()).select_from(stmt.subquery()).scalar_subquery()


def pending_count(user) -> int:
    """Return how many grade-change requests await ``user``'s action (0 for anonymous users)."""
    count = pending_count_select(user)
    if count is None:
        return 0
    return db.session.scalar(select(count)) or 0
