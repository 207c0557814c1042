"""Which seasonal regime a firm is under on a date, and what that does to its alert verdict. Pure: plain values in,
plain values out (``store`` reads the rules from the database).

A rule matches on industry, process (工序), grade or category, a category's reason (e.g. 未按期完成秋冬季治理任务:
Shanxi stops firms that missed their clean-up deadline for the season), and whether the firm is a green factory
(绿色工厂); a blank one matches anything. The rule with the most matching keys wins, then the lowest id. The
green-factory key counts as two: Shanxi exempts green factories whatever their grade, so a green-factory rule outranks
a rule on grade or category alone (a C-grade green factory is exempt) and ties with a rule on two keys. Only a
season's own rules apply; the rules without a season are the defaults that city staff copy into a season
(``store.adopt_defaults``).
"""
from dataclasses import dataclass, replace

from emergency.lists.verdicts import WARNING, Problem
from emergency.registry.measures import NONE, Measure
from emergency.text import fold

SEASON_STOP, LIMIT, DAYS, EXEMPT = "season_stop", "limit", "days", "exempt"
STOPPED_LABEL = "错峰停产中"
# Problems of the alert measure that no longer matter while the line is stopped for staggering.
# What the green-factory key weighs in a rule's specificity (see above).
GREEN_FACTORY_WEIGHT = 2
MOOT_WHEN_STOPPED = frozenset({"missing", "below_floor", "line_share", "missing_cap", "no_coking_hours", "imposed"})


@dataclass(frozen=True)
class Rule:
    id: int
    regime: str
    season_id: int | None = None
    industry_id: int | None = None
    process: str = ""
    grade_code: str | None = None
    category_code: str | None = None
    limit_pct: float | None = None
    stop_days: tuple = ()
    category_reason: str = ""
    green_factory: bool | None = None

    def specificity(self, industry_id, process, category_code, grade_code, category_reason="", green_factory=False):
        """How many keys the rule sets (the green-factory key weighs GREEN_FACTORY_WEIGHT), or None when one of them
        does not match."""
        keys = ((self.industry_id, industry_id), (fold(self.process) or None, fold(process or "")),
                (self.grade_code, grade_code), (self.category_code, category_code),
                (fold(self.category_reason) or None, fold(category_reason or "")),
                (self.green_factory, bool(green_factory)))
        if any(want is not None and want != have for want, have in keys):
            return None
        return sum(want is not None for want, _ in keys) + (
            GREEN_FACTORY_WEIGHT - 1 if self.green_factory is not None else 0)


@dataclass(frozen=True)
class Regime:
    """The regime a firm is under for a season, from rule ``rule_id``."""

    regime: str
    limit_pct: float | None = None
    stop_days: tuple = ()
    rule_id: int | None = None

    @property
    def label(self):
        if self.regime == SEASON_STOP:
            return "整季停产"
        if self.regime == LIMIT:
            return f"错峰限产{self.limit_pct:g}%"
        if self.regime == DAYS:
            return "每月" + "、".join(str(d) for d in self.stop_days) + "日错峰停产"
        return "豁免"

    def stopped_on(self, day):
        return self.regime == SEASON_STOP or (self.regime == DAYS and day.day in self.stop_days)

    def fraction_on(self, day):
        """The share of the firm's output that staggering already removes on ``day``."""
        if self.stopped_on(day):
            return 1.0
        return (self.limit_pct or 0.0) / 100.0 if self.regime == LIMIT else 0.0


def parse_days(text):
    """Days of the month from text such as "1,2,15" or "1、2、15"; raises ValueError on anything else."""
    parts = [p.strip() for p in fold(text or "").replace("、", ",").replace("，", ",").split(",") if p.strip()]
    days = tuple(sorted({int(p) for p in parts}))
    if not days or not all(1 <= d <= 31 for d in days):
        raise ValueError(text)
    return days


def regime_for(rules, season, day, industry_id, process, category_code, grade_code, category_reason="",
               green_factory=False):
    """The ``Regime`` of a firm (or line) on ``day``; None outside ``season`` or when no rule matches.

    Only ``season``'s own rules count; others in ``rules`` are ignored.
    """
    if season is None or not season.contains(day):
        return None
    best, best_key = None, None
    for rule in rules:
        if rule.season_id != season.id:
            continue
        found = rule.specificity(industry_id, process, category_code, grade_code, category_reason, green_factory)
        if found is None:
            continue
        key = (found, -rule.id)
        if best_key is None or key > best_key:
            best, best_key = rule, key
    if best is None:
        return None
    return Regime(best.regime, best.limit_pct, best.stop_days, best.id)


def apply_regime(verdict, regime, day):
    """The alert verdict of a line under ``regime`` on ``day``.

    Stopped (整季停产, or a stop day): the line shows as 错峰停产中 and adds no reduction; the entered measure stays on
    the verdict and is named in a warning. Staggered at X%: the alert cut applies to the remaining (1 − X%) output.
    """
    if regime is None or regime.regime == EXEMPT:
        return verdict
    share = regime.fraction_on(day)
    if regime.stopped_on(day):
        note = f"{STOPPED_LABEL}（{regime.label}），本级别预警不另计减排量"
        problems = tuple(p for p in verdict.problems if p.code not in MOOT_WHEN_STOPPED)
        if verdict.entered is not None:
            problems += (Problem(WARNING, "staggered", f"填报“{verdict.entered_label}”，{note}"),)
        return replace(verdict, measure=Measure(NONE, text=note), label=STOPPED_LABEL,
                       full_label=f"{STOPPED_LABEL}（{regime.label}）", order_kind="none", cut=0.0,
                       rule="staggered_stop", reason=note, imposed=verdict.entered is not None,
                       problems=problems, staggered=share, stagger_label=regime.label)
    if share <= 0:
        return replace(verdict, stagger_label=regime.label)
    reason = (f"{verdict.reason}；{regime.label}，应急减排量按剩余{100 - share * 100:g}%产能核算"
              if verdict.reason else f"{regime.label}，应急减排量按剩余{100 - share * 100:g}%产能核算")
    return replace(verdict, cut=verdict.cut * (1.0 - share), reason=reason, staggered=share,
                   stagger_label=regime.label)
