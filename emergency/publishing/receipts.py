"""Receipts (签收) of dispatched workbooks: a county's first download, and the counties still to chase."""
from dataclasses import dataclass

from sqlalchemy import select

from emergency.publishing.notice_settings import notice_settings
from models import User, db
from models.base import utcnow

NOT_DOWNLOADED = "请先下载并核对文件，再签收。"


def record_download(dispatch, user):
    """Note the county's first download of its own dispatch (city staff downloading do not count); flush."""
    if user.role == "county" and dispatch.county_id == user.county_id and dispatch.downloaded_at is None:
        dispatch.downloaded_at, dispatch.downloaded_by = utcnow(), user.signature
        db.session.flush()


@dataclass(frozen=True)
class Chase:
    """A county that has not signed for a dispatch, and whom to call."""

    dispatch: object
    contact: str          # the county's contact as printed on notices
    people: list          # the county's active users: (name, unit, phone)


def unsigned(statuses):
    """[(step status, [Chase, ...])] of every step with dispatches not signed for, newest step first."""
    pending = [(status, [d for d in status.dispatches if d.received_at is None]) for status in statuses]
    pending = [(status, dispatches) for status, dispatches in reversed(pending) if dispatches]
    if not pending:
        return []
    settings = notice_settings()
    county_ids = {d.county_id for _, dispatches in pending for d in dispatches}
    people = {}
    for user in db.session.scalars(select(User).where(User.role == "county", User.active.is_(True),
                                                      User.county_id.in_(county_ids)).order_by(User.username)):
        people.setdefault(user.county_id, []).append((user.display_name, user.unit, user.phone))
    return [(status, [Chase(d, settings.contact_for(d.county), people.get(d.county_id, [])) for d in dispatches])
            for status, dispatches in pending]
