"""Power-use supervision: electricity accounts (电表户号) and their daily readings, inspections (现场检查) with
photos and the downgrade each 未落实 proposes, and the positive list (正面清单)."""
from .base import KeptFileMixin, db, in_range, one_of, utcnow

READING_SOURCES = ("import", "demo")
FINDINGS = {"implemented": "落实", "not_implemented": "未落实", "rectifying": "整改中"}
PROPOSAL_STATES = {"open": "待市局审核", "approved": "已批准降级", "rejected": "不予降级"}


class PowerAccount(db.Model):
    """One electricity account of an enterprise, optionally tied to one of its lines; the number is unique, so an
    account cannot belong to two firms."""

    __tablename__ = "power_account"

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(40), nullable=False, unique=True)         # 户号
    holder = db.Column(db.String(200), nullable=False, default="")         # 户名 as the grid company spells it
    enterprise_id = db.Column(db.Integer, db.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False,
                              index=True)
    line_id = db.Column(db.Integer, db.ForeignKey("production_line.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    enterprise = db.relationship("Enterprise")
    line = db.relationship("ProductionLine")


class PowerReading(db.Model):
    """One account's active energy (kWh) on one Beijing day; hourly rows are summed to the day on import."""

    __tablename__ = "power_reading"
    __table_args__ = (db.UniqueConstraint("account_id", "day", name="uq_power_reading_account_day"),
                      in_range("kwh", 0), one_of("source", READING_SOURCES),
                      db.Index("ix_power_reading_day", "day"))

    id = db.Column(db.Integer, primary_key=True)
    account_id = db.Column(db.Integer, db.ForeignKey("power_account.id", ondelete="CASCADE"), nullable=False)
    day = db.Column(db.Date, nullable=False)
    kwh = db.Column(db.Float, nullable=False)
    source = db.Column(db.String(10), nullable=False, default="import")


class Inspection(db.Model):
    """A county's on-site inspection of a firm during an alert; 未落实 opens a downgrade proposal for the city."""

    __tablename__ = "inspection"
    __table_args__ = (one_of("finding", FINDINGS), one_of("proposal", PROPOSAL_STATES),
                      db.CheckConstraint("proposal IS NULL OR finding = 'not_implemented'", name="proposal_finding"))

    id = db.Column(db.Integer, primary_key=True)
    enterprise_id = db.Column(db.Integer, db.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False,
                              index=True)
    alert_id = db.Column(db.Integer, db.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False, index=True)
    visited_at = db.Column(db.DateTime, nullable=False)                    # naive UTC
    inspectors = db.Column(db.String(200), nullable=False)
    finding = db.Column(db.String(20), nullable=False)
    note = db.Column(db.Text, nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))
    created_by = db.Column(db.String(60), nullable=False, default="")
    proposal = db.Column(db.String(10))                                    # None unless the finding is 未落实
    decided_at = db.Column(db.DateTime)
    decided_by = db.Column(db.String(60), nullable=False, default="")
    history_id = db.Column(db.Integer, db.ForeignKey("grade_history.id", ondelete="SET NULL"))

    enterprise = db.relationship("Enterprise")
    alert = db.relationship("Alert")
    history = db.relationship("GradeHistory")
    photos = db.relationship("InspectionPhoto", back_populates="inspection", cascade="all, delete-orphan",
                             order_by="InspectionPhoto.id")

    @property
    def finding_label(self):
        return FINDINGS.get(self.finding, self.finding)

    @property
    def proposal_label(self):
        return PROPOSAL_STATES.get(self.proposal, "") if self.proposal else ""


class InspectionPhoto(KeptFileMixin, db.Model):
    """A photo (or PDF) of an inspection, stored like a request's attachments (outside the web root)."""

    __tablename__ = "inspection_photo"

    id = db.Column(db.Integer, primary_key=True)
    inspection_id = db.Column(db.Integer, db.ForeignKey("inspection.id", ondelete="CASCADE"), nullable=False,
                              index=True)

    inspection = db.relationship(Inspection, back_populates="photos")


class PositiveListEntry(db.Model):
    """A firm on the city's positive list (正面清单): why, since when, and until when."""

    __tablename__ = "positive_list_entry"
    __table_args__ = (db.CheckConstraint("expires_on >= added_on", name="dates"),)

    id = db.Column(db.Integer, primary_key=True)
    enterprise_id = db.Column(db.Integer, db.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False,
                              unique=True)
    reason = db.Column(db.String(300), nullable=False)
    added_on = db.Column(db.Date, nullable=False)
    expires_on = db.Column(db.Date, nullable=False)
    added_by = db.Column(db.String(60), nullable=False, default="")

    enterprise = db.relationship("Enterprise")
