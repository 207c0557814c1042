"""Staggered production (错峰生产): per-season rules that put firms under a seasonal regime before any alert.

A rule matches firms by industry (optional), process (工序, optional), and grade or category (one of them, or
neither); the most specific matching rule decides. A rule without a season is a default for every season; a rule of
a season overrides the defaults for that season. Seeded from ``seed/data/stagger_rules.csv``; city staff edit them.
"""
from .base import db, in_range, one_of

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
    )

    id = db.Column(db.Integer, primary_key=True)
    season_id = db.Column(db.Integer, db.ForeignKey("season.id", ondelete="CASCADE"), index=True)
    industry_id = db.Column(db.Integer, db.ForeignKey("industry.id"))
    process = db.Column(db.String(60), nullable=False, default="")
    grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"))
    category_code = db.Column(db.String(20), db.ForeignKey("category.code"))
    regime = db.Column(db.String(20), nullable=False)
    limit_pct = db.Column(db.Float)
    # Days of each month the firm stops, e.g. "1,2,3,15".
    stop_days = db.Column(db.String(100), nullable=False, default="")
    provisional = db.Column(db.Boolean, nullable=False, default=True)
    source = db.Column(db.String(300), nullable=False, default="")

    season = db.relationship("Season")
    industry = db.relationship("Industry")

    def __repr__(self):
        return f"<StaggerRule {self.id} {self.regime}>"
