"""Long-running work (large exports and imports) with progress that any worker can show."""
from .base import TimestampMixin, db


class Job(TimestampMixin, db.Model):
    __tablename__ = "job"

    id = db.Column(db.String(32), primary_key=True)
    kind = db.Column(db.String(30), nullable=False)
    label = db.Column(db.String(200), nullable=False, default="")
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    params = db.Column(db.Text, nullable=False, default="{}")
    status = db.Column(db.String(10), nullable=False, default="queued")   # queued, running, done, failed
    done = db.Column(db.Integer, nullable=False, default=0)
    total = db.Column(db.Integer, nullable=False, default=0)
    message = db.Column(db.String(500), nullable=False, default="")
    filename = db.Column(db.String(200), nullable=False, default="")
    path = db.Column(db.String(500), nullable=False, default="")
