"""Import batches: who imported which file, when, and what it changed. Append-only, like the audit log."""
from .base import db, one_of, utcnow

IMPORT_KINDS = ("enterprise", "line", "measure")
IMPORT_ACTIONS = ("created", "updated", "unchanged")
IMPORT_STATUS_LABELS = {"committed": "已导入", "no_changes": "无变化"}
IMPORT_SOURCES = ("web", "cli")


class ImportBatch(db.Model):
    """One committed import; its audit_log rows carry the source "import:<filename>"."""

    __tablename__ = "import_batch"
    __table_args__ = (one_of("status", IMPORT_STATUS_LABELS), one_of("source", IMPORT_SOURCES))

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.Integer, index=True)          # no FK: the record outlives deleted users
    username = db.Column(db.String(60), nullable=False, default="")
    source = db.Column(db.String(20), nullable=False, default="web")     # web or cli
    county_id = db.Column(db.Integer)                    # the importer's county scope; None for the whole city
    filename = db.Column(db.String(255), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False)    # committed, or no_changes for a file that matched
    rows = db.Column(db.Integer, nullable=False, default=0)
    enterprises_created = db.Column(db.Integer, nullable=False, default=0)
    enterprises_updated = db.Column(db.Integer, nullable=False, default=0)
    enterprises_unchanged = db.Column(db.Integer, nullable=False, default=0)
    lines_created = db.Column(db.Integer, nullable=False, default=0)
    lines_updated = db.Column(db.Integer, nullable=False, default=0)
    lines_unchanged = db.Column(db.Integer, nullable=False, default=0)
    measures_created = db.Column(db.Integer, nullable=False, default=0)
    measures_updated = db.Column(db.Integer, nullable=False, default=0)
    measures_unchanged = db.Column(db.Integer, nullable=False, default=0)

    @property
    def status_label(self):
        return IMPORT_STATUS_LABELS.get(self.status, self.status)

    def count(self, kind, action):
        return getattr(self, f"{kind}s_{action}")
