"""Alert activations (预警启动), their level steps, and the workbooks dispatched to counties with receipts."""
from sqlalchemy import event, false

from .append_only import protect
from .base import db, one_of, unique_where, utcnow
from .county import County
from .line import LEVELS

DISPATCHED_FILE_IS_FINAL = "已下发的文件不能修改或删除"

alert_county = db.Table(
    "alert_county",
    db.Column("alert_id", db.Integer, db.ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True),
    db.Column("county_id", db.Integer, db.ForeignKey("county.id"), primary_key=True),
    # A copy of "the alert's end is recorded", kept by emergency.publishing.alerts.end_alert, so that the
    # database can hold one alert without an end per county (an index cannot look into the alert table).
    db.Column("ended", db.Boolean, nullable=False, server_default=false()),
    unique_where("uq_alert_county_running_county", "county_id", "NOT ended"),
)


class Alert(db.Model):
    """An alert declared for all or some counties, from its start until its (later recorded) end."""

    __tablename__ = "alert"
    __table_args__ = (one_of("level", LEVELS),
                      db.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ended_after_start"))

    id = db.Column(db.Integer, primary_key=True)
    level = db.Column(db.String(10), nullable=False)              # the current level (the last step's)
    all_counties = db.Column(db.Boolean, nullable=False, default=True)
    started_at = db.Column(db.DateTime, nullable=False, index=True)
    ended_at = db.Column(db.DateTime, index=True)
    note = db.Column(db.String(200), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by = db.Column(db.String(60), nullable=False, default="")
    ended_by = db.Column(db.String(60), nullable=False, default="")

    counties = db.relationship(County, secondary=alert_county, order_by=(County.sort_order, County.id))
    steps = db.relationship("AlertStep", back_populates="alert", order_by="AlertStep.seq",
                            cascade="all, delete-orphan")

    @property
    def current_step(self):
        return self.steps[-1] if self.steps else None


class AlertStep(db.Model):
    """One level of an alert: the start, then each upgrade or downgrade; each step is dispatched anew."""

    __tablename__ = "alert_step"
    __table_args__ = (db.UniqueConstraint("alert_id", "seq", name="uq_alert_step_alert_seq"),
                      one_of("level", LEVELS), one_of("previous_level", LEVELS))

    id = db.Column(db.Integer, primary_key=True)
    alert_id = db.Column(db.Integer, db.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False, index=True)
    seq = db.Column(db.Integer, nullable=False)
    level = db.Column(db.String(10), nullable=False)
    previous_level = db.Column(db.String(10))
    version_id = db.Column(db.Integer, db.ForeignKey("list_version.id"), nullable=False, index=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    by = db.Column(db.String(60), nullable=False, default="")
    # Dispatched while the version had quality errors in the step's counties: the city user's written reason.
    override_reason = db.Column(db.String(300), nullable=False, default="")

    alert = db.relationship(Alert, back_populates="steps")
    version = db.relationship("ListVersion", lazy="joined")
    dispatches = db.relationship("Dispatch", back_populates="step", order_by="Dispatch.id",
                                 cascade="all, delete-orphan")


class DispatchFile(db.Model):
    """The bytes of one dispatched workbook. Written once: updates and deletes are refused."""

    __tablename__ = "dispatch_file"

    id = db.Column(db.Integer, primary_key=True)
    sha256 = db.Column(db.String(64), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    content = db.Column(db.LargeBinary, nullable=False)


class Dispatch(db.Model):
    """One county's workbook of one alert step, and that county's receipt (签收)."""

    __tablename__ = "dispatch"
    __table_args__ = (db.UniqueConstraint("step_id", "county_id", name="uq_dispatch_step_county"),
                      one_of("level", LEVELS))

    id = db.Column(db.Integer, primary_key=True)
    alert_id = db.Column(db.Integer, db.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False, index=True)
    step_id = db.Column(db.Integer, db.ForeignKey("alert_step.id", ondelete="CASCADE"), nullable=False)
    county_id = db.Column(db.Integer, db.ForeignKey("county.id"), nullable=False, index=True)
    level = db.Column(db.String(10), nullable=False)
    filename = db.Column(db.String(200), nullable=False)
    file_id = db.Column(db.Integer, db.ForeignKey("dispatch_file.id"), nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # The county's first download: 签收 (receipt) is offered, and accepted, only after it.
    downloaded_at = db.Column(db.DateTime)
    downloaded_by = db.Column(db.String(60), nullable=False, default="", server_default="")
    received_at = db.Column(db.DateTime)
    received_by_id = db.Column(db.Integer)           # no FK: the receipt outlives deleted users
    received_by = db.Column(db.String(60), nullable=False, default="")

    step = db.relationship(AlertStep, back_populates="dispatches")
    county = db.relationship(County, lazy="joined")
    file = db.relationship(DispatchFile)


@event.listens_for(DispatchFile, "before_update")
@event.listens_for(DispatchFile, "before_delete")
def _refuse_change(mapper, connection, target):
    # What was sent is evidence: a dispatched file must stay exactly as sent.
    raise PermissionError(DISPATCHED_FILE_IS_FINAL)


protect(DispatchFile.__table__, DISPATCHED_FILE_IS_FINAL)
