"""Long-running work (large exports and imports) with progress that any worker can show."""
from .base import TimestampMixin, db, one_of

# Each kind has its runner (emergency.platform.jobs.runner refuses any other): a new kind needs a migration.
JOB_KINDS = ("export_list", "export_counties", "export_registry", "export_version", "import", "import_preview")
# "interrupted": the process running it died or stopped beating (emergency.platform.job_lifecycle).
JOB_STATUSES = ("queued", "running", "done", "failed", "interrupted")


class Job(TimestampMixin, db.Model):
    __tablename__ = "job"
    __table_args__ = (one_of("kind", JOB_KINDS), one_of("status", JOB_STATUSES))

    id = db.Column(db.String(32), primary_key=True)
    kind = db.Column(db.String(30), nullable=False)
    label = db.Column(db.String(200), nullable=False, default="")
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    params = db.Column(db.Text, nullable=False, default="{}")
    status = db.Column(db.String(20), nullable=False, default="queued")
    done = db.Column(db.Integer, nullable=False, default=0)
    total = db.Column(db.Integer, nullable=False, default=0)
    message = db.Column(db.String(500), nullable=False, default="")
    filename = db.Column(db.String(200), nullable=False, default="")
    path = db.Column(db.String(500), nullable=False, default="")
    # "<host>:<pid>:<start time>" of the process running the job, and the last time its heartbeat thread wrote.
    worker = db.Column(db.String(100), nullable=False, default="")
    heartbeat_at = db.Column(db.DateTime, nullable=True)
    # How many times the job went back on the queue after its process died (emergency.platform.job_lifecycle).
    retries = db.Column(db.Integer, nullable=False, default=0, server_default="0")
