"""Reference data the rules read: measure floors, whole-society baselines, target ratios, settings."""
from .base import db, in_range, one_of
from .line import LEVELS, POLLUTANTS, measure_checks


class MeasureFloor(db.Model):
    """The guide's minimum measure for an industry (sub-type), grade and alert level."""

    __tablename__ = "measure_floor"
    __table_args__ = (
        db.UniqueConstraint("industry_id", "grade_code", "level", name="uq_measure_floor_key"),
        *measure_checks(),
    )

    id = db.Column(db.Integer, primary_key=True)
    industry_id = db.Column(db.Integer, db.ForeignKey("industry.id"), nullable=False, index=True)
    grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"), nullable=False)
    level = db.Column(db.String(10), nullable=False)
    action = db.Column(db.String(10), nullable=False)
    limit_pct = db.Column(db.Float)
    other_fraction = db.Column(db.Float)
    text = db.Column(db.String(300), nullable=False, default="")
    # True until the value is transcribed from the guide's own table.
    provisional = db.Column(db.Boolean, nullable=False, default=True)
    source = db.Column(db.String(300), nullable=False, default="")

    industry = db.relationship("Industry")


class WholeSocietyEmission(db.Model):
    """Whole-society daily emission baseline (t/d) of one county and pollutant."""

    __tablename__ = "whole_society_emission"
    __table_args__ = (
        db.UniqueConstraint("county_id", "pollutant", name="uq_whole_society_emission_county_pollutant"),
        one_of("pollutant", POLLUTANTS),
        in_range("baseline_t_per_day", 0),
    )

    id = db.Column(db.Integer, primary_key=True)
    county_id = db.Column(db.Integer, db.ForeignKey("county.id"), nullable=False)
    pollutant = db.Column(db.String(10), nullable=False)
    baseline_t_per_day = db.Column(db.Float, nullable=False)
    source = db.Column(db.String(200), nullable=False, default="")

    county = db.relationship("County")


class TargetRatio(db.Model):
    """The minimum reduction share of whole-society emissions for a level and pollutant."""

    __tablename__ = "target_ratio"
    __table_args__ = (
        db.UniqueConstraint("level", "pollutant", name="uq_target_ratio_level_pollutant"),
        one_of("level", LEVELS),
        one_of("pollutant", POLLUTANTS),
        in_range("ratio", 0, 1),
    )

    id = db.Column(db.Integer, primary_key=True)
    level = db.Column(db.String(10), nullable=False)
    pollutant = db.Column(db.String(10), nullable=False)
    ratio = db.Column(db.Float, nullable=False)
    source = db.Column(db.String(200), nullable=False, default="")


class Setting(db.Model):
    """A small key/value store for installation facts, e.g. whether demo data is loaded."""

    __tablename__ = "setting"

    key = db.Column(db.String(60), primary_key=True)
    value = db.Column(db.String(500), nullable=False, default="")
