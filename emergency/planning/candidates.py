"""What the solver may change: the list's lines at a level, with the stronger measures each may take, its lost
production per unit of cut, its place on the grade ladder, and the shortfalls of the counties in scope.

- Untouched: lines whose rule is not the plain floor rule (A/引领性, 民生, 保障类, 小微 within the threshold, not
  graded firms, invalid classifications), lines in error (their measure is not issued) and lines stopped by
  staggered production (错峰停产中).
- Staggered at 错峰限产 X%: eligible; candidates and the ladder compare the typed measures' own cut fractions, while
  the reduction and the lost production of a cut apply to the remaining (1 − X%) output, as the list counts them.
- Candidates of a line: every measure its industry's floor rows use (any grade, level or process; non-key firms:
  the general floors) with a 停产 or 限产 kind, plus 停产 itself; a line that cannot stop at short notice takes
  停产保温 instead and never 停产. 按生产线停产 is a firm's choice among several lines and is not proposed. Only
  candidates that cut more than the line's current measure are kept, with the stronger of the two transport rules,
  so no measure is ever weakened and every floor stays met.
- Ladder: the lines of graded firms, grouped by industry and 工序 (one level per solve), ranked by the grade's
  sort order; within one scope (a county, or the city).
- Lost production: the firm's 年产值 (万元) spread over its lines by capacity (equally when a capacity is missing),
  per operating day. Fallbacks, in order, for a firm without one: the median of its industry's lines that have
  one, the median of all such lines, and, when no firm has one, one unit per line (cost = added cut fractions).
"""
import hashlib
import statistics
from dataclasses import dataclass, replace

from emergency.baseline.seasons import season_in_force
from emergency.lists.accounting import Accumulator, non_industrial_values, reference_values
from emergency.lists.inputs import Facts, RuleInputs, annual_total, entered
from emergency.lists.listing import _list_select, counties, firms
from emergency.lists.policy import GENERAL_SCOPE, GRADED_SCOPE
from emergency.lists.rules import GRADED
from emergency.planning.solver import Line, Option
from emergency.registry.measures import HOT_STANDBY, LINE_SHARE, STOP, TRANSPORT_RANK, LineParams, Measure
from emergency.text import fold
from models import POLLUTANTS, Enterprise, ProductionLine, db

ELIGIBLE_RULE = "entered_measure"
VALUE_BASES = {"own": "企业年产值", "industry": "同行业中位数", "city": "全部企业中位数",
               "equal": "等权（每条生产线1）"}
_ANNUAL = 10   # listing's row layout: after the facts, 10 values, then the annual emissions and the measure


@dataclass
class PlanLine:
    """One list line as the solver and the proposal see it."""

    line_id: int
    enterprise_id: int
    county_id: int
    county_name: str
    enterprise_name: str
    line_name: str
    grade_label: str
    industry: str
    verdict: object
    daily: dict
    eligible: bool
    reductions: dict = None      # what the list counts today, t/d per pollutant (the accounting's row interface)
    staggered: dict = None       # what staggered production in force already removes, t/d per pollutant
    candidates: tuple = ()       # (Measure, cut)
    ladder: tuple | None = None
    daily_value: float = 1.0     # lost production of a full cut, 万元/日 (or 1 per line under the equal fallback)
    value_basis: str = "equal"

    @property
    def measure(self):
        return self.verdict

    @property
    def remaining(self):
        """The share of the output that staggering leaves running (1 without staggering)."""
        return 1.0 - self.verdict.staggered

    @property
    def current_cut(self):
        """The cut fraction of the line's measure itself, before staggering scales it to the remaining output."""
        return self.verdict.cut / self.remaining if self.remaining > 0 else 0.0


def industry_measures(policy):
    """{(scope, industry id or None): [Measure]} of the stop and limit measures the floor rows use."""
    found = {}
    for floor in policy.floors:
        kind = policy.types[floor.measure.action]
        if kind.order_kind in ("stop", "limit") and floor.measure.action != LINE_SHARE:
            key = (floor.scope, floor.industry_id)
            measures = found.setdefault(key, [])
            bare = Measure(floor.measure.action, floor.measure.limit_pct, floor.measure.other_fraction,
                           floor.measure.hours, floor.measure.cap_pct)
            if bare not in measures:
                measures.append(bare)
    return found


