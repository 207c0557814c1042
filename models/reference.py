"""Reference data the rules and the accounting read: measure floors, whole-society baselines and non-industrial
reductions (per season), target ratios, settings."""
from .base import db, in_range, one_of, unique_where
from .line import LEVELS, POLLUTANTS, measure_checks

FLOOR_SCOPES = ("graded", "general", "small_micro")
# A floor of a graded industry names its industry and grade; general (一般管控) and small-micro floors name no
# grade and may name a non-key industry (no industry: every one).
SCOPE_KEYS = "(scope = 'graded') = (grade_code IS NOT NULL) AND (scope <> 'graded' OR industry_id IS NOT NULL)"


class MeasureFloor(db.Model):
    """The minimum measure for a scope, industry (sub-type), grade, alert level and optionally a process (工序).

    Seeded from ``seed/data/measure_floors.csv``; city staff edit rows on the floors page (``edited_at``), and
    re-seeding leaves an edited row alone.
    """

    __tablename__ = "measure_floor"
    __table_args__ = (
        one_of("scope", FLOOR_SCOPES),
        db.CheckConstraint(SCOPE_KEYS, name="scope_keys"),
        unique_where("uq_measure_floor_graded", ("industry_id", "grade_code", "level", "process"),
                     "scope = 'graded'"),
        unique_where("uq_measure_floor_industry", ("scope", "industry_id", "level", "process"),
                     "scope <> 'graded' AND industry_id IS NOT NULL"),
        unique_where("uq_measure_floor_common", ("scope", "level", "process"),
                     "scope <> 'graded' AND industry_id IS NULL"),
        *measure_checks(),
    )

    id = db.Column(db.Integer, primary_key=True)
    scope = db.Column(db.String(20), nullable=False, default="graded")
    industry_id = db.Column(db.Integer, db.ForeignKey("industry.id"), index=True)
    grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"))
    level = db.Column(db.String(10), nullable=False)
    process = db.Column(db.String(60), nullable=False, default="")
    action = db.Column(db.String(20), db.ForeignKey("measure_type.code"), nullable=False)
    limit_pct = db.Column(db.Float)
    other_fraction = db.Column(db.Float)
    hours = db.Column(db.Float)
    cap_pct = db.Column(db.Float)
    transport = db.Column(db.String(10), nullable=False, default="none")
    text = db.Column(db.String(300), nullable=False, default="")
    # True until the value is transcribed from the guide's own table.
    provisional = db.Column(db.Boolean, nullable=False, default=True)
    source = db.Column(db.String(300), nullable=False, default="")
    # Set when city staff edit the row on the floors page; seeding then leaves it alone.
    edited_at = db.Column(db.DateTime)
    edited_by = db.Column(db.String(60), nullable=False, default="")

    industry = db.relationship("Industry")


# Where whole-society emissions come from (the source-apportionment rows of a city's accounting). The
# industrial reductions come from the list's lines; the others are entered as totals per county.
SOURCE_TYPES = ("industrial", "dust", "mobile", "other")
SOURCE_TYPE_LABELS = {"industrial": "工业源", "dust": "扬尘源", "mobile": "移动源", "other": "其他"}
NON_INDUSTRIAL_TYPES = SOURCE_TYPES[1:]


class WholeSocietyEmission(db.Model):
    """Whole-society daily emission baseline (t/d) of one season, county, source type and pollutant.

    The accounting's baseline for a county and pollutant is the sum over the source types of the season in force.
    """

    __tablename__ = "whole_society_emission"
    __table_args__ = (
        db.UniqueConstraint("season_id", "county_id", "source_type", "pollutant",
                            name="uq_whole_society_emission_key"),
        one_of("source_type", SOURCE_TYPES),
        one_of("pollutant", POLLUTANTS),
        in_range("baseline_t_per_day", 0),
    )

    id = db.Column(db.Integer, primary_key=True)
    season_id = db.Column(db.Integer, db.ForeignKey("season.id", ondelete="CASCADE"), nullable=False, index=True)
    county_id = db.Column(db.Integer, db.ForeignKey("county.id"), nullable=False)
    source_type = db.Column(db.String(12), nullable=False)
    pollutant = db.Column(db.String(10), nullable=False)
    baseline_t_per_day = db.Column(db.Float, nullable=False)

    season = db.relationship("Season")
    county = db.relationship("County")


class NonIndustrialReduction(db.Model):
    """A county's reduction (t/d) from dust, mobile or other sources at one alert level of a season.

    Entered as totals per county (not per site); the accounting adds them to the list's industrial reductions.
    """

    __tablename__ = "non_industrial_reduction"
    __table_args__ = (
        db.UniqueConstraint("season_id", "county_id", "level", "source_type", "pollutant",
                            name="uq_non_industrial_reduction_key"),
        one_of("level", LEVELS),
        one_of("source_type", NON_INDUSTRIAL_TYPES),
        one_of("pollutant", POLLUTANTS),
        in_range("reduction_t_per_day", 0),
    )

    id = db.Column(db.Integer, primary_key=True)
    season_id = db.Column(db.Integer, db.ForeignKey("season.id", ondelete="CASCADE"), nullable=False, index=True)
    county_id = db.Column(db.Integer, db.ForeignKey("county.id"), nullable=False)
    level = db.Column(db.String(10), nullable=False)
    source_type = db.Column(db.String(12), nullable=False)
    pollutant = db.Column(db.String(10), nullable=False)
    reduction_t_per_day = db.Column(db.Float, nullable=False)

    season = db.relationship("Season")
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
