"""Official notices (通知单 / 告知书) of an alert step: their numbers (文号) and the texts they were issued with.

A batch is one county's notices of one dispatch (an alert step × a county). Numbers are allocated once, when the
step is dispatched, and kept, so a reprint carries the same 文号; the batch keeps the issuing body, legal basis,
consequences and contact as they were then. The measures themselves are the dispatched version's frozen rows.
"""
from .base import db, one_of, utcnow

# 停限产通知单 for a firm with a line that stops or limits; 告知书 for any other firm on the list.
NOTICE_KINDS = ("stop_order", "notice")


class NoticeBatch(db.Model):
    """The notices of one dispatch (alert step × county) and the texts they carry."""

    __tablename__ = "notice_batch"

    id = db.Column(db.Integer, primary_key=True)
    dispatch_id = db.Column(db.Integer, db.ForeignKey("dispatch.id", ondelete="CASCADE"), nullable=False,
                            unique=True)
    issuing_body = db.Column(db.String(100), nullable=False, default="")
    legal_basis = db.Column(db.String(500), nullable=False, default="")
    consequences = db.Column(db.String(500), nullable=False, default="")
    contact = db.Column(db.String(200), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    dispatch = db.relationship("Dispatch")
    notices = db.relationship("Notice", back_populates="batch", order_by="Notice.seq",
                              cascade="all, delete-orphan")


class Notice(db.Model):
    """One firm's notice in a batch: its number within the alert and its kind."""

    __tablename__ = "notice"
    __table_args__ = (db.UniqueConstraint("alert_id", "seq", name="uq_notice_alert_seq"),
                      db.UniqueConstraint("batch_id", "enterprise_id", name="uq_notice_batch_enterprise"),
                      one_of("kind", NOTICE_KINDS))

    id = db.Column(db.Integer, primary_key=True)
    batch_id = db.Column(db.Integer, db.ForeignKey("notice_batch.id", ondelete="CASCADE"), nullable=False)
    alert_id = db.Column(db.Integer, db.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False)
    seq = db.Column(db.Integer, nullable=False)          # the sequence within the alert, over all its steps
    number = db.Column(db.String(80), nullable=False)    # the 文号 as printed
    enterprise_id = db.Column(db.Integer, nullable=False)     # no FK: the record outlives the firm
    kind = db.Column(db.String(12), nullable=False)

    batch = db.relationship(NoticeBatch, back_populates="notices")