def candidates(verdict, params, measures, policy, current=None):
    """The (Measure, cut) a line may move to: stronger than its verdict (cut ``current``, default the verdict's),
    one per cut, weakest first."""
    types = policy.types
    current = verdict.cut if current is None else current
    base = [STOP if params.can_stop_quickly else HOT_STANDBY]
    pool = [m for m in measures if params.can_stop_quickly or m.action != STOP] + [Measure(code) for code in base]
    transport = verdict.measure.transport
    best = {}
    for measure in pool:
        cut = measure.cut(types, params)
        if cut is None or cut <= current + 1e-9:
            continue
        if TRANSPORT_RANK[measure.transport] < TRANSPORT_RANK[transport]:
            measure = replace(measure, transport=transport)
        measure = replace(measure, text=measure.label(types),
                          indicators=verdict.measure.indicators)
        key = round(cut, 9)
        if key not in best or types[measure.action].sort_order < types[best[key][0].action].sort_order:
            best[key] = (measure, cut)
    return tuple(best[key] for key in sorted(best))


def read_lines(level, county=None):
    """[PlanLine] of the scope at ``level`` and the ``Summary`` of its accounting, in one pass over the list."""
    inputs = RuleInputs()
    policy = inputs.policy
    by_industry = industry_measures(policy)
    industries = {i.id: i for i in inputs.classifications.industries.values()}
    grades = inputs.grades
    scope = counties(county.id if county else None)
    season = season_in_force()
    baselines, ratios = reference_values(level, season)
    accumulator = Accumulator(level, [(c.id, c.name) for c in scope], baselines, ratios,
                              non_industrial_values(level, season))
    stmt = _list_select(level, county.id if county else None).add_columns(
        Enterprise.output_value, ProductionLine.version, Enterprise.version)
    width, n = len(Facts._fields), len(POLLUTANTS)
    lines, extras, memo = [], {}, {}
    for rows in firms(db.session.execute(stmt.execution_options(yield_per=500)), width + 2):
        firm = [(Facts._make(row[:width]), row[width:]) for row in rows]
        annuals = [rest[_ANNUAL:_ANNUAL + n] for _, rest in firm]
        measures = [entered(*rest[_ANNUAL + n:-3]) for _, rest in firm]
        verdicts = inputs.judge_firm(list(zip([f for f, _ in firm], measures)), level, annual_total(annuals))
        for (facts, rest), annual, measure, verdict in zip(firm, annuals, measures, verdicts):
            county_id, county_name, enterprise_id, name, _code, line_id, line_name, stage, _fac, days = \
                rest[:_ANNUAL]
            output_value, line_version, enterprise_version = rest[-3:]
            line = PlanLine(
                line_id=line_id, enterprise_id=enterprise_id, county_id=county_id, county_name=county_name,
                enterprise_name=name, line_name=line_name, industry=industries[facts.industry_id].display_name,
                grade_label=grades[facts.grade_code].label if facts.grade_code in grades else "",
                verdict=verdict, daily={p: (a or 0.0) / days if days else 0.0 for p, a in zip(POLLUTANTS, annual)},
                eligible=verdict.rule == ELIGIBLE_RULE and not verdict.is_error and verdict.staggered < 1.0)
            counted = verdict.counted
            line.reductions = {p: amount * counted for p, amount in line.daily.items()}
            line.staggered = {p: amount * verdict.staggered for p, amount in line.daily.items() if verdict.staggered}
            if line.eligible:
                params = LineParams(bool(facts.can_stop_quickly), facts.coking_hours, facts.capacity)
                scope_key = GRADED_SCOPE if facts.category_code == GRADED else GENERAL_SCOPE
                pool = by_industry.get((scope_key, facts.industry_id), []) + (
                    by_industry.get((GENERAL_SCOPE, None), []) if scope_key == GENERAL_SCOPE else [])
                key = (verdict, params.can_stop_quickly, params.coking_hours, scope_key, facts.industry_id)
                if key not in memo:
                    memo[key] = candidates(verdict, params, pool, policy, line.current_cut)
                line.candidates = memo[key]
                if facts.category_code == GRADED and facts.grade_code in grades:
                    line.ladder = ((facts.industry_id, fold(stage or "")), grades[facts.grade_code].sort_order)
            extras[line_id] = (measure, line_version, enterprise_version, output_value, facts.capacity, days,
                               facts.industry_id)
            accumulator.add(line)
            lines.append(line)
    _spread_values(lines, extras)
    return lines, accumulator.result(), _fingerprint(level, county, lines, extras, accumulator)


