"""Numbered notices (停限产通知单 / 告知书) of an alert step, built from the version the step dispatched.

When a step is dispatched, every firm of each covered county that the step's version lists at the step's level,
and whose lines carry no error, gets a notice number (文号): the prefix in force plus "<alert>-<sequence>号", the
sequence running over the whole alert. The number, the notice's kind and the texts in force (issuing body, legal
basis, consequences, the county's contact) are stored, so a reprint is the same document. A firm with a line in
error gets no number (``Order.withheld``); its batch lists it apart, as 暂不下达（措施复核中）.

Reading a notice rebuilds its table from the version's frozen rows (``frozen.iter_version_rows``), never from
the registry.
"""
import itertools
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import func, insert, select

from emergency.errors import NotFound
from emergency.lists.notes import BEIJING, LIVE_VERSION, beijing_time, issuing_body
from emergency.lists.orders import notice_kind, order_from_rows
from emergency.publishing.frozen import iter_version_rows
from emergency.publishing.notice_settings import notice_settings, number_prefix
from models import LEVEL_LABELS, Dispatch, Notice, NoticeBatch, db

INSERT_BATCH = 1000


@dataclass(frozen=True)
class Official:
    """What makes an order an official document: who issues it, its number, dates, basis and contact.

    A preview (``preview_official``) has no number and no dates: it is no official document.
    """

    number: str
    issuing_body: str
    issued_on: str           # the step's dispatch date, e.g. "2020年12月1日"
    started: str             # the alert's start, Beijing time
    changed: str             # for a later step: when and from which level it changed; "" for the start
    legal_basis: str
    consequences: str
    contact: str
    version_name: str

    @property
    def is_preview(self):
        return not self.number


@dataclass(frozen=True)
class PrintedNotice:
    """One notice as printed: the firm's ``orders.Order`` with its ``Official`` block."""

    id: int
    order: object
    official: Official


@dataclass
class Batch:
    """A county's notices of one step (``notices``), and the firms left out while their lines are in error."""

    dispatch: object
    issued: bool                 # False for a dispatch made before notices were numbered
    notices: list
    withheld: list               # orders.Order values with ``withheld`` reasons

    @property
    def stop_orders(self):
        return sum(n.order.is_stop_order for n in self.notices)


def _firms(rows):
    """Group version rows (in list order, a firm's rows together) by enterprise."""
    return (list(group) for _, group in itertools.groupby(rows, key=lambda row: row.enterprise_id))


def _local_year(value):
    return value.replace(tzinfo=UTC).astimezone(BEIJING).year


def number_for(prefix, alert_id, seq):
    """E.g. "晋市环应急〔2020〕3-007号"."""
    return f"{prefix}{alert_id}-{seq:03d}号"


def allocate_notices(step, dispatch):
    """Number the notices of one county's dispatch of ``step`` and store them with the texts in force.

    Called once per dispatch, as the step is dispatched; flushes, never commits.
    """
    settings = notice_settings()
    batch = NoticeBatch(dispatch=dispatch, issuing_body=issuing_body(), legal_basis=settings.legal_basis,
                        consequences=settings.consequences, contact=settings.contact_for(dispatch.county))
    db.session.add(batch)
    db.session.flush()
    alert = step.alert
    prefix = number_prefix(settings.prefix, _local_year(alert.started_at))
    seq = db.session.scalar(select(func.coalesce(func.max(Notice.seq), 0)).where(Notice.alert_id == alert.id))
    values = []
    for rows in _firms(iter_version_rows(step.version.id, step.level, dispatch.county.id)):
        if any(row.measure.is_error for row in rows):
            continue
        seq += 1
        values.append({"batch_id": batch.id, "alert_id": alert.id, "seq": seq, "enterprise_id": rows[0].enterprise_id,
                       "number": number_for(prefix, alert.id, seq), "kind": notice_kind(rows)})
    for start in range(0, len(values), INSERT_BATCH):
        db.session.execute(insert(Notice.__table__), values[start:start + INSERT_BATCH])
    return batch


