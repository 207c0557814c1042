"""Stagger rules in the database: read as plain ``Rule`` values for the season in force, and edited by city staff
(flush, never commit; audited like every reference table)."""
import json
from dataclasses import dataclass

from sqlalchemy import select

from emergency.audit import trail as audit
from emergency.audit.view import readable
from emergency.baseline.seasons import season_in_force
from emergency.clock import local_today
from emergency.errors import DomainError, NotFound
from emergency.limits import text_limit
from emergency.registry.operations import check_version
from emergency.staggering.regimes import DAYS, LIMIT, Rule, apply_regime, parse_days, regime_for
from models import REGIME_LABELS, AuditLog, Category, CategoryReason, Grade, Industry, Season, StaggerRule, db

PROCESS_MAX, SOURCE_MAX = text_limit(StaggerRule.process), text_limit(StaggerRule.source)

RULE_ENTITY = "stagger_rule"
# The green-factory key as shown and as posted by the rule form ("": either).
GREEN_FACTORY_LABELS = {True: "绿色工厂", False: "非绿色工厂"}
GREEN_FACTORY_CHOICES = {"": None, "1": True, "0": False}


def _rule_summary(rule):
    keys = "、".join(k for k in (rule.process, rule.grade_code, rule.category_code, rule.category_reason,
                                 GREEN_FACTORY_LABELS.get(rule.green_factory)) if k)
    return f"错峰生产规则 {rule.id}（{keys or '全部'}：{REGIME_LABELS.get(rule.regime, rule.regime)}）"


audit.register(StaggerRule, RULE_ENTITY, "错峰生产规则", lambda obj, conn: None, _rule_summary)


def as_rule(row):
    return Rule(id=row.id, regime=row.regime, season_id=row.season_id, industry_id=row.industry_id,
                process=row.process or "", grade_code=row.grade_code, category_code=row.category_code,
                category_reason=row.category_reason or "", green_factory=row.green_factory, limit_pct=row.limit_pct,
                stop_days=parse_days(row.stop_days) if row.stop_days else ())


def season_rules(season):
    """The rules of ``season`` as ORM rows (None: the defaults, seeded from stagger_rules.csv)."""
    stmt = select(StaggerRule).order_by(StaggerRule.id)
    if season is None:
        return db.session.scalars(stmt.where(StaggerRule.season_id.is_(None))).all()
    return db.session.scalars(stmt.where(StaggerRule.season_id == season.id)).all()


COPIED = ("industry_id", "process", "grade_code", "category_code", "category_reason", "green_factory", "regime",
          "limit_pct", "stop_days", "provisional", "source")


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
    def load(cls, day=None, find_season=False):
        """One query: the rules of the season whose dates hold ``day`` (the latest started, where seasons overlap).
        Without rules the season is looked up only when ``find_season`` (pages name it; the list need not)."""
        day = day or local_today()
        rows = db.session.execute(
            select(StaggerRule, Season).join(Season, StaggerRule.season_id == Season.id)
            .where(Season.starts_on <= day, Season.ends_on >= day)
            .order_by(Season.starts_on.desc(), Season.id.desc(), StaggerRule.id)).all()
        if not rows:
            season = season_in_force(day) if find_season else None
            return cls(season if season is not None and season.contains(day) else None, day, ())
        season = rows[0][1]
        return cls(season, day, tuple(as_rule(rule) for rule, owner in rows if owner.id == season.id))

    @classmethod
    def for_season(cls, season):
        """``season``'s own rules, read as on its first day (whether or not it is in force today)."""
        return cls(season, season.starts_on, tuple(as_rule(row) for row in season_rules(season)))

    def regime(self, industry_id, process, category_code, grade_code, category_reason="", green_factory=False):
        if not self.rules:
            return None
        return regime_for(self.rules, self.season, self.day, industry_id, process, category_code, grade_code,
                          category_reason, green_factory)

    def apply(self, facts, verdict):
        """``verdict`` of the line with ``facts`` (lists.inputs.Facts) under the regime in force."""
        found = self.regime(facts.industry_id, facts.process_stage, facts.category_code, facts.grade_code,
                            facts.category_reason, facts.green_factory)
        return apply_regime(verdict, found, self.day)


def check_rule(values, grades, categories, industries, reasons=None):
    """{field: Chinese message} for a rule's raw form values; ``grades`` etc. are the known codes (industry ids),
    ``reasons`` the accepted reasons per category ({code: {reason}})."""
    errors = {}
    regime = (values.get("regime") or "").strip()
    if regime not in REGIME_LABELS:
        errors["regime"] = "请选择错峰方式（整季停产、错峰限产、按日错峰停产或豁免）"
    grade, category = (values.get("grade_code") or "").strip(), (values.get("category_code") or "").strip()
    if grade and grade not in grades:
        errors["grade_code"] = "绩效等级不存在"
    if category and category not in categories:
        errors["category_code"] = "类别不存在"
    if grade and category:
        errors["category_code"] = "绩效等级和类别只能填写其中一项"
    errors.update(_check_firm_keys(values, category, reasons))
    industry = (values.get("industry_id") or "").strip()
    if industry and not (industry.isdigit() and int(industry) in industries):
        errors["industry_id"] = "行业不存在"
    if len((values.get("process") or "").strip()) > PROCESS_MAX:
        errors["process"] = f"工序不超过{PROCESS_MAX}字"
    if len((values.get("source") or "").strip()) > SOURCE_MAX:
        errors["source"] = f"依据不超过{SOURCE_MAX}字"
    return {**errors, **_check_schedule(regime, values)}