def _own_values(lines, extras):
    """{line id: 万元/日} of the lines whose firm entered a 年产值, spread by capacity (equally without one)."""
    by_firm = {}
    for line in lines:
        by_firm.setdefault(line.enterprise_id, []).append(line)
    own = {}
    for firm_lines in by_firm.values():
        value = extras[firm_lines[0].line_id][3]
        if value is None:
            continue
        capacities = [extras[line.line_id][4] for line in firm_lines]
        weights = capacities if all(c and c > 0 for c in capacities) else [1.0] * len(firm_lines)
        for line, weight in zip(firm_lines, weights):
            own[line.line_id] = value * weight / sum(weights) / (extras[line.line_id][5] or 300)
    return own


def _spread_values(lines, extras):
    """Each line's lost production of a full cut (万元/日), with the fallbacks of the module docstring."""
    own = _own_values(lines, extras)
    per_industry = {}
    for line in lines:
        if line.line_id in own:
            per_industry.setdefault(extras[line.line_id][6], []).append(own[line.line_id])
    medians = {k: statistics.median(v) for k, v in per_industry.items()}
    everyone = statistics.median(own.values()) if own else None
    for line in lines:
        industry = extras[line.line_id][6]
        if line.line_id in own:
            line.daily_value, line.value_basis = own[line.line_id], "own"
        elif industry in medians:
            line.daily_value, line.value_basis = medians[industry], "industry"
        elif everyone is not None:
            line.daily_value, line.value_basis = everyone, "city"
        else:
            line.daily_value, line.value_basis = 1.0, "equal"


def _fingerprint(level, county, lines, extras, accumulator):
    """A digest of everything the proposal depends on: the level and scope, the lines' and firms' versions, the
    entered measures, the verdicts' cuts, values, baselines, ratios and non-industrial reductions."""
    digest = hashlib.sha256(f"{level}:{county.id if county else 'city'}".encode())
    for line in lines:
        measure, line_version, enterprise_version, value = extras[line.line_id][:4]
        digest.update(repr((line.line_id, line_version, enterprise_version, measure and measure.key,
                            round(line.verdict.counted, 9), value)).encode())
    digest.update(repr(sorted(accumulator.baselines.items())).encode())
    digest.update(repr(sorted(accumulator.ratios.items())).encode())
    digest.update(repr(sorted(accumulator.non_industrial.items())).encode())
    return digest.hexdigest()[:32]


def solver_lines(lines):
    """The solver's ``Line`` values of the eligible lines (keyed by line id): cuts are the measures' own, the daily
    emission and the lost production those of the output staggering leaves running."""
    return [Line(key=line.line_id, county=line.county_id, current=line.current_cut,
                 options=tuple(Option(cut, measure) for measure, cut in line.candidates),
                 daily={p: amount * line.remaining for p, amount in line.daily.items()},
                 value=line.daily_value * line.remaining, ladder=line.ladder) for line in lines if line.eligible]


def shortfalls(summary):
    """{(county id, pollutant): t/d} still missing in each county of the scope."""
    return {(t.county_id, p): check.shortfall for t in summary.counties for p, check in t.checks.items()
            if check.shortfall}
