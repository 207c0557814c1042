"""The list rules: which measure each line of an enterprise takes at an alert level, and what is wrong with it.

Each rule is a small class with a ``name``, ``applies(ctx)`` and ``measure(ctx)``; the first rule in ``RULES``
that applies decides. Rules read plain values (``EnterpriseFacts``, ``LineFacts``, a ``Policy``), never the
request or the session, so each can be unit-tested without an app. After the per-line rules, enterprise-level
checks run: a floor of 按生产线停产 is met by any set of the firm's stopped lines that reaches its share.

No rule silently replaces what a clerk entered: where the measure on the list differs from the entered one,
the verdict keeps both, with the rule's reason, and carries an ``imposed`` warning.
"""
from dataclasses import dataclass, replace

from emergency.lists.policy import GENERAL_SCOPE, GRADED_SCOPE, SMALL_MICRO_SCOPE, adapted_floor
from emergency.lists.verdicts import (
    ERROR,
    WARNING,
    EffectiveMeasure,
    Problem,
    at_least,
    check_line_shares,
    verdict,
)
from emergency.registry.measures import (
    LIMIT,
    NO_TRANSPORT_RULE,
    NONE,
    SELF,
    STOP,
    LineParams,
    Measure,
    weaker_than,
)

NON_COMPLIANT, GRADED, LIVELIHOOD, GUARANTEED, GENERAL = (
    "NON_COMPLIANT", "GRADED", "LIVELIHOOD", "GUARANTEED", "GENERAL")
SELF_MANAGED_TEXT = "鼓励结合实际，自主采取减排措施"
CAPPED_HINT = "保障类企业须执行以热定产或以量定产并注明负荷上限（或更严的停限产措施）"


@dataclass(frozen=True)
class EnterpriseFacts:
    """What the rules need to know about an enterprise."""

    category_code: str
    grade_code: str | None = None
    industry_id: int | None = None
    category_reason: str = ""
    small_micro: bool = False
    annual_t_yr: float = 0.0   # the four pollutants over all its lines, for the small-micro threshold
    classification_errors: tuple = ()   # check_classification's messages, computed by the caller


@dataclass(frozen=True)
class LineFacts:
    """What the rules need to know about a production line."""

    params: LineParams = LineParams()
    process: str = ""

    @property
    def can_stop_quickly(self):
        return self.params.can_stop_quickly


@dataclass(frozen=True)
class RuleContext:
    """Everything one rule decision reads."""

    enterprise: EnterpriseFacts
    line: LineFacts
    level: str
    entered: Measure | None
    policy: object

    def floor(self, scope=None, grade_code=None):
        """The floor row for this line, adapted to a line that cannot stop at short notice."""
        e, policy = self.enterprise, self.policy
        scope = scope or (GRADED_SCOPE if e.category_code == GRADED else GENERAL_SCOPE)
        grade = grade_code if grade_code is not None else (e.grade_code if scope == GRADED_SCOPE else None)
        found = policy.floors.find(scope, e.industry_id, grade, self.level, self.line.process)
        return adapted_floor(found, self.line.can_stop_quickly, policy.types)


def _reason_problem(ctx, what):
    if ctx.enterprise.category_reason.strip():
        return ()
    return (Problem(ERROR, "missing_reason", f"未填写{what}"),)


class InvalidClassification:
    """A grade or category the industry does not allow (e.g. D where the scheme has none): an error on the row."""

    name = "invalid_classification"

    def applies(self, ctx):
        return bool(ctx.enterprise.classification_errors)

    def measure(self, ctx):
        problems = tuple(Problem(ERROR, "classification", m) for m in ctx.enterprise.classification_errors)
        return verdict(ctx, self.name, ctx.entered, "等级或类别不符合行业分级方案", problems=problems)


