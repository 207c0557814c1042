"""The audit trail: one row per change to an audited record. Append-only."""
from .append_only import protect
from .base import db, one_of, utcnow

ACTION_LABELS = {"create": "新增", "update": "修改", "delete": "删除"}
LOG_IS_APPEND_ONLY = "审计日志只能追加，不能修改或删除"


class AuditLog(db.Model):
    """Who changed what, when, from where, with the values before and after (JSON text)."""

    __tablename__ = "audit_log"
    __table_args__ = (one_of("action", ACTION_LABELS),)

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.Integer, index=True)          # no FK: the log outlives deleted users
    username = db.Column(db.String(60), nullable=False, default="")
    source = db.Column(db.String(200), nullable=False, default="")   # web, cli:<command>, import:<file>
    entity_type = db.Column(db.String(40), nullable=False, index=True)
    entity_id = db.Column(db.Integer)
    enterprise_id = db.Column(db.Integer, index=True)
    action = db.Column(db.String(10), nullable=False)
    summary = db.Column(db.String(300), nullable=False, default="")
    before = db.Column(db.Text)
    after = db.Column(db.Text)


protect(AuditLog.__table__, LOG_IS_APPEND_ONLY)
