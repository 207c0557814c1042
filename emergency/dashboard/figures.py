"""The staff dashboard: counts, each level's reductions against the targets as bar charts, requests, alerts.

The figures over the registry (counts, list totals, quality errors) are cached per scope under the registry
generation (``emergency.generation``): a token renewed by every commit that changes an enterprise, line,
measure or the reference data the list reads, whichever worker or command made it. The figures are shared
by every worker process of the host through ``dashboard_store``, so each generation is computed once, not
once per worker: the first process to take a scope's lock computes it; while it does, the others serve the
previous generation's figures marked as updating (or wait, when there are none yet). A new generation is
computed at most once per ``dashboard_store.recompute_seconds()``: within that window after the last
computation, the previous figures are shown marked as updating, so steady editing cannot keep a worker busy.
``DASHBOARD_CACHE_SECONDS`` (default 300) also bounds the age of an entry, for writes made outside the ORM
session (raw SQL on the engine).
"""
import threading
import time
from collections import namedtuple
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, select

from emergency.dashboard import store as dashboard_store
from emergency.dashboard.charts import BarChart, count_chart, level_chart
from emergency.grading.inbox import pending_count
from emergency.lists.accounting import PollutantCheck, Summary, Totals, accumulator_for
from emergency.lists.listing import counties
from emergency.lists.quality import Checker
from emergency.platform import forked
from emergency.publishing.alerts import running_alerts, step_statuses
from emergency.registry import generation
from emergency.registry.scan import daily_baselines, scan_firms
from emergency.staggering.firms import regime_counts
from emergency.supervision.board import build_board
from models import LEVEL_LABELS, LEVELS, POLLUTANTS, Category, County, Enterprise, Grade, Industry, db

DEFAULT_CACHE_SECONDS = 300
TOP_INDUSTRIES = 15

generation.install()
_lock = threading.Lock()          # held while computing a generation that cannot be shared (no token yet)
# What the accounting reads of a list row (``listing.ListRow``).
_TotalsRow = namedtuple("_TotalsRow", "county_id county_name enterprise_id measure reductions staggered")
# ``code``: the ``dashboard_store.code_version`` of the process that computed the figures.
Cached = namedtuple("Cached", "generation computed_at figures code")


@dataclass
class LevelFigures:
    """One level's list accounting for the scope (``accounting.Summary``: per county and in total) and its chart."""

    level: str
    summary: Summary
    chart: BarChart

    @property
    def totals(self):
        return self.summary.total


@dataclass
class Figures:
    """Everything on the dashboard that is computed from the registry (the cached part)."""

    scope_name: str
    enterprises: int
    by_category: list
    by_county: list
    by_industry: list
    levels: list
    quality_errors: int
    count_charts: tuple
    computed_at: float = 0.0      # epoch seconds
    updating: bool = False        # True: a newer generation is being computed; these are the previous figures

    @property
    def computed_at_utc(self):
        """When these figures were computed, as a naive UTC datetime (for the ``local_dt`` filter)."""
        return datetime.fromtimestamp(self.computed_at, UTC).replace(tzinfo=None)


@dataclass
class Dashboard:
    figures: Figures
    pending_requests: int
    alerts: list          # [(Alert, StepStatus of its current step)]
    supervision: dict = None   # alert id → {judgement status: firms}, the power-use board's counts
    regimes: dict = None       # county name → {staggered-production regime: firms}, the season in force


def _scoped(stmt, county_id):
    return stmt if county_id is None else stmt.where(Enterprise.county_id == county_id)


def count_by_category(county_id=None):
    """[(grade or category label, enterprises)] in category and grade order, labelled as on the list."""
    stmt = _scoped(select(Enterprise.category_code, Enterprise.grade_code, func.count(Enterprise.id))
                   .group_by(Enterprise.category_code, Enterprise.grade_code), county_id)
    categories = {c.code: c for c in db.session.query(Category)}
    grades = {g.code: g for g in db.session.query(Grade)}
    rows = []
    for category_code, grade_code, number in db.session.execute(stmt):
        category, grade = categories[category_code], grades.get(grade_code)
        # The model's own wording rule (Enterprise.grade_label) on plain values.
        label = Enterprise.grade_label.fget(SimpleNamespace(category=category, grade=grade))
        rows.append(((category.sort_order, grade.sort_order if grade else -1), label, number))
    return [(label, number) for _, label, number in sorted(rows, key=lambda row: row[0])]