def _official(notice, batch, step):
    alert, at = step.alert, step.at.replace(tzinfo=UTC).astimezone(BEIJING)
    changed = ""
    if step.previous_level:
        changed = (f"{beijing_time(step.at)}由{LEVEL_LABELS[step.previous_level]}预警"
                   f"调整为{LEVEL_LABELS[step.level]}预警")
    return Official(number=notice.number, issuing_body=batch.issuing_body, issued_on=f"{at:%Y}年{at.month}月{at.day}日",
                    started=beijing_time(alert.started_at), changed=changed, legal_basis=batch.legal_basis,
                    consequences=batch.consequences, contact=batch.contact, version_name=step.version.name)


def preview_official(county, version=None):
    """The texts in force, without number or dates, for a preview of a firm of ``county`` (live when no version)."""
    settings = notice_settings()
    return Official(number="", issuing_body=issuing_body(), issued_on="", started="", changed="",
                    legal_basis=settings.legal_basis, consequences=settings.consequences,
                    contact=settings.contact_for(county), version_name=version.name if version else LIVE_VERSION)


def _batch_of(dispatch):
    return db.session.scalars(select(NoticeBatch).where(NoticeBatch.dispatch_id == dispatch.id)).one_or_none()


def build_batch(dispatch):
    """Every notice of a dispatch in number order, and the firms withheld, from the step's version."""
    step, batch = dispatch.step, _batch_of(dispatch)
    if batch is None:
        return Batch(dispatch, False, [], [])
    by_firm = {n.enterprise_id: n for n in batch.notices}
    notices, withheld = [], []
    for rows in _firms(iter_version_rows(step.version_id, step.level, dispatch.county_id)):
        order = order_from_rows(step.level, rows)
        notice = by_firm.get(order.enterprise_id)
        if order.withheld:
            withheld.append(order)
        elif notice is not None:
            notices.append(PrintedNotice(notice.id, order, _official(notice, batch, step)))
    notices.sort(key=lambda n: by_firm[n.order.enterprise_id].seq)
    return Batch(dispatch, True, notices, withheld)


def _printed(notice):
    batch = notice.batch
    step = batch.dispatch.step
    rows = list(iter_version_rows(step.version_id, step.level, enterprise_id=notice.enterprise_id))
    return PrintedNotice(notice.id, order_from_rows(step.level, rows), _official(notice, batch, step))


def visible_notice(notice_id, user):
    """A notice the user may read: city staff any, county staff their county's, an enterprise its own."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(f"notice {notice_id}")
    county_id = notice.batch.dispatch.county_id
    allowed = (user.is_citywide or (user.role == "county" and user.county_id == county_id)
               or (user.role == "enterprise" and user.enterprise_id == notice.enterprise_id))
    if not allowed:
        raise NotFound(f"notice {notice_id}")
    return _printed(notice)


def issued_notice(step, enterprise_id, county_id):
    """The notice issued to a firm with ``step`` (its county's dispatch), or None (withheld, not listed, or
    dispatched before notices were numbered)."""
    stmt = (select(Notice).join(NoticeBatch, Notice.batch_id == NoticeBatch.id)
            .join(Dispatch, NoticeBatch.dispatch_id == Dispatch.id)
            .where(Dispatch.step_id == step.id, Dispatch.county_id == county_id,
                   Notice.enterprise_id == enterprise_id))
    notice = db.session.scalars(stmt).one_or_none()
    return _printed(notice) if notice is not None else None


def notice_counts(alert):
    """{dispatch id: notices issued} over every step of an alert, for the alert page."""
    stmt = (select(NoticeBatch.dispatch_id, func.count(Notice.id)).join(Notice, Notice.batch_id == NoticeBatch.id)
            .join(Dispatch, NoticeBatch.dispatch_id == Dispatch.id).where(Dispatch.alert_id == alert.id)
            .group_by(NoticeBatch.dispatch_id))
    return dict(db.session.execute(stmt).all())
