"""The staff dashboard: counts, each level's reductions against the targets as bar charts, requests, alerts.

The figures over the registry (counts, list totals, quality errors) are cached per process and scope, keyed
by the registry generation (``emergency.generation``): a token renewed by every commit that changes an
enterprise, line, measure or the reference data the list reads, whichever worker or command made it.
``DASHBOARD_CACHE_SECONDS`` (default 300) also bounds the age of an entry, for writes made outside the ORM
session (raw SQL on the engine).
"""
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, select

from models import LEVEL_LABELS, LEVELS, POLLUTANT_LABELS, POLLUTANTS, Category, County, Enterprise, Grade, Industry, db

from . import generation
from .accounting import accumulator_for
from .alerts import running_alerts, step_statuses
from .inbox import pending_count
from .listing import counties, iter_list_rows
from .quality import run_checks

DEFAULT_CACHE_SECONDS = 300
TOP_INDUSTRIES = 15
# Chart geometry (SVG user units): label column, plot width, room for the value text, bar and gaps.
LABEL_WIDTH, PLOT_WIDTH, TEXT_WIDTH, BAR_HEIGHT, BAR_GAP, GROUP_GAP, TOP = 96, 300, 130, 14, 3, 10, 6

generation.install()
_cache = {}
_lock = threading.Lock()          # held while computing


@dataclass(frozen=True)
class Bar:
    """One bar with its position and its printed value."""

    series: str
    x: float
    y: float
    width: float
    height: float
    css: str
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarGroup:
    """A labelled group of bars (e.g. one pollutant: its reduction and its target)."""

    label: str
    label_y: float
    bars: tuple


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart, drawn as inline SVG from these numbers."""

    title: str
    groups: tuple
    width: float
    height: float
    axis_x: float = LABEL_WIDTH
    legend: tuple = ()


@dataclass
class LevelFigures:
    """One level's list totals for the scope (``accounting.Totals``) and its chart."""

    level: str
    totals: object
    chart: BarChart


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


@dataclass
class Dashboard:
    figures: Figures
    pending_requests: int
    alerts: list          # [(Alert, StepStatus of its current step)]


def bar_chart(title, groups, fmt, legend=()):
    """Lay out ``groups`` [(label, [(series, value or None, css)])] as bars scaled to the largest value."""
    values = [v for _, series in groups for _, v, _ in series if v]
    largest = max(values) if values else 1.0
    laid_out, y = [], TOP
    for label, series in groups:
        top, bars = y, []
        for name, value, css in series:
            width = PLOT_WIDTH * (value or 0.0) / largest
            bars.append(Bar(name, LABEL_WIDTH, y, round(width, 2), BAR_HEIGHT, css,
                            fmt(value) if value is not None else "—", round(LABEL_WIDTH + width + 4, 2),
                            y + BAR_HEIGHT - 3))
            y += BAR_HEIGHT + BAR_GAP
        laid_out.append(BarGroup(label, (top + y - BAR_GAP) / 2 + 4, tuple(bars)))
        y += GROUP_GAP
    return BarChart(title, tuple(laid_out), LABEL_WIDTH + PLOT_WIDTH + TEXT_WIDTH, max(y, TOP * 2),
                    legend=tuple(legend))


def _tpd(value):
    return f"{value:.3f} 吨/日"


def level_chart(level_label, totals):
    """Reduction against target for each pollutant of one level's totals."""
    groups = []
    for p in POLLUTANTS:
        check = totals.checks[p]
        state = "unknown" if check.met is None else ("met" if check.met else "unmet")
        groups.append((POLLUTANT_LABELS[p], [("减排量", check.reduction, f"bar-reduction {state}"),
                                             ("目标", check.target, "bar-target")]))
    legend = (("bar-reduction met", "减排量（达标）"), ("bar-reduction unmet", "减排量（未达标）"),
              ("bar-target", "目标减排量"))
    return bar_chart(f"{level_label}预警：各污染物减排量与目标", groups, _tpd, legend)


def count_chart(title, rows):
    return bar_chart(title, [(label, [("企业数", n, "bar-count")]) for label, n in rows], lambda n: f"{n:g} 家")


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


def level_figures(level, county_id=None):
    """The list totals of ``level`` for the scope, from the same rows and accounting as the list page."""
    accumulator = accumulator_for(level, counties(county_id))
    for row in iter_list_rows(level, county_id):
        accumulator.add(row)
    totals = accumulator.result("全市" if county_id is None else "合计").total
    return LevelFigures(level, totals, level_chart(LEVEL_LABELS[level], totals))


def compute_figures(county_id=None):
    """Compute every registry figure of the dashboard for the city or one county."""
    scope = db.session.get(County, county_id).name if county_id is not None else "全市"
    by_category, by_county = count_by_category(county_id), count_by_county(county_id)
    by_industry = count_by_industry(county_id)
    top = by_industry[:TOP_INDUSTRIES]
    if len(by_industry) > TOP_INDUSTRIES:
        top.append(("其他行业", sum(n for _, n in by_industry[TOP_INDUSTRIES:])))
    charts = (count_chart("按等级/类别", by_category), count_chart("按县（市、区）", by_county),
              count_chart("按行业（前15）", top))
    return Figures(scope, sum(n for _, n in by_county), by_category, by_county, by_industry,
                   [level_figures(level, county_id) for level in LEVELS], run_checks(county_id).errors, charts)


def registry_generation():
    """The committed registry generation token: it changes with every committed edit."""
    return generation.current()


def cached_figures(county_id=None):
    """``compute_figures`` for the scope, reused while the registry generation is unchanged."""
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], county_id)
    generation = registry_generation()
    max_age = current_app.config.get("DASHBOARD_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)

    def fresh():
        entry = _cache.get(key)
        return entry[2] if entry and entry[0] == generation and time.monotonic() - entry[1] < max_age else None

    found = fresh()
    if found is None:
        # One computation at a time: a second thread waits and then finds the first one's result.
        with _lock:
            found = fresh()
            if found is None:
                found = compute_figures(county_id)
                _cache[key] = (generation, time.monotonic(), found)
    return found


def clear_cache():
    _cache.clear()


def build_dashboard(user, county_id=None):
    """The dashboard of ``user`` for ``county_id`` (county users: always their own county)."""
    if user.role == "county":
        county_id = user.county_id
    alerts = [(alert, step_statuses(alert, user)[-1]) for alert in running_alerts(user)]
    return Dashboard(cached_figures(county_id), pending_count(user), alerts)
