"""Reduction accounting: per-county and city totals of list rows, plus the non-industrial reductions entered per
county, checked against the level's target share of the whole-society baseline of the season in force."""
from dataclasses import dataclass, field

from emergency.baseline import amounts
from emergency.baseline.seasons import season_in_force
from models import POLLUTANTS, TargetRatio, db

# Reductions are sums of floats; a target met to within this many t/d counts as met.
EPSILON = 1e-9
MISSING_BASELINE = "未录入全社会排放量基数"
PARTLY_MISSING_BASELINE = "部分县（市、区）未录入全社会排放量基数"


@dataclass
class PollutantCheck:
    """One pollutant's reduction (industrial, from the list's lines, plus non-industrial, entered per county)
    against the whole-society baseline and the target ratio."""

    pollutant: str
    industrial: float = 0.0
    non_industrial: float = 0.0
    baseline: float | None = None
    ratio: float | None = None
    missing_note: str = MISSING_BASELINE
    # Removed already by staggered production (错峰生产) in force; shown beside the alert's reduction, not in it.
    staggered: float = 0.0

    @property
    def reduction(self):
        """The reduction the target is checked on: industrial and non-industrial together."""
        return self.industrial + self.non_industrial

    @property
    def share(self):
        return self.reduction / self.baseline if self.baseline else None

    @property
    def staggered_share(self):
        """The share of the whole-society baseline that staggering in force already removes."""
        return self.staggered / self.baseline if self.baseline else None

    @property
    def target(self):
        if not self.baseline or self.ratio is None:
            return None
        return self.ratio * self.baseline

    @property
    def met(self):
        return None if self.target is None else self.reduction >= self.target - EPSILON

    @property
    def shortfall(self):
        """t/d still missing to reach the target (0 when met, None when it cannot be computed)."""
        return None if self.target is None else max(self.target - self.reduction, 0.0)

    @property
    def status(self):
        if not self.baseline:
            return self.missing_note
        if self.ratio is None:
            return "未设目标比例"
        return "达标" if self.met else "未达标"


@dataclass
class Totals:
    """Counts and per-pollutant checks for one county, or for the whole scope (county_id None)."""

    county_id: int | None
    name: str
    enterprises: int = 0
    lines: int = 0
    stop_lines: int = 0
    limit_lines: int = 0
    self_lines: int = 0
    problem_lines: int = 0
    checks: dict = field(default_factory=dict)


@dataclass
class Summary:
    level: str
    counties: list
    total: Totals


class Accumulator:
    """Add list rows one at a time (a single pass over a generator) and then read the ``Summary``."""

    def __init__(self, level, counties, baselines, ratios, non_industrial=None):
        """:param counties: (id, name) pairs in display order; ``baselines``: {(county_id, pollutant): t/d};
        ``ratios``: {pollutant: share}; ``non_industrial``: {(county_id, pollutant): t/d} entered per county."""
        self.level, self.baselines, self.ratios = level, baselines, ratios
        self.non_industrial = non_industrial or {}
        self.totals = {cid: self._empty(cid, name) for cid, name in counties}
        self.enterprises = {cid: set() for cid, _ in counties}

    def _empty(self, county_id, name):
        checks = {p: PollutantCheck(p, non_industrial=self.non_industrial.get((county_id, p), 0.0),
                                    baseline=self.baselines.get((county_id, p)), ratio=self.ratios.get(p))
                  for p in POLLUTANTS}
        return Totals(county_id, name, checks=checks)

    def add(self, row):
        if row.county_id not in self.totals:
            self.totals[row.county_id] = self._empty(row.county_id, row.county_name)
            self.enterprises[row.county_id] = set()
        totals = self.totals[row.county_id]
        self.enterprises[row.county_id].add(row.enterprise_id)
        totals.lines += 1
        # Counted by what the line must do: stop (停产, 停产保温, 按生产线停产), limit (限产, 延长结焦时间,
        # 以热定产/以量定产, 其他), or reduce voluntarily. A line in error is under review: its measure is not
        # issued, so it counts only as such (and its rows carry no reduction).
        kind = "error" if row.measure.is_error else row.measure.order_kind
        totals.stop_lines += kind == "stop"
        totals.limit_lines += kind in ("limit", "capped")
        totals.self_lines += kind == "self"
        totals.problem_lines += row.measure.is_error
        for pollutant, amount in row.reductions.items():
            totals.checks[pollutant].industrial += amount
        for pollutant, amount in (row.staggered or {}).items():
            totals.checks[pollutant].staggered += amount
        return row

    def result(self, total_name="合计"):
        rows = list(self.totals.values())
        for totals in rows:
            totals.enterprises = len(self.enterprises[totals.county_id])
        total = Totals(None, total_name)
        for name in ("enterprises", "lines", "stop_lines", "limit_lines", "self_lines", "problem_lines"):
            setattr(total, name, sum(getattr(t, name) for t in rows))
        for p in POLLUTANTS:
            baselines = [t.checks[p].baseline for t in rows]
            # The scope's baseline is only known when every county in it has one.
            known = bool(rows) and all(baselines)
            total.checks[p] = PollutantCheck(
                p, industrial=sum(t.checks[p].industrial for t in rows),
                non_industrial=sum(t.checks[p].non_industrial for t in rows),
                staggered=sum(t.checks[p].staggered for t in rows),
                baseline=sum(baselines) if known else None, ratio=self.ratios.get(p),
                missing_note=PARTLY_MISSING_BASELINE if any(baselines) else MISSING_BASELINE)
        return Summary(self.level, rows, total)


def reference_values(level, season=None):
    """Whole-society baselines {(county_id, pollutant): t/d}, summed over source types, of ``season`` (default: the
    season in force; none: no baselines), and the level's ratios {pollutant: share}."""
    season = season or season_in_force()
    baselines = amounts.sums(season.id) if season else {}
    ratios = {r.pollutant: r.ratio for r in db.session.query(TargetRatio).filter_by(level=level)}
    return baselines, ratios


def non_industrial_values(level, season=None):
    """Non-industrial reductions {(county_id, pollutant): t/d} at ``level``, summed over source types, of ``season``
    (default: the season in force)."""
    season = season or season_in_force()
    return amounts.sums(season.id, level) if season else {}


def accumulator_for(level, counties):
    """An ``Accumulator`` for the given County objects, with reference values read from the database."""
    season = season_in_force()
    baselines, ratios = reference_values(level, season)
    return Accumulator(level, [(c.id, c.name) for c in counties], baselines, ratios,
                       non_industrial_values(level, season))


def summarise(rows, level, counties, baselines, ratios, non_industrial=None):
    """Aggregate an iterable of list rows into a ``Summary`` (pure: all reference values are passed in)."""
    accumulator = Accumulator(level, counties, baselines, ratios, non_industrial)
    for row in rows:
        accumulator.add(row)
    return accumulator.result()
