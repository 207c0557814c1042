"""Stagger rules in the database: read as plain ``Rule`` values for the season in force, and edited by city staff
(flush, never commit; audited like every reference table)."""
from dataclasses import dataclass

from sqlalchemy import select

from emergency.audit import trail as audit
from emergency.baseline.seasons import season_in_force
from emergency.clock import local_today
from emergency.staggering.regimes import Rule, apply_regime, parse_days, regime_for
from models import StaggerRule, db

audit.register(StaggerRule, "stagger_rule", "错峰生产规则", lambda obj, conn: None,
               lambda obj: f"错峰生产规则 {obj.id}")


def as_rule(row):
    return Rule(id=row.id, regime=row.regime, season_id=row.season_id, industry_id=row.industry_id,
                process=row.process or "", grade_code=row.grade_code, category_code=row.category_code,
                limit_pct=row.limit_pct, stop_days=parse_days(row.stop_days) if row.stop_days else ())


def season_rules(season):
    """The rules of ``season`` as ORM rows (None: the defaults, seeded from stagger_rules.csv)."""
    stmt = select(StaggerRule).order_by(StaggerRule.id)
    if season is None:
        return db.session.scalars(stmt.where(StaggerRule.season_id.is_(None))).all()
    return db.session.scalars(stmt.where(StaggerRule.season_id == season.id)).all()


COPIED = ("industry_id", "process", "grade_code", "category_code", "regime", "limit_pct", "stop_days", "provisional",
          "source")


def adopt_defaults(season):
    """Copy the default rules into ``season`` when it has none yet; return how many were copied."""
    if season_rules(season):
        return 0
    defaults = season_rules(None)
    for row in defaults:
        db.session.add(StaggerRule(season_id=season.id, **{name: getattr(row, name) for name in COPIED}))
    db.session.flush()
    return len(defaults)


@dataclass
class StaggerBook:
    """The season in force on ``day`` and its rules, read once per list, scan or order."""

    season: object
    day: object
    rules: tuple

    @classmethod
    def load(cls, day=None):
        day = day or local_today()
        season = season_in_force(day)
        if season is None or not season.contains(day):
            return cls(None, day, ())
        return cls(season, day, tuple(as_rule(r) for r in season_rules(season)))

    def regime(self, industry_id, process, category_code, grade_code):
        if not self.rules:
            return None
        return regime_for(self.rules, self.season, self.day, industry_id, process, category_code, grade_code)

    def apply(self, facts, verdict):
        """``verdict`` of the line with ``facts`` (lists.inputs.Facts) under the regime in force."""
        found = self.regime(facts.industry_id, facts.process_stage, facts.category_code, facts.grade_code)
        return apply_regime(verdict, found, self.day)