def _check_firm_keys(values, category, reasons):
    """The keys on what the firm is besides its grade or category: the category's reason and green factory."""
    errors = {}
    reason = (values.get("category_reason") or "").strip()
    if reason and not category:
        errors["category_reason"] = "填写分类原因时须选择类别"
    elif reason and reason not in (reasons or {}).get(category, ()):
        errors["category_reason"] = "分类原因不是该类别认可的原因"
    if (values.get("green_factory") or "").strip() not in GREEN_FACTORY_CHOICES:
        errors["green_factory"] = "绿色工厂一项须选择“不限”“是”或“否”"
    return errors


def _check_schedule(regime, values):
    errors = {}
    if regime == LIMIT:
        try:
            pct = float((values.get("limit_pct") or "").strip())
        except ValueError:
            pct = None
        if pct is None or not 0 < pct < 100:
            errors["limit_pct"] = "错峰限产比例须为大于0、小于100的数字"
    if regime == DAYS:
        try:
            parse_days(values.get("stop_days"))
        except ValueError:
            errors["stop_days"] = "每月停产日须为1至31的日期，用逗号或顿号分隔，如“1、11、21”"
    return errors


def _known_reasons():
    found = {}
    for code, reason in db.session.query(CategoryReason.category_code, CategoryReason.reason):
        found.setdefault(code, set()).add(reason)
    return found


def rule_values(values):
    """The column values of a rule from raw form values; refused (DomainError) with ``check_rule``'s messages."""
    errors = check_rule(values, {g.code for g in db.session.query(Grade)},
                        {c.code for c in db.session.query(Category)}, {i.id for i in db.session.query(Industry)},
                        _known_reasons())
    if errors:
        raise DomainError(errors)
    regime = values["regime"].strip()
    industry = (values.get("industry_id") or "").strip()
    return dict(
        industry_id=int(industry) if industry else None, process=(values.get("process") or "").strip(),
        grade_code=(values.get("grade_code") or "").strip() or None,
        category_code=(values.get("category_code") or "").strip() or None,
        category_reason=(values.get("category_reason") or "").strip(),
        green_factory=GREEN_FACTORY_CHOICES[(values.get("green_factory") or "").strip()], regime=regime,
        limit_pct=float(values["limit_pct"]) if regime == LIMIT else None,
        stop_days=",".join(map(str, parse_days(values["stop_days"]))) if regime == DAYS else "",
        provisional=False, source=(values.get("source") or "").strip())


def save_rule(season, values):
    """Add a rule to ``season`` from raw form values; refused (DomainError) with ``check_rule``'s messages."""
    rule = StaggerRule(season_id=season.id, **rule_values(values))
    db.session.add(rule)
    db.session.flush()
    return rule


def season_rule(season, rule_id):
    """One of ``season``'s rules; NotFound for any other id."""
    rule = db.session.get(StaggerRule, int(rule_id)) if str(rule_id).isdigit() else None
    if rule is None or rule.season_id != season.id:
        raise NotFound(f"stagger rule {rule_id}")
    return rule


def edit_rule(season, rule_id, values, expected_version):
    """Change one of ``season``'s rules in place (same checks as ``save_rule``); ConflictError when the form was
    opened on an older version of the rule. An edited rule is no longer provisional."""
    rule = season_rule(season, rule_id)
    check_version(rule, expected_version)
    for name, value in rule_values(values).items():
        if getattr(rule, name) != value:
            setattr(rule, name, value)
    db.session.flush()
    return rule


def delete_rule(season, rule_id):
    """Delete one of ``season``'s rules; NotFound for any other id."""
    db.session.delete(season_rule(season, rule_id))
    db.session.flush()


def rule_history(season):
    """The audit entries (Beijing time, before → after) of ``season``'s rules, deleted ones included, newest first.

    An update records only what changed, so a rule is known as the season's by its creation or deletion entry."""
    logs = db.session.scalars(select(AuditLog).where(AuditLog.entity_type == RULE_ENTITY)
                              .order_by(AuditLog.at.desc(), AuditLog.id.desc())).all()
    ids = {log.entity_id for log in logs if any(json.loads(text or "{}").get("season_id") == season.id
                                                  for text in (log.before, log.after))}
    ids |= {rule.id for rule in season_rules(season)}
    return readable([(log, None) for log in logs if log.entity_id in ids])
