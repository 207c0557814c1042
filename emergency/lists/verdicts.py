"""The rules' verdict on a line (``EffectiveMeasure``) and the checks every rule shares.

A verdict keeps the entered measure next to the one on the list, the rule and its reason, the floor it was
judged against, the fraction counted in the accounting, and every problem found (errors and warnings).
"""
from dataclasses import dataclass, replace

from emergency.registry.measures import (
    ANY_LINE,
    EPSILON,
    HOT_STANDBY,
    LINE_SHARE,
    STOP,
    TRANSPORT_RANK,
    Measure,
    MeasureTypes,
)
from emergency.text import fold

ERROR, WARNING = "error", "warning"
# Rules whose treatment the list and the order state with their reason even when nothing was replaced: a firm
# must read why it is not graded, or why it may take a lighter measure.
EXPLAINED_RULES = ("non_compliant", "small_micro", "staggered_stop")
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告"}
OK, STATUS_WARNING, STATUS_ERROR = "ok", "warning", "error"


@dataclass(frozen=True)
class Problem:
    """Something wrong with, or worth knowing about, a line's measure."""

    severity: str
    code: str
    message: str


@dataclass(frozen=True)
class EffectiveMeasure:
    """The measure that goes on the list for one line and level, and why."""

    measure: Measure | None
    label: str
    full_label: str
    order_kind: str
    cut: float
    rule: str
    reason: str
    entered: Measure | None = None
    entered_label: str = ""
    imposed: bool = False
    floor: Measure | None = None
    floor_label: str = ""
    commitment: str = ""
    problems: tuple = ()
    # Staggered production (错峰生产) in force: the share of output it already removes, and the regime's label.
    staggered: float = 0.0
    stagger_label: str = ""

    # Plain views kept for templates, exports and versions.
    @property
    def action(self):
        return self.measure.action if self.measure else None

    @property
    def limit_pct(self):
        return self.measure.limit_pct if self.measure else None

    @property
    def other_fraction(self):
        return self.measure.other_fraction if self.measure else None

    @property
    def text(self):
        return self.measure.text if self.measure else ""

    @property
    def indicators(self):
        return self.measure.indicators if self.measure else ""

    @property
    def cut_fraction(self):
        return self.cut

    @property
    def counted(self):
        """The fraction the accounting counts: none for a line in error, whose measure is not issued."""
        return 0.0 if self.is_error else self.cut

    @property
    def errors(self):
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self):
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def is_error(self):
        return bool(self.errors)

    @property
    def status(self):
        if self.is_error:
            return STATUS_ERROR
        return STATUS_WARNING if self.warnings else OK

    @property
    def problem(self):
        """The errors in Chinese, one sentence each."""
        return "；".join(p.message for p in self.errors)

    @property
    def explains(self):
        """Whether the list and the order print the rule's reason next to the measure."""
        return self.imposed or self.rule in EXPLAINED_RULES

    @property
    def is_stop_or_limit(self):
        """Whether the line must stop or cut its output (and so its firm gets a 停限产通知单)."""
        return self.order_kind in ("stop", "limit") and self.cut > 0


def _label(measure, types):
    return (measure.label(types), measure.full_label(types)) if measure else ("未填写", "未填写")


def verdict(ctx, rule, measure, reason, *, floor=None, problems=(), counted=None, commitment=""):
    """Build the verdict of ``rule``: labels, the counted cut, and the warnings every rule shares."""
    types, params, entered = ctx.policy.types, ctx.line.params, ctx.entered
    problems = list(problems)
    label, full_label = _label(measure, types)
    if measure is None and not any(p.severity == ERROR for p in problems):
        problems.append(Problem(ERROR, "missing", "未填写本级别措施"))
    imposed = measure is not None and entered is not None and measure.key != entered.key
    if imposed:
        problems.append(Problem(WARNING, "imposed",
                                f"填报“{entered.full_label(types)}”，按规则执行“{full_label}”：{reason}"))
    cut = counted
    if cut is None and measure is not None:
        cut = measure.cut(types, params)
        if cut is None:
            problems.append(Problem(ERROR, "no_coking_hours",
                                    "未填写生产线正常结焦时间（小时），无法核算“延长结焦时间”的削减量"))
        elif measure.action == STOP and not params.can_stop_quickly and HOT_STANDBY in types:
            cut = types[HOT_STANDBY].fraction
            problems.append(Problem(WARNING, "hot_counted", f"该生产线不可短时停产，“停产”按"
                                    f"{types[HOT_STANDBY].label}核算（削减{cut * 100:g}%）"))
    return EffectiveMeasure(
        measure=measure, label=label, full_label=full_label,
        order_kind=types[measure.action].order_kind if measure else "none", cut=cut or 0.0, rule=rule,
        reason=reason, entered=entered, entered_label=entered.full_label(types) if entered else "",
        imposed=imposed, floor=floor.measure if floor else None,
        floor_label=floor.measure.full_label(types) if floor else "", commitment=commitment,
        problems=tuple(problems))


def at_least(measure, target, types, params=ANY_LINE):
    """Whether ``measure`` is at least as strong as ``target``: cut fraction and transport rule both."""
    if TRANSPORT_RANK[measure.transport] < TRANSPORT_RANK[target.transport]:
        return False
    mine, theirs = measure.cut(types, params), target.cut(types, params)
    return mine is not None and theirs is not None and mine >= theirs - EPSILON


def check_line_shares(lines, verdicts, types):
    """Judge 按生产线停产 floors per enterprise: among the firm's lines of one process under such a floor,
    the stopped capacity (or the number of lines, when a capacity is missing) must reach the floor's share."""
    groups = {}
    for index, (facts, found) in enumerate(zip(lines, verdicts)):
        floor = found.floor
        if floor is not None and floor.action == LINE_SHARE:
            groups.setdefault((floor.key, fold(facts.process)), []).append(index)
    verdicts = list(verdicts)
    for indexes in groups.values():
        share = (verdicts[indexes[0]].floor.limit_pct or 0.0) / 100.0
        weights = [lines[i].params.capacity for i in indexes]
        if not all(w and w > 0 for w in weights):
            weights = [1.0] * len(indexes)
        done = sum(w * _stopped_share(verdicts[i].measure, types) for i, w in zip(indexes, weights))
        achieved = done / sum(weights)
        if achieved + EPSILON >= share:
            continue
        process = lines[indexes[0]].process or "同一工序"
        message = (f"按生产线停产不足：本企业“{process}”的生产线应停产{share * 100:g}%（以生产线计），"
                   f"现停产{achieved * 100:.4g}%")
        for i in indexes:
            if _stopped_share(verdicts[i].measure, types) < 1:
                verdicts[i] = replace(verdicts[i], problems=verdicts[i].problems + (
                    Problem(ERROR, "line_share", message),))
    return verdicts


def _stopped_share(measure, types):
    if measure is None:
        return 0.0
    if types[measure.action].stops_line:
        return 1.0
    if measure.action == LINE_SHARE:
        return (measure.limit_pct or 0.0) / 100.0
    return 0.0


__all__ = ["ERROR", "WARNING", "SEVERITY_LABELS", "Problem", "EffectiveMeasure", "MeasureTypes", "verdict",
           "at_least", "check_line_shares"]
