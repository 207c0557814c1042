"""Published list versions (清单版本): a named, frozen copy of the whole list at all three levels."""
from .base import db, one_of, utcnow
from .line import measure_checks

# The state of a frozen row's measure; emergency.lists.rules decides it (and labels it).
OK, BELOW_FLOOR, MISSING = "ok", "below_floor", "missing"
ROW_STATUSES = (OK, BELOW_FLOOR, MISSING)


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

    def __repr__(self):
        return f"<ListVersion {self.name}>"


class VersionRow(db.Model):
    """One line of the list at one level, frozen as plain values (no foreign keys into the registry)."""

    __tablename__ = "list_version_row"
    __table_args__ = (
        db.Index("ix_list_version_row_scope", "version_id", "level", "county_id", "seq"),
        db.Index("ix_list_version_row_enterprise", "version_id", "enterprise_id"),
        *measure_checks(),
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
    action = db.Column(db.String(10))                # None: no measure entered (an error on the list)
    limit_pct = db.Column(db.Float)
    other_fraction = db.Column(db.Float)
    measure_text = db.Column(db.String(500), nullable=False, default="")
    indicators = db.Column(db.String(300), nullable=False, default="")
    rule = db.Column(db.String(40), nullable=False, default="")
    status = db.Column(db.String(20), nullable=False, default="ok")
    problem = db.Column(db.String(200), nullable=False, default="")
    so2_t_d = db.Column(db.Float, nullable=False, default=0.0)
    nox_t_d = db.Column(db.Float, nullable=False, default=0.0)
    pm_t_d = db.Column(db.Float, nullable=False, default=0.0)
    vocs_t_d = db.Column(db.Float, nullable=False, default=0.0)
