"""Published list versions (清单版本): a named, frozen copy of the whole list at all three levels."""
from .base import db, in_range, one_of, utcnow
from .line import LEVELS
from .measure_type import measure_param_checks

# The state of a frozen row's measure: the rules found nothing, only warnings, or an error.
ROW_STATUSES = ("ok", "warning", "error")


class ListVersion(db.Model):
    """A published revision of the list, e.g. 2020年修订版; its rows never change after publishing."""

    __tablename__ = "list_version"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), nullable=False, unique=True)
    note = db.Column(db.String(300), nullable=False, default="")
    published_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    published_by_id = db.Column(db.Integer)          # no FK: the version outlives deleted users
    published_by = db.Column(db.String(60), nullable=False, default="")
    enterprises = db.Column(db.Integer, nullable=False, default=0)
    lines = db.Column(db.Integer, nullable=False, default=0)
    # JSON: counties in display order, whole-society baselines and target ratios as they were at publishing,
    # so the workbook's 汇总 sheet of a version never reads the live reference tables.
    reference = db.Column(db.Text, nullable=False, default="{}")
    # Published while the list had quality errors: the city user's written reason (printed on the 说明 sheet).
    override_reason = db.Column(db.String(300), nullable=False, default="")
    errors = db.Column(db.Integer, nullable=False, default=0)

    def __repr__(self):
        return f"<ListVersion {self.name}>"


class VersionRow(db.Model):
    """One line of the list at one level, frozen as plain values (no foreign keys into the registry)."""

    __tablename__ = "list_version_row"
    __table_args__ = (
        db.Index("ix_list_version_row_scope", "version_id", "level", "county_id", "seq"),
        db.Index("ix_list_version_row_enterprise", "version_id", "enterprise_id"),
        one_of("level", LEVELS),
        *measure_param_checks(),
        in_range("cut", 0, 1),
        one_of("status", ROW_STATUSES),
    )

    id = db.Column(db.Integer, primary_key=True)
    version_id = db.Column(db.Integer, db.ForeignKey("list_version.id", ondelete="CASCADE"), nullable=False)
    level = db.Column(db.String(10), nullable=False)
    seq = db.Column(db.Integer, nullable=False)      # list order within the level
    county_id = db.Column(db.Integer, nullable=False)
    county_name = db.Column(db.String(40), nullable=False)
    enterprise_id = db.Column(db.Integer, nullable=False)
    enterprise_name = db.Column(db.String(200), nullable=False)
    credit_code = db.Column(db.String(18), nullable=False)
    industry = db.Column(db.String(120), nullable=False, default="")
    grade_label = db.Column(db.String(60), nullable=False, default="")
    line_id = db.Column(db.Integer, nullable=False)
    line_name = db.Column(db.String(120), nullable=False)
    process_stage = db.Column(db.String(60), nullable=False, default="")
    facilities = db.Column(db.String(300), nullable=False, default="")
    # The measure on the list (no FK: a frozen copy); action None: nothing entered (an error on the list).
    action = db.Column(db.String(20))
    limit_pct = db.Column(db.Float)
    other_fraction = db.Column(db.Float)
    hours = db.Column(db.Float)
    cap_pct = db.Column(db.Float)
    transport = db.Column(db.String(10), nullable=False, default="none")
    measure_text = db.Column(db.String(500), nullable=False, default="")
    indicators = db.Column(db.String(300), nullable=False, default="")
    # The rules' verdict as it was at publishing: labels, counted fraction, rule and reason, the entered
    # measure where a rule imposed another, the floor, and every error and warning.
    label = db.Column(db.String(120), nullable=False, default="")
    full_label = db.Column(db.String(200), nullable=False, default="")
    order_kind = db.Column(db.String(10), nullable=False, default="none")
    cut = db.Column(db.Float, nullable=False, default=0.0)
    rule = db.Column(db.String(40), nullable=False, default="")
    reason = db.Column(db.String(300), nullable=False, default="")
    entered_label = db.Column(db.String(200), nullable=False, default="")
    imposed = db.Column(db.Boolean, nullable=False, default=False)
    floor_label = db.Column(db.String(200), nullable=False, default="")
    commitment = db.Column(db.String(500), nullable=False, default="")
    status = db.Column(db.String(20), nullable=False, default="ok")
    problem = db.Column(db.String(1000), nullable=False, default="")
    warnings = db.Column(db.String(1000), nullable=False, default="")
    so2_t_d = db.Column(db.Float, nullable=False, default=0.0)
    nox_t_d = db.Column(db.Float, nullable=False, default=0.0)
    pm_t_d = db.Column(db.Float, nullable=False, default=0.0)
    vocs_t_d = db.Column(db.Float, nullable=False, default=0.0)
    # Staggered production (错峰生产) in force at publishing: the share of output it removed, its label and the
    # t/d it removed (shown beside the alert's reduction, not in it); 0 and "" in versions published before.
    staggered = db.Column(db.Float, nullable=False, default=0.0, server_default="0")
    stagger_label = db.Column(db.String(40), nullable=False, default="", server_default="")
    so2_staggered_t_d = db.Column(db.Float, nullable=False, default=0.0, server_default="0")
    nox_staggered_t_d = db.Column(db.Float, nullable=False, default=0.0, server_default="0")
    pm_staggered_t_d = db.Column(db.Float, nullable=False, default=0.0, server_default="0")
    vocs_staggered_t_d = db.Column(db.Float, nullable=False, default=0.0, server_default="0")
    # JSON of the registry details the national-layout sheet prints (town, address, permit, capacity...), on the
    # first level's row only; empty in versions published before it was kept.
    details = db.Column(db.Text, nullable=False, default="")
