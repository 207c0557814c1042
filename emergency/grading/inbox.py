"""Pending-work counts for the navigation bar: grade-change requests awaiting this user's action.

- county staff: 已提交 requests of enterprises in their county (the county review);
- city staff and admins: 县级通过 requests (the final decision);
- enterprise users: their 退回修改 requests (awaiting resubmission) plus final decisions (已批准 / 已驳回)
  they have not opened yet (``GradeRequest.unseen_decision``, cleared when they view the request).
"""
from flask import current_app
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from models import Enterprise, GradeRequest, db


def pending_query(user):
    """The select of requests awaiting ``user``, or None for a user with no inbox."""
    stmt = select(GradeRequest.id)
    if user.role == "county":
        return (stmt.join(Enterprise, GradeRequest.enterprise_id == Enterprise.id)
                .where(GradeRequest.state == "submitted", Enterprise.county_id == user.county_id))
    if user.role in ("admin", "city"):
        return stmt.where(GradeRequest.state == "county_approved")
    if user.role == "enterprise" and user.enterprise_id:
        return stmt.where(GradeRequest.enterprise_id == user.enterprise_id,
                          or_(GradeRequest.state == "returned", GradeRequest.unseen_decision.is_(True)))
    return None


def pending_count(user) -> int:
    """Return how many grade-change requests await ``user``'s action (0 for anonymous users)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    stmt = pending_query(user)
    if stmt is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def nav_count():
    """The current user's count for the navigation bar; never breaks a page (e.g. the error page itself)."""
    try:
        return pending_count(current_user)
    except SQLAlchemyError:
        current_app.logger.exception("inbox count failed")
        return 0
