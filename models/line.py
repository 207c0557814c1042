"""Production lines (生产线) and their per-alert-level measures."""
from .base import TimestampMixin, db, in_range, one_of
from .measure_type import MAX_COKING_HOURS, measure_param_checks

POLLUTANTS = ("so2", "nox", "pm", "vocs")
POLLUTANT_LABELS = {"so2": "SO2", "nox": "NOx", "pm": "颗粒物", "vocs": "VOCs"}
LEVELS = ("yellow", "orange", "red")
LEVEL_LABELS = {"yellow": "黄色", "orange": "橙色", "red": "红色"}


def measure_checks():
    """The CHECKs of every table holding typed measures (lines, floors): the level and the parameter ranges.

    The action is a foreign key to ``measure_type``; the web form and the import hold the stricter rules
    (e.g. 0 < limit_pct < 100 for 限产); the database holds the ranges.
    """
    return (one_of("level", LEVELS), *measure_param_checks())


class ProductionLine(TimestampMixin, db.Model):
    """A production line with capacity and annual emissions."""

    __tablename__ = "production_line"
    __table_args__ = (
        db.UniqueConstraint("enterprise_id", "name", name="uq_production_line_enterprise_name"),
        *(in_range(f"{pollutant}_t_yr", 0) for pollutant in POLLUTANTS),
        in_range("capacity", 0),
        in_range("output", 0),
        in_range("operating_days", 1, 366),
        in_range("coking_hours", 0, MAX_COKING_HOURS),
    )

    id = db.Column(db.Integer, primary_key=True)
    enterprise_id = db.Column(
        db.Integer, db.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name = db.Column(db.String(120), nullable=False)
    process_stage = db.Column(db.String(60), nullable=False, default="")
    facilities = db.Column(db.String(300), nullable=False, default="")
    capacity = db.Column(db.Float)
    capacity_unit = db.Column(db.String(30), nullable=False, default="")
    main_products = db.Column(db.String(200), nullable=False, default="")          # 主要产品
    output = db.Column(db.Float)                                                    # 产量 (annual)
    output_unit = db.Column(db.String(30), nullable=False, default="")             # 产量单位
    treatment_facilities = db.Column(db.String(300), nullable=False, default="")   # 污染治理设施
    can_stop_quickly = db.Column(db.Boolean, nullable=False, default=True)
    # The normal coking time (hours) of a coke oven: what 延长结焦时间 is measured against.
    coking_hours = db.Column(db.Float)
    so2_t_yr = db.Column(db.Float, nullable=False, default=0.0)
    nox_t_yr = db.Column(db.Float, nullable=False, default=0.0)
    pm_t_yr = db.Column(db.Float, nullable=False, default=0.0)
    vocs_t_yr = db.Column(db.Float, nullable=False, default=0.0)
    operating_days = db.Column(db.Integer, nullable=False, default=300)
    version = db.Column(db.Integer, nullable=False, default=1)

    enterprise = db.relationship("Enterprise", back_populates="lines")
    measures = db.relationship(
        "LineMeasure", back_populates="line", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    def annual(self, pollutant):
        return getattr(self, f"{pollutant}_t_yr") or 0.0

    def daily_baseline(self, pollutant):
        """Daily baseline (t/d) = annual emission / annual operating days."""
        if not self.operating_days:
            return 0.0
        return self.annual(pollutant) / self.operating_days

    @property
    def has_emissions(self):
        return any(self.annual(p) > 0 for p in POLLUTANTS)

    def measure_for(self, level):
        return next((m for m in self.measures if m.level == level), None)


class LineMeasure(db.Model):
    """The measure one line takes at one alert level."""

    __tablename__ = "line_measure"
    __table_args__ = (db.UniqueConstraint("line_id", "level", name="uq_line_measure_line_level"), *measure_checks())

    id = db.Column(db.Integer, primary_key=True)
    line_id = db.Column(
        db.Integer, db.ForeignKey("production_line.id", ondelete="CASCADE"), nullable=False, index=True
    )
    level = db.Column(db.String(10), nullable=False)
    action = db.Column(db.String(20), db.ForeignKey("measure_type.code"), nullable=False)
    # The type's parameter: limit_pct for 限产 and 按生产线停产 (%), hours for 延长结焦时间, cap_pct for
    # 以热定产/以量定产 (load cap, %), other_fraction for 其他 (0–1).
    limit_pct = db.Column(db.Float)
    other_fraction = db.Column(db.Float)
    hours = db.Column(db.Float)
    cap_pct = db.Column(db.Float)
    transport = db.Column(db.String(10), nullable=False, default="none")
    text = db.Column(db.String(500), nullable=False, default="")
    indicators = db.Column(db.String(300), nullable=False, default="")

    line = db.relationship("ProductionLine", back_populates="measures")