class NonCompliant:
    """不纳入绩效分级: every line stops; a line that cannot stop takes the lowest grade's strongest measure,
    never less than the strictest limit. The lowest grade's transport rule applies; a stronger entry wins."""

    name = "non_compliant"

    def applies(self, ctx):
        return ctx.enterprise.category_code == NON_COMPLIANT

    def measure(self, ctx):
        why = ctx.enterprise.category_reason.strip() or "原因未填写"
        target = self._target(ctx)
        problems = _reason_problem(ctx, "不纳入绩效分级的原因")
        reason = f"不纳入绩效分级（{why}）"
        if ctx.entered is not None and at_least(ctx.entered, target, ctx.policy.types, ctx.line.params):
            return verdict(ctx, self.name, ctx.entered, reason + "：填报措施不弱于规定措施", problems=problems)
        return verdict(ctx, self.name, target, reason, problems=problems)

    @staticmethod
    def _target(ctx):
        policy = ctx.policy
        lowest = policy.lowest_grades.get(ctx.enterprise.industry_id)
        floor = ctx.floor(GRADED_SCOPE, lowest) if lowest else None
        transport = floor.measure.transport if floor else NO_TRANSPORT_RULE
        if ctx.line.can_stop_quickly:
            return Measure(STOP, transport=transport, text="不纳入绩效分级企业，生产线停产")
        pct = policy.strictest_limit_pct
        strictest = Measure(LIMIT, limit_pct=pct, transport=transport,
                            text=f"不可短时停产，执行最严限产（{pct:g}%）")
        if floor is not None and at_least(floor.measure, strictest, policy.types, ctx.line.params):
            label = floor.measure.label(policy.types)
            return replace(floor.measure, transport=transport, text=f"不可短时停产，执行本行业最低等级措施：{label}")
        return strictest


class SelfManagedGrade:
    """A and 引领性 firms reduce voluntarily; an entered measure is kept as their commitment, shown, not counted
    unless the ``count_self_commitment`` setting says so."""

    name = "self_managed_grade"

    def applies(self, ctx):
        e = ctx.enterprise
        return e.category_code == GRADED and e.grade_code in ctx.policy.self_managed_grades

    def measure(self, ctx):
        entered, types = ctx.entered, ctx.policy.types
        commitment = ""
        if entered is not None and entered.action not in (SELF, NONE):
            commitment = entered.text or entered.full_label(types)
        counted = None
        if ctx.policy.count_self_commitment and entered is not None:
            counted = entered.cut(types, ctx.line.params) or 0.0
        return verdict(ctx, self.name, Measure(SELF, text=SELF_MANAGED_TEXT, indicators=_indicators(ctx)),
                       "A级、引领性企业自主采取减排措施", counted=counted, commitment=commitment)


class Livelihood:
    """民生 firms (residential heating, life services) are listed but neither stop nor limit."""

    name = "livelihood"

    def applies(self, ctx):
        return ctx.enterprise.category_code == LIVELIHOOD

    def measure(self, ctx):
        measure = Measure(NONE, text="民生类，列入清单，不停限产", indicators=_indicators(ctx))
        return verdict(ctx, self.name, measure, "居民供暖锅炉、生活服务业列入清单但不采取停限产措施")


class Guaranteed:
    """保障类 firms carry out their guaranteed task only: a capped load (以热定产/以量定产) or a stronger cut,
    and they must state why they are 保障类."""

    name = "guarantee_measure"

    def applies(self, ctx):
        return ctx.enterprise.category_code == GUARANTEED

    def measure(self, ctx):
        problems = _reason_problem(ctx, "保障类别（保障民生、保障城市正常运转或国家战略性产业）")
        entered, types = ctx.entered, ctx.policy.types
        if entered is not None and not _capped_or_stronger(entered, types, ctx.line.params):
            problems += (Problem(ERROR, "missing_cap", CAPPED_HINT),)
        # The guaranteed task goes into the reason, so a published version and the firm's 告知书 state it.
        task = ctx.enterprise.category_reason.strip()
        reason = f"保障类企业仅承担保障任务（{task}）" if task else "保障类企业仅承担保障任务"
        return verdict(ctx, self.name, entered, reason, problems=problems)


