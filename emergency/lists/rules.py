"""The list rules: which measure a line actually takes at an alert level, as a table of small pure rules.

Rules read plain values (the dataclasses below), never the request or the session, so each can be
unit-tested without an app. They are tried in ``RULES`` order; the first that applies decides.
"""
from dataclasses import dataclass

from emergency.registry.measures import ACTION_LABELS, LIMIT, NONE, SELF, STOP, Measure, cut_fraction, describe
from models.version import BELOW_FLOOR, MISSING, OK

NON_COMPLIANT, GRADED, LIVELIHOOD, GUARANTEED = "NON_COMPLIANT", "GRADED", "LIVELIHOOD", "GUARANTEED"
STATUS_LABELS = {OK: "", BELOW_FLOOR: "低于行业措施底线", MISSING: "未填写本级别措施"}
SELF_MANAGED_TEXT = "鼓励结合实际，自主采取减排措施"


@dataclass(frozen=True)
class EnterpriseFacts:
    """What the rules need to know about an enterprise."""

    category_code: str
    grade_code: str | None = None
    self_managed: bool = False


@dataclass(frozen=True)
class LineFacts:
    """What the rules need to know about a production line."""

    can_stop_quickly: bool = True


@dataclass(frozen=True)
class RuleContext:
    """Everything one rule decision reads: facts, the entered measure, the floor and the strictest limit."""

    enterprise: EnterpriseFacts
    line: LineFacts
    entered: Measure | None
    floor: Measure | None
    strictest_limit_pct: float


@dataclass(frozen=True)
class EffectiveMeasure:
    """The measure that goes on the list, with the rule that chose it and whether it is acceptable."""

    action: str | None
    limit_pct: float | None = None
    other_fraction: float | None = None
    text: str = ""
    indicators: str = ""
    rule: str = ""
    status: str = OK
    floor: Measure | None = None

    @property
    def cut_fraction(self):
        return cut_fraction(self.action, self.limit_pct, self.other_fraction) if self.action else 0.0

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, "未填写")

    @property
    def label(self):
        """Short label such as 停产, 限产30%, or 未填写 for a missing measure."""
        return describe(self.action, self.limit_pct, self.other_fraction) if self.action else "未填写"

    @property
    def is_error(self):
        return self.status != OK

    @property
    def problem(self):
        """A Chinese description of what is wrong, naming the floor when the measure is too weak."""
        if self.status == BELOW_FLOOR and self.floor is not None:
            return f"{STATUS_LABELS[BELOW_FLOOR]}（底线：{self.floor.label}）"
        return STATUS_LABELS[self.status]


def _fixed(ctx, rule, action, text, limit_pct=None):
    """A measure imposed by the rules; only the entered verification indicators are kept."""
    indicators = ctx.entered.indicators if ctx.entered else ""
    return EffectiveMeasure(action=action, limit_pct=limit_pct, text=text, indicators=indicators, rule=rule)


def _as_entered(ctx, rule, status=OK, floor=None):
    entered = ctx.entered
    if entered is None:
        return EffectiveMeasure(action=None, rule=rule, status=MISSING, floor=floor)
    return EffectiveMeasure(action=entered.action, limit_pct=entered.limit_pct,
                            other_fraction=entered.other_fraction, text=entered.text or entered.label,
                            indicators=entered.indicators, rule=rule, status=status, floor=floor)


class NonCompliantStop:
    """不纳入绩效分级: every line stops."""

    name = "non_compliant_stop"

    def applies(self, ctx):
        return ctx.enterprise.category_code == NON_COMPLIANT and ctx.line.can_stop_quickly

    def measure(self, ctx):
        return _fixed(ctx, self.name, STOP, "不纳入绩效分级企业，生产线停产")


class NonCompliantStrictestLimit:
    """不纳入绩效分级, but the line cannot stop at short notice: the strictest limit, recorded as such."""

    name = "non_compliant_strictest_limit"

    def applies(self, ctx):
        return ctx.enterprise.category_code == NON_COMPLIANT and not ctx.line.can_stop_quickly

    def measure(self, ctx):
        pct = ctx.strictest_limit_pct
        return _fixed(ctx, self.name, LIMIT, f"不可短时停产，执行最严限产（{pct:g}%）", limit_pct=pct)


class SelfManagedGrade:
    """A and 引领性 firms in graded industries reduce voluntarily, whatever was entered."""

    name = "self_managed_grade"

    def applies(self, ctx):
        return ctx.enterprise.category_code == GRADED and ctx.enterprise.self_managed

    def measure(self, ctx):
        return _fixed(ctx, self.name, SELF, SELF_MANAGED_TEXT)


class Livelihood:
    """民生 firms are listed but neither stop nor limit."""

    name = "livelihood"

    def applies(self, ctx):
        return ctx.enterprise.category_code == LIVELIHOOD

    def measure(self, ctx):
        return _fixed(ctx, self.name, NONE, "民生保障企业，列入清单，不停限产")


class GuaranteeMeasure:
    """保障类 firms carry out their entered guarantee measure (e.g. 以热定产); no floor applies."""

    name = "guarantee_measure"

    def applies(self, ctx):
        return ctx.enterprise.category_code == GUARANTEED

    def measure(self, ctx):
        return _as_entered(ctx, self.name)


class EnteredWithFloor:
    """Everyone else takes the entered measure, flagged (not replaced) when weaker than the floor."""

    name = "entered_measure"

    def applies(self, ctx):
        return True

    def measure(self, ctx):
        entered, floor = ctx.entered, ctx.floor
        weaker = entered is not None and floor is not None and entered.strength < floor.strength
        return _as_entered(ctx, self.name, status=BELOW_FLOOR if weaker else OK, floor=floor)


RULES = (NonCompliantStop(), NonCompliantStrictestLimit(), SelfManagedGrade(), Livelihood(),
         GuaranteeMeasure(), EnteredWithFloor())
RULES_BY_NAME = {rule.name: rule for rule in RULES}


def get_rule(name):
    """Return the rule called ``name``; raises KeyError for an unknown name."""
    return RULES_BY_NAME[name]


def effective_measure(enterprise, line, entered, floor, strictest_limit_pct):
    """Apply the first matching rule to plain facts and return the ``EffectiveMeasure``."""
    ctx = RuleContext(enterprise, line, entered, floor, strictest_limit_pct)
    return next(rule for rule in RULES if rule.applies(ctx)).measure(ctx)
