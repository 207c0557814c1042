"""The least-cost target solver as a pure mixed-integer program (no database, no Flask).

Each candidate line keeps its measure or takes exactly one of its stronger options (binary x[i,k]). A line's cut
is ``current + sum_k x[i,k] * (cut_k - current)``. Constraints:

- coverage: per (county, pollutant) with a shortfall, the added reduction ``sum d[i,p] * added cut`` reaches the
  shortfall (rows scaled by it, so every right-hand side is at most 1);
- the grade ladder: within a ladder group (industry, level, process; see ``candidates``) and for each pair of
  grades present one after the other, the largest cut of the better grade is at most the smallest cut of the
  worse grade (plus a slack that is zero unless the registry already breaks the ladder beyond repair). Two
  continuous variables per (group, grade), the group's max and min, keep this linear in the number of lines.

Objective: the least lost production ``sum value[i] * added cut``.

The feasible assignments are closed under the line-wise maximum (the ladder is max-of-better <= min-of-worse), so
one assignment reaches the largest reduction of every county and pollutant at once (``strongest_cuts``, computed
directly). Each coverage row asks for the shortfall or, where that is out of reach, that largest reduction: the
program is always feasible, and the unreachable rest is reported. Should HiGHS find no solution within its time
limit, that strongest assignment is returned, marked "fallback".

The engine is HiGHS through ``scipy.optimize.milp`` (README: "Target solver" for the measurement).
"""
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from emergency.planning.ladder import TOLERANCE, ladder_slacks, strongest_cuts

TIME_LIMIT_S = 10.0
# HiGHS stops when the proven gap to the optimum is below this share of the cost.
MIP_GAP = 1e-6


@dataclass(frozen=True)
class Option:
    """One stronger measure a line may take: its cut fraction and an opaque payload (the measure)."""

    cut: float
    payload: object = None


@dataclass(frozen=True)
class Line:
    """A line the solver may tighten (or a fixed one that only takes part in the ladder: no options).

    :param daily: {pollutant: t/d}, the line's daily baseline emission;
    :param value: the lost production of a full cut (cost per unit of added cut fraction);
    :param ladder: (group key, grade rank) or None when the line is outside the grade ladder.
    """

    key: object
    county: object
    current: float
    options: tuple = ()
    daily: dict = field(default_factory=dict)
    value: float = 1.0
    ladder: tuple | None = None


@dataclass
class Solution:
    """The chosen option per line key (only changed lines), its cost, and what was and was not reached."""

    choices: dict
    cost: float
    added: dict            # {(county, pollutant): t/d added}
    reached: dict          # {(county, pollutant): t/d the proposal must add: the shortfall or the reachable max}
    unreachable: dict      # {(county, pollutant): t/d that stays missing}
    relaxed: list          # [(group key, better rank, worse rank, slack)] ladder pairs the registry already breaks
    status: str = "optimal"
    gap: float = 0.0       # HiGHS's proven relative gap to the least cost

    @property
    def feasible(self):
        return not self.unreachable


