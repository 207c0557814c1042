"""A proposal of the target solver for a level and scope, and its acceptance through the normal line edit.

``make_proposal`` reads the list (``candidates.read_lines``), solves, and returns the changed lines with their
reductions and cost, the totals before and after against the targets, what cannot be closed, and a fingerprint
of its inputs. ``accept`` recomputes the proposal, refuses it when the fingerprint differs (the registry changed
since it was shown), and otherwise saves the chosen lines with ``registry.operations.save_line``: audit trail,
history and optimistic locking as for a clerk's edit. It flushes; the caller commits.
"""
from dataclasses import dataclass, field

from emergency.errors import DomainError
from emergency.planning.candidates import VALUE_BASES, read_lines, shortfalls, solver_lines
from emergency.planning.solver import solve
from emergency.registry import operations as ops
from emergency.registry.measures import MeasureTypes
from models import POLLUTANTS, MeasureType, ProductionLine, db

STALE = "登记信息在方案生成后已被修改，原方案作废，已按最新登记信息重新测算，请核对后再确认。"
NOTHING_CHOSEN = "请至少选择一项调整。"
NOT_IN_PROPOSAL = "所选生产线不在当前方案中，请刷新后重试。"
STATUS_NOTES = {
    "limit": "测算在限定时间内未能证明最优，以下为已找到的最好方案，损失产值可能略高于最低值。",
    "fallback": ("测算在限定时间内未找到最低成本方案，以下为可达到目标（或最大可达减排量）的最严方案，并非最低成本，"
                 "建议缩小范围（按县）重新测算。"),
}


@dataclass
class Change:
    """One line the proposal tightens."""

    line_id: int
    enterprise_id: int
    county_id: int
    county_name: str
    enterprise_name: str
    line_name: str
    industry: str
    grade_label: str
    before: str
    after: str
    before_cut: float
    after_cut: float
    added: dict          # t/d per pollutant
    cost: float
    value_basis: str
    measure: object      # the Measure to write
    closes_gap: bool = True   # False: raised only so that the grade ladder holds (no shortfall it helps)

    @property
    def reason(self):
        return "补足减排缺口" if self.closes_gap else "保持分级差异（较高等级企业已加严）"

    @property
    def basis_label(self):
        return VALUE_BASES[self.value_basis]


@dataclass
class CountyTotals:
    county_id: int | None
    name: str
    rows: list = field(default_factory=list)   # (pollutant, before, after, target, met before, met after)


@dataclass
class Proposal:
    level: str
    county: object
    fingerprint: str
    changes: list
    totals: list
    cost: float
    unreachable: list      # (county name, pollutant, t/d still missing)
    relaxed: int           # ladder pairs the registry already breaks beyond repair
    fallback_lines: int    # changed lines whose lost production is estimated (no 产值 of their own)
    equal_weight: bool     # no firm in scope has a 产值: cost is in added cut fractions per line
    untouched: int         # lines the solver may not change
    eligible: int
    status: str = "optimal"   # optimal; limit (HiGHS's best within its time); fallback (the strongest assignment)

    @property
    def status_note(self):
        return STATUS_NOTES.get(self.status, "")

    @property
    def feasible(self):
        return not self.unreachable

    @property
    def cost_unit(self):
        return "生产线当量" if self.equal_weight else "万元/日"


def make_proposal(level, county=None):
    """The least-cost proposal closing the scope's shortfalls at ``level`` (see the package docstring)."""
    lines, summary, fingerprint = read_lines(level, county)
    gaps = shortfalls(summary)
    solution = solve(solver_lines(lines), gaps)
    types = MeasureTypes.from_rows(db.session.query(MeasureType).all())
    by_id = {line.line_id: line for line in lines}
    changes = []
    for line_id, option in solution.choices.items():
        line = by_id[line_id]
        added_cut, remaining = option.cut - line.current_cut, line.remaining
        changes.append(Change(
            line_id=line_id, enterprise_id=line.enterprise_id, county_id=line.county_id,
            county_name=line.county_name, enterprise_name=line.enterprise_name, line_name=line.line_name,
            industry=line.industry, grade_label=line.grade_label, before=line.verdict.full_label,
            after=option.payload.full_label(types), before_cut=line.current_cut, after_cut=option.cut,
            added={p: line.daily[p] * remaining * added_cut for p in POLLUTANTS},
            cost=line.daily_value * remaining * added_cut,
            value_basis=line.value_basis, measure=option.payload,
            closes_gap=any(gaps.get((line.county_id, p), 0) > 0 and line.daily[p] > 0 for p in POLLUTANTS)))
    changes.sort(key=lambda c: (c.county_name, c.enterprise_name, c.line_name))
    names = {t.county_id: t.name for t in summary.counties}
    return Proposal(
        level=level, county=county, fingerprint=fingerprint, changes=changes,
        totals=_totals(summary, solution.added), cost=solution.cost,
        unreachable=[(names[c], p, amount) for (c, p), amount in sorted(solution.unreachable.items(),
                                                                           key=lambda kv: (names[kv[0][0]], kv[0][1]))],
        relaxed=len(solution.relaxed), fallback_lines=sum(c.value_basis != "own" for c in changes),
        equal_weight=all(line.value_basis == "equal" for line in lines),
        untouched=sum(not line.eligible for line in lines), eligible=sum(line.eligible for line in lines),
        status=solution.status)


def _totals(summary, added):
    rows = []
    for totals in summary.counties + [summary.total]:
        county = CountyTotals(totals.county_id, totals.name)
        for p in POLLUTANTS:
            check = totals.checks[p]
            extra = (sum(v for (c, q), v in added.items() if q == p) if totals.county_id is None
                     else added.get((totals.county_id, p), 0.0))
            after = check.reduction + extra
            target = check.target
            county.rows.append((p, check.reduction, after, target, check.status,
                                check.status if target is None else
                                ("达标" if after >= target - 1e-9 else "未达标")))
        rows.append(county)
    return rows


def accept(level, county, fingerprint, line_ids):
    """Save the chosen changes of the current proposal; raises ``StaleProposal`` (carrying the recomputed
    proposal) when the registry changed since ``fingerprint``; returns the saved ``Change`` list."""
    if not line_ids:
        raise DomainError({"lines": NOTHING_CHOSEN})
    proposal = make_proposal(level, county)
    if proposal.fingerprint != fingerprint:
        raise StaleProposal(proposal)
    chosen = {c.line_id: c for c in proposal.changes}
    if not set(line_ids) <= set(chosen):
        raise DomainError({"lines": NOT_IN_PROPOSAL})
    saved = []
    for line_id in sorted(set(line_ids)):
        change = chosen[line_id]
        line = db.session.get(ProductionLine, line_id)
        measure = change.measure
        values = {name: getattr(line, name) for name in ops.LINE_FIELDS}
        measures = {level: {"action": measure.action, "limit_pct": measure.limit_pct,
                            "other_fraction": measure.other_fraction, "hours": measure.hours,
                            "cap_pct": measure.cap_pct, "transport": measure.transport, "text": measure.text,
                            "indicators": measure.indicators}}
        ops.save_line(line.enterprise, values, measures, line=line, expected_version=line.version)
        saved.append(change)
    return saved


class StaleProposal(DomainError):
    """The registry changed since the proposal was shown; ``proposal`` is the recomputed one."""

    def __init__(self, proposal):
        super().__init__({"fingerprint": STALE})
        self.proposal = proposal
