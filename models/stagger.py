"""Staggered production (错峰生产): per-season rules that put firms under a seasonal regime before any alert.

A rule matches firms by industry (optional), process (工序, optional), and grade or category (one of them, or
neither); the most specific matching rule decides. A rule without a season is a default for every season; a rule of
a season overrides the defaults for that season. Seeded from ``seed/data/stagger_rules.csv``; city staff edit them.
"""
from .base import db, in_range, one_of, utcnow

# 整季停产, 错峰限产 X%, 错峰 by days of each month, 豁免.
REGIMES = ("season_stop", "limit", "days", "exempt")
REGIME_LABELS = {"season_stop": "整季停产", "limit": "错峰限产", "days": "按日错峰停产", "exempt": "豁免"}


class StaggerRule(db.Model):
    __tablename__ = "stagger_rule"
    __table_args__ = (
        one_of("regime", REGIMES),
        in_range("limit_pct", 0, 100),
        db.CheckConstraint("regime <> 'limit' OR limit_pct IS NOT NULL", name="limit_needs_pct"),
        db.CheckConstraint("regime <> 'days' OR stop_days <> ''", name="days_need_days"),
        db.CheckConstraint("grade_code IS NULL OR category_code IS NULL", name="grade_or_category"),
        db.CheckConstraint("category_reason = '' OR category_code IS NOT NULL", name="reason_needs_category"),
    )

    id = db.Column(db.Integer, primary_key=True)
    season_id = db.Column(db.Integer, db.ForeignKey("season.id", ondelete="CASCADE"), index=True)
    industry_id = db.Column(db.Integer, db.ForeignKey("industry.id"))
    process = db.Column(db.String(60), nullable=False, default="")
    grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"))
    category_code = db.Column(db.String(20), db.ForeignKey("category.code"))
    # One of the category's accepted reasons (category_reason.csv), e.g. 未按期完成秋冬季治理任务; blank: any reason.
    category_reason = db.Column(db.String(60), nullable=False, default="", server_default="")
    # Whether the firm is a green factory (绿色工厂); None: either.
    green_factory = db.Column(db.Boolean)
    regime = db.Column(db.String(20), nullable=False)
    limit_pct = db.Column(db.Float)
    # Days of each month the firm stops, e.g. "1,2,3,15".
    stop_days = db.Column(db.String(100), nullable=False, default="")
    provisional = db.Column(db.Boolean, nullable=False, default=True)
    source = db.Column(db.String(300), nullable=False, default="")
    # Optimistic locking: an edit opened on an older version is refused.
    version = db.Column(db.Integer, nullable=False, default=1, server_default="1")

    season = db.relationship("Season")
    industry = db.relationship("Industry")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self):
        return f"<StaggerRule {self.id} {self.regime}>"


class StaggerNotice(db.Model):
    """A firm's 错峰生产告知书 for a season: its number (文号) and, frozen when issued, the texts and the schedule of
    its lines, so a reprint is the same document whatever the rules say later."""

    __tablename__ = "stagger_notice"
    __table_args__ = (db.UniqueConstraint("season_id", "seq", name="uq_stagger_notice_season_seq"),
                      db.UniqueConstraint("season_id", "enterprise_id", name="uq_stagger_notice_season_enterprise"),
                      db.Index("ix_stagger_notice_season_county", "season_id", "county_id"))

    id = db.Column(db.Integer, primary_key=True)
    season_id = db.Column(db.Integer, db.ForeignKey("season.id", ondelete="CASCADE"), nullable=False)
    seq = db.Column(db.Integer, nullable=False)              # the sequence within the season, over all counties
    number = db.Column(db.String(80), nullable=False)        # the 文号 as printed
    enterprise_id = db.Column(db.Integer, nullable=False)    # no FK: the record outlives the firm
    county_id = db.Column(db.Integer, nullable=False)
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    issued_by = db.Column(db.String(120), nullable=False, default="")
    issuing_body = db.Column(db.String(100), nullable=False, default="")
    legal_basis = db.Column(db.String(500), nullable=False, default="")
    contact = db.Column(db.String(200), nullable=False, default="")
    # JSON: the firm (name, credit code, county, industry, grade) and its lines with their regime, as issued.
    content = db.Column(db.Text, nullable=False, default="")

    season = db.relationship("Season")