class _Program:
    """The MILP's columns and rows, built once and solved for either phase."""

    def __init__(self, lines, shortfalls):
        self.lines = lines
        self.slacks = ladder_slacks(lines)
        laddered = {(g, r) for g, better, worse in self.slacks for r in (better, worse)}
        short = {key for key, amount in shortfalls.items() if amount > 0}
        self.columns = []                       # (line index, option index)
        by_line = []
        for i, line in enumerate(lines):
            by_line.append([])
            # A line that helps no shortfall and is bound by no ladder pair would only add cost: no columns.
            if (tuple(line.ladder or ()) not in laddered
                    and not any((line.county, p) in short for p, amount in line.daily.items() if amount > 0)):
                continue
            for k, option in enumerate(line.options):
                if option.cut > line.current + TOLERANCE:
                    by_line[i].append(len(self.columns))
                    self.columns.append((i, k))
        self.by_line = by_line
        self.binaries = len(self.columns)
        self.ladder = self._ladder_columns()
        self.width = self.binaries + 2 * len(self.ladder)
        self.rows, self.cols, self.vals, self.lower, self.upper = [], [], [], [], []
        self._one_option_per_line()
        self._ladder_rows()
        self.coverage = {}
        for key, shortfall in shortfalls.items():
            if shortfall > 0:
                self.coverage[key] = self._coverage_row(*key, shortfall)

    def added_cut(self, column):
        i, k = self.columns[column]
        return self.lines[i].options[k].cut - self.lines[i].current

    def _row(self, entries, lower, upper):
        row = len(self.lower)
        for col, val in entries:
            self.rows.append(row)
            self.cols.append(col)
            self.vals.append(val)
        self.lower.append(lower)
        self.upper.append(upper)
        return row

    def _one_option_per_line(self):
        for columns in self.by_line:
            if len(columns) > 1:
                self._row([(c, 1.0) for c in columns], -np.inf, 1.0)

    def _ladder_columns(self):
        """{(group, rank): (max column, min column)} for every grade of a group that has a ladder pair."""
        ranks = sorted({(g, r) for g, better, worse in self.slacks for r in (better, worse)}, key=repr)
        return {key: (self.binaries + 2 * n, self.binaries + 2 * n + 1) for n, key in enumerate(ranks)}

    def _ladder_rows(self):
        """cut_i <= max and cut_i >= min of its grade; a line without options only bounds them."""
        self.col_lower, self.col_upper = np.zeros(self.width), np.ones(self.width)
        for i, line in enumerate(self.lines):
            columns = self.ladder.get(tuple(line.ladder)) if line.ladder is not None else None
            if columns is None:
                continue
            high, low = columns
            if not self.by_line[i]:
                self.col_lower[high] = max(self.col_lower[high], line.current)
                self.col_upper[low] = min(self.col_upper[low], line.current)
                continue
            terms = [(c, self.added_cut(c)) for c in self.by_line[i]]
            # cut_i = current + sum(added * x)
            self._row(terms + [(high, -1.0)], -np.inf, -line.current)
            self._row(terms + [(low, -1.0)], -line.current, np.inf)
        for (group, better, worse), slack in self.slacks.items():
            high, _ = self.ladder[(group, better)]
            _, low = self.ladder[(group, worse)]
            self._row([(high, 1.0), (low, -1.0)], -np.inf, slack)

    def _coverage_row(self, county, pollutant, shortfall):
        terms = []
        for i, line in enumerate(self.lines):
            amount = line.daily.get(pollutant, 0.0)
            if line.county == county and amount > 0:
                terms.extend((c, amount * self.added_cut(c) / shortfall) for c in self.by_line[i])
        return self._row(terms, 1.0, np.inf)

    def solve(self, objective, required=None):
        """Minimise ``objective`` (per binary column); ``required`` {key: share of the shortfall} overrides the
        coverage rows' right-hand sides."""
        if self.width == 0:
            return np.zeros(0, dtype=int), SimpleNamespace(status=0, message="")
        lower = np.array(self.lower, dtype=float)
        for key, row in self.coverage.items():
            if required is not None and np.isfinite(self.lower[row]):
                lower[row] = required[key] - TOLERANCE
        c = np.zeros(self.width)
        c[:self.binaries] = objective
        integrality = np.zeros(self.width)
        integrality[:self.binaries] = 1
        constraints = ()
        if self.lower:
            matrix = coo_array((self.vals, (self.rows, self.cols)), shape=(len(self.lower), self.width)).tocsr()
            constraints = LinearConstraint(matrix, lower, np.array(self.upper, dtype=float))
        bounds = Bounds(self.col_lower, self.col_upper)
        # Presolve off: on the 20,000-firm bench, HiGHS's presolve (as scipy 1.17.1 ships it) failed to map the
        # solutions it found back and overran its time limit; without it the same instance stops on time with a
        # solution within 0.2% of the bound.
        result = milp(c, constraints=constraints, integrality=integrality, bounds=bounds,
                      options={"time_limit": TIME_LIMIT_S, "mip_rel_gap": MIP_GAP, "presolve": False})
        if result.x is None:
            return None, result
        return np.round(result.x[:self.binaries]).astype(int), result

    def fix_unreachable(self, strongest, keys):
        """Where a shortfall is out of reach, its largest reduction is met only by every line that counts for it
        at its strongest cut (that assignment is the line-wise maximum): fix those columns, drop the row."""
        keys = set(keys)
        for column in np.flatnonzero(strongest):
            i, _ = self.columns[column]
            line = self.lines[i]
            if any((line.county, p) in keys for p, amount in line.daily.items() if amount > 0):
                self.col_lower[column] = 1.0
        for key in keys:
            row = self.coverage[key]
            self.lower[row] = -np.inf

    def vector(self, cuts):
        """The 0/1 vector choosing, for each line, the option of cut ``cuts[i]`` (none where it keeps its own)."""
        x = np.zeros(self.binaries, dtype=int)
        for i, columns in enumerate(self.by_line):
            for column in columns:
                if abs(self.lines[i].options[self.columns[column][1]].cut - cuts[i]) <= TOLERANCE:
                    x[column] = 1
                    break
        return x

    def added(self, x):
        """{(county, pollutant): t/d added} of a 0/1 vector."""
        found = {}
        for column in np.flatnonzero(x):
            i, _ = self.columns[column]
            line = self.lines[i]
            for pollutant, amount in line.daily.items():
                key = (line.county, pollutant)
                found[key] = found.get(key, 0.0) + amount * self.added_cut(column)
        return found


def solve(lines, shortfalls):
    """The least-cost proposal closing ``shortfalls`` {(county, pollutant): t/d} with ``lines`` (a list of
    ``Line``), or, where that cannot be done, the least-cost one reaching the largest reductions possible."""
    program = _Program(list(lines), shortfalls)
    costs = np.array([program.lines[i].value * program.added_cut(c) for c, (i, _) in enumerate(program.columns)])
    # The largest reductions the ladder allows, computed directly: the program is then always feasible.
    strongest = program.vector(strongest_cuts(program.lines, program.slacks))
    reach = program.added(strongest)
    required = {key: min(1.0, reach.get(key, 0.0) / shortfalls[key]) for key in program.coverage}
    program.fix_unreachable(strongest, [key for key, share in required.items() if share < 1.0])
    x, result = program.solve(costs, required)
    status = "optimal" if result.status == 0 else "limit"
    if x is None:
        # HiGHS found no solution in its time: the strongest assignment is one (not the cheapest).
        x, status = strongest, "fallback"
    choices = {}
    for column in np.flatnonzero(x):
        i, k = program.columns[column]
        choices[program.lines[i].key] = program.lines[i].options[k]
    reached = {key: shortfalls[key] * required[key] for key in program.coverage}
    unreachable = {key: shortfalls[key] - reached[key] for key in program.coverage
                   if shortfalls[key] - reached[key] > TOLERANCE * shortfalls[key]}
    relaxed = [(g, b, w, s) for (g, b, w), s in program.slacks.items() if s > TOLERANCE]
    return Solution(choices=choices, cost=float(costs @ x) if len(costs) else 0.0, added=program.added(x),
                    reached=reached, unreachable=unreachable, relaxed=relaxed, status=status,
                    gap=float(getattr(result, "mip_gap", 0.0) or 0.0) if status != "fallback" else float("nan"))