def _capped_or_stronger(measure, types, params):
    kind = types[measure.action]
    if kind.order_kind == "capped":
        return measure.cap_pct is not None and measure.cap_pct < 100
    return kind.order_kind in ("stop", "limit") and (measure.cut(types, params) or 0.0) > 0


class SmallMicro:
    """Small and micro low-emission firms may take a lighter measure: the small-micro floor, shown as such."""

    name = "small_micro"

    def applies(self, ctx):
        e = ctx.enterprise
        return e.small_micro and e.annual_t_yr <= ctx.policy.small_micro_threshold_t_yr

    def measure(self, ctx):
        reason = (f"小微涉气企业（年排放量{ctx.enterprise.annual_t_yr:g}吨，"
                  f"不超过{ctx.policy.small_micro_threshold_t_yr:g}吨），视情减少管控措施")
        return judge_against_floor(ctx, self.name, ctx.floor(SMALL_MICRO_SCOPE), reason)


class EnteredWithFloor:
    """Everyone else takes the entered measure, flagged (never replaced) when weaker than the floor."""

    name = "entered_measure"

    def applies(self, ctx):
        return True

    def measure(self, ctx):
        e = ctx.enterprise
        problems = ()
        if e.small_micro:
            problems = (Problem(WARNING, "small_micro_over", f"标记为小微企业，但年排放量{e.annual_t_yr:g}吨超过"
                                f"{ctx.policy.small_micro_threshold_t_yr:g}吨，按行业措施底线管控"),)
        reason = ("按填报措施执行，不低于行业措施底线" if e.category_code == GRADED
                  else "非重点行业按一般管控措施底线执行")
        return judge_against_floor(ctx, self.name, ctx.floor(), reason, problems)


def judge_against_floor(ctx, rule, floor, reason, problems=()):
    """The entered measure, with an error when missing or weaker than ``floor``."""
    entered, types = ctx.entered, ctx.policy.types
    if entered is None:
        return verdict(ctx, rule, None, reason, floor=floor, problems=problems)
    if floor is not None:
        reasons = weaker_than(entered, floor.measure, types, ctx.line.params)
        if reasons:
            message = f"低于行业措施底线（底线：{floor.measure.full_label(types)}）：{'；'.join(reasons)}"
            problems += (Problem(ERROR, "below_floor", message),)
    return verdict(ctx, rule, entered, reason, floor=floor, problems=problems)


def _indicators(ctx):
    return ctx.entered.indicators if ctx.entered else ""


RULES = (InvalidClassification(), NonCompliant(), SelfManagedGrade(), Livelihood(), Guaranteed(), SmallMicro(),
         EnteredWithFloor())
RULES_BY_NAME = {rule.name: rule for rule in RULES}


def get_rule(name):
    """Return the rule called ``name``; raises KeyError for an unknown name."""
    return RULES_BY_NAME[name]


def effective_measure(enterprise, line, entered, level, policy):
    """Apply the first matching rule to one line and return its ``EffectiveMeasure``."""
    ctx = RuleContext(enterprise, line, level, entered, policy)
    return next(rule for rule in RULES if rule.applies(ctx)).measure(ctx)


def judge_enterprise(enterprise, lines, level, policy):
    """The verdicts of an enterprise's lines at ``level``: ``lines`` holds (LineFacts, entered Measure | None)."""
    verdicts = [effective_measure(enterprise, facts, entered, level, policy) for facts, entered in lines]
    return check_line_shares([facts for facts, _ in lines], verdicts, policy.types)


__all__ = ["ERROR", "WARNING", "EffectiveMeasure", "Problem", "EnterpriseFacts", "LineFacts", "RuleContext",
           "RULES", "get_rule", "effective_measure", "judge_enterprise"]