def count_by_county(county_id=None):
    """[(county, enterprises)] for every county in scope, zeros included."""
    stmt = _scoped(select(Enterprise.county_id, func.count(Enterprise.id)).group_by(Enterprise.county_id),
                   county_id)
    found = dict(db.session.execute(stmt).all())
    return [(c.name, found.get(c.id, 0)) for c in counties(county_id)]


def count_by_industry(county_id=None):
    """[(industry, enterprises)] with at least one enterprise, largest first."""
    stmt = _scoped(select(Enterprise.industry_id, func.count(Enterprise.id)).group_by(Enterprise.industry_id),
                   county_id)
    found = dict(db.session.execute(stmt).all())
    names = {i.id: i.display_name for i in db.session.query(Industry).filter(Industry.id.in_(found))}
    return sorted(((names[i], n) for i, n in found.items()), key=lambda row: (-row[1], row[0]))


def scan_figures(county_id=None):
    """Each level's list totals and the quality error count of the scope, in one streamed pass.

    The same rows (in list order, so the sums are the list page's to the last bit), rules and accounting as
    the list; each line's three measures are judged together (``registry_scan``).
    """
    scope = counties(county_id)
    accumulators = [accumulator_for(level, scope) for level in LEVELS]
    checker = Checker()
    for rows in scan_firms(county_id):
        for row, verdicts in checker.add_firm(rows):
            daily = daily_baselines(row)
            for accumulator, measure in zip(accumulators, verdicts):
                accumulator.add(_TotalsRow(row.county_id, row.county_name, row.enterprise_id, measure,
                                           {p: d * measure.counted for p, d in zip(POLLUTANTS, daily)},
                                           {p: d * measure.staggered for p, d in zip(POLLUTANTS, daily)
                                            if measure.staggered}))
    total_name = "全市" if county_id is None else "合计"
    return [a.result(total_name) for a in accumulators], checker.report().errors


def assemble(scope_name, by_category, by_county, by_industry, level_summaries, quality_errors, computed_at):
    """``Figures`` with their charts laid out, from the plain numbers."""
    top = list(by_industry[:TOP_INDUSTRIES])
    if len(by_industry) > TOP_INDUSTRIES:
        top.append(("其他行业", sum(n for _, n in by_industry[TOP_INDUSTRIES:])))
    charts = (count_chart("按等级/类别", by_category), count_chart("按县（市、区）", by_county),
              count_chart("按行业（前15）", top))
    levels = [LevelFigures(level, summary, level_chart(LEVEL_LABELS[level], summary.total))
              for level, summary in zip(LEVELS, level_summaries)]
    return Figures(scope_name, sum(n for _, n in by_county), by_category, by_county, by_industry, levels,
                   quality_errors, charts, computed_at)


def compute_figures(county_id=None):
    """Compute every registry figure of the dashboard for the city or one county."""
    scope = db.session.get(County, county_id).name if county_id is not None else "全市"
    level_summaries, quality_errors = scan_figures(county_id)
    return assemble(scope, count_by_category(county_id), count_by_county(county_id), count_by_industry(county_id),
                    level_summaries, quality_errors, time.time())


def figures_to_dict(figures):
    """The plain numbers of ``figures`` as JSON-ready values (charts are laid out again on loading)."""
    return {"scope_name": figures.scope_name, "by_category": figures.by_category, "by_county": figures.by_county,
            "by_industry": figures.by_industry,
            "level_summaries": [{"counties": [asdict(t) for t in lf.summary.counties],
                                 "total": asdict(lf.summary.total)} for lf in figures.levels],
            "quality_errors": figures.quality_errors, "computed_at": figures.computed_at}


def _totals(values):
    checks = {p: PollutantCheck(**check) for p, check in values.pop("checks").items()}
    return Totals(**values, checks=checks)


def figures_from_dict(data):
    """Rebuild ``Figures`` from ``figures_to_dict``'s values."""
    return assemble(data["scope_name"], *([tuple(row) for row in data[key]]
                                          for key in ("by_category", "by_county", "by_industry")),
                    [Summary(level, [_totals(dict(t)) for t in values["counties"]], _totals(dict(values["total"])))
                     for level, values in zip(LEVELS, data["level_summaries"])],
                    data["quality_errors"], data["computed_at"])


def registry_generation():
    """The committed registry generation token: it changes with every committed edit."""
    return generation.current()


def _load(scope):
    entry = dashboard_store.read(scope)
    try:
        return Cached(entry["generation"], entry["computed_at"], figures_from_dict(entry["figures"]), entry["code"])
    except (KeyError, TypeError, ValueError):
        return None       # none stored yet, or written by another version of this code


def _store(scope, cached):
    entry = {"generation": cached.generation, "computed_at": cached.computed_at, "code": cached.code,
             "figures": figures_to_dict(cached.figures)}
    dashboard_store.write(scope, entry)


def cached_figures(county_id=None):
    """``compute_figures`` for the scope, computed once per registry generation by all workers together.

    While another process computes the current generation, or while the previous figures are younger than the
    recompute window (``dashboard_store.recompute_due``), returns the previous figures with ``updating`` set;
    waits for the computing process only when there are no previous figures at all.
    """
    # Each app (one per gunicorn worker) keeps its own copy; the store is what the workers share.
    memory, token = current_app.extensions.setdefault("dashboard_figures", {}), registry_generation()
    code = dashboard_store.code_version()
    max_age = current_app.config.get("DASHBOARD_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)

    def fresh(cached):
        # Figures computed by other code (before a deploy) are only good enough to show while updating.
        return (cached is not None and cached.generation == token and cached.code == code
                and time.time() - cached.computed_at < max_age)

    mine = memory.get(county_id)
    if fresh(mine):
        return mine.figures
    if token is None:
        # Nothing committed has set a token yet, so no other process can tell these figures apart: keep them here.
        with _lock:
            if not fresh(memory.get(county_id)):
                memory[county_id] = Cached(None, time.time(), compute_figures(county_id), code)
            return memory[county_id].figures
    scope = "city" if county_id is None else f"county-{county_id}"
    shared = _load(scope)
    if not fresh(shared):
        previous = max((c for c in (shared, mine) if c is not None), key=lambda c: c.computed_at, default=None)
        if previous is not None and previous.code == code and (
                not dashboard_store.recompute_due(previous.computed_at)
                or (time.time() - previous.computed_at < 2 * max_age and _refresh_in_background(scope, county_id))):
            return replace(previous.figures, updating=True)
        with dashboard_store.computing(scope, wait=previous is None) as ours:
            if not ours:
                return replace(previous.figures, updating=True)
            shared = _load(scope)         # the process we may have waited for has stored it
            if not fresh(shared):
                figures = compute_figures(county_id)
                shared = Cached(token, figures.computed_at, figures, code)
                _store(scope, shared)
    memory[county_id] = shared
    return shared.figures


def _refresh_in_background(scope, county_id):
    """Start computing the scope's figures in a forked child at the job workers' priority (at most one child per
    scope in this process), so that no request waits the seconds a city's figures take and the pages keep the
    cores; False where a child cannot be forked (``FIGURES_IN_BACKGROUND`` off, one core, in-memory database):
    the request computes them itself. Previous figures older than twice the cache's age are not shown meanwhile."""
    if not current_app.config.get("FIGURES_IN_BACKGROUND", True) or not forked.available():
        return False
    children = current_app.extensions.setdefault("figures_children", {})
    if children.get(scope) is None or not children[scope].is_alive():
        children[scope] = forked.background(refresh_scope, scope, county_id)
    return True


def refresh_scope(scope, county_id):
    """Compute and store the scope's figures unless another process holds its lock or has stored the current
    generation's (a forked child's work: ``_refresh_in_background``)."""
    max_age = current_app.config.get("DASHBOARD_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)
    with dashboard_store.computing(scope, wait=False) as ours:
        token, code, shared = registry_generation(), dashboard_store.code_version(), _load(scope)
        if ours and (shared is None or (shared.generation, shared.code) != (token, code)
                     or time.time() - shared.computed_at >= max_age):
            figures = compute_figures(county_id)
            _store(scope, Cached(token, figures.computed_at, figures, code))


def level_summary(county_id, level):
    """(the list accounting of ``level`` for the scope, whether it is the previous generation's) from the cache."""
    figures = cached_figures(county_id)
    return next(lf.summary for lf in figures.levels if lf.level == level), figures.updating


def clear_cache():
    """Forget the current app's figures and those stored for its database."""
    current_app.extensions.pop("dashboard_figures", None)
    dashboard_store.clear()


def build_dashboard(user, county_id=None):
    """The dashboard of ``user`` for ``county_id`` (county users: always their own county)."""
    if user.role == "county":
        county_id = user.county_id
    alerts = [(alert, step_statuses(alert, user)[-1]) for alert in running_alerts(user)]
    supervision = {alert.id: build_board(alert, user).counts() for alert, _ in alerts}
    return Dashboard(cached_figures(county_id), pending_count(user), alerts, supervision, regime_counts(county_id))
