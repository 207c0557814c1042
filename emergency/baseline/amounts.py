"""A season's whole-society baseline and non-industrial reductions: the grids the page edits (county × source
type × pollutant, t/d), the sums per county and pollutant that the accounting reads, and their one set of rules.

A stored row is an entered figure; a blank cell is no row. The accounting's baseline of a county and pollutant is
the sum over source types; a county and pollutant without any row has no baseline (未录入全社会排放量基数).
"""
import math
from dataclasses import dataclass

from sqlalchemy import func, select

from emergency.audit import trail as audit
from emergency.errors import DomainError
from emergency.lists.listing import counties
from models import (
    LEVEL_LABELS,
    NON_INDUSTRIAL_TYPES,
    POLLUTANT_LABELS,
    POLLUTANTS,
    SOURCE_TYPE_LABELS,
    SOURCE_TYPES,
    County,
    NonIndustrialReduction,
    Season,
    WholeSocietyEmission,
    db,
)

NEGATIVE = "不能为负数"
NOT_A_NUMBER = "不是有效的数字"


@dataclass(frozen=True)
class Grid:
    """One kind of figure: its table, value column, the source types it takes and its name."""

    model: type
    column: str
    types: tuple
    label: str

    def value_of(self, row):
        return getattr(row, self.column)


BASELINE = Grid(WholeSocietyEmission, "baseline_t_per_day", SOURCE_TYPES, "全社会排放量基数")
REDUCTIONS = Grid(NonIndustrialReduction, "reduction_t_per_day", NON_INDUSTRIAL_TYPES, "非工业源减排量")


def grid_for(level=None):
    """The baseline's grid, or the non-industrial reductions' grid of ``level``."""
    return REDUCTIONS if level else BASELINE


def describe(row):
    """E.g. "2020–2021年秋冬季 · 城区 · 橙色预警 · 扬尘源 · SO2"."""
    season, county = db.session.get(Season, row.season_id), db.session.get(County, row.county_id)
    parts = [season.name if season else "", county.name if county else ""]
    if getattr(row, "level", None):
        parts.append(f"{LEVEL_LABELS.get(row.level, row.level)}预警")
    parts += [SOURCE_TYPE_LABELS.get(row.source_type, row.source_type), POLLUTANT_LABELS.get(row.pollutant, "")]
    return " · ".join(parts)


audit.register(WholeSocietyEmission, "baseline", "全社会排放量基数", lambda obj, conn: None, describe)
audit.register(NonIndustrialReduction, "non_industrial", "非工业源减排量", lambda obj, conn: None, describe)


def amount_problem(value):
    """The Chinese message for a figure (t/d) the grids refuse; None for a figure or a blank."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return NOT_A_NUMBER
    return NEGATIVE if value < 0 else None


def _rows(grid, season_id, level):
    query = select(grid.model).where(grid.model.season_id == season_id)
    if level:
        query = query.where(grid.model.level == level)
    return db.session.scalars(query)


def stored_cells(season_id, level=None):
    """{(county id, source type, pollutant): t/d} of a season's baseline, or of its reductions at ``level``."""
    grid = grid_for(level)
    return {(r.county_id, r.source_type, r.pollutant): grid.value_of(r) for r in _rows(grid, season_id, level)}


def check_cells(cells, level=None):
    """{(county id, source type, pollutant): message} for the cells a grid refuses."""
    grid, known = grid_for(level), {c.id for c in counties()}
    errors = {}
    for cell, value in cells.items():
        county_id, source_type, pollutant = cell
        if county_id not in known or source_type not in grid.types or pollutant not in POLLUTANTS:
            errors[cell] = "表格已过期或有误，请刷新页面后重新填写"
        elif amount_problem(value):
            errors[cell] = amount_problem(value)
    return errors


def save_cells(season, cells, level=None):
    """Store the given cells of a season's grid ({cell: t/d or None}); None removes the figure. Flush, never commit.

    Return how many figures changed. Refused as a whole (``DomainError``) when any cell is refused.
    """
    errors = check_cells(cells, level)
    if errors:
        raise DomainError({"cells": "；".join(sorted(set(errors.values())))})
    grid = grid_for(level)
    stored = {(r.county_id, r.source_type, r.pollutant): r for r in _rows(grid, season.id, level)}
    changed = 0
    for (county_id, source_type, pollutant), value in cells.items():
        row = stored.get((county_id, source_type, pollutant))
        if value is None:
            if row is not None:
                db.session.delete(row)
                changed += 1
        elif row is None:
            extra = {"level": level} if level else {}
            db.session.add(grid.model(season_id=season.id, county_id=county_id, source_type=source_type,
                                      pollutant=pollutant, **{grid.column: float(value)}, **extra))
            changed += 1
        elif grid.value_of(row) != value:
            setattr(row, grid.column, float(value))
            changed += 1
    db.session.flush()
    return changed


def sums(season_id, level=None):
    """{(county id, pollutant): t/d} summed over source types, for the counties and pollutants with a figure."""
    grid = grid_for(level)
    model, value = grid.model, getattr(grid.model, grid.column)
    query = (select(model.county_id, model.pollutant, func.sum(value)).where(model.season_id == season_id)
             .group_by(model.county_id, model.pollutant))
    if level:
        query = query.where(model.level == level)
    return {(county_id, pollutant): total for county_id, pollutant, total in db.session.execute(query)}


def counties_entered(season_id):
    """How many counties have a baseline figure in the season."""
    return len({county_id for county_id, _ in sums(season_id)})


@dataclass
class GridRow:
    """One row of a grid as the page and the workbook show it: a county and source type, four figures."""

    county: County
    source_type: str
    values: dict

    @property
    def key(self):
        return f"{self.county.id}:{self.source_type}"

    @property
    def type_label(self):
        return SOURCE_TYPE_LABELS[self.source_type]


def grid_rows(season_id, level=None):
    """Every county × source type of the grid, in display order, with the stored figures (None: not entered)."""
    grid, stored = grid_for(level), stored_cells(season_id, level)
    return [GridRow(county, source_type, {p: stored.get((county.id, source_type, p)) for p in POLLUTANTS})
            for county in counties() for source_type in grid.types]


def county_totals(season_id, level=None):
    """[(county name, {pollutant: t/d or None})] of every county, then the city's (None where any county lacks one)."""
    found = sums(season_id, level)
    rows = [(c.name, {p: found.get((c.id, p)) for p in POLLUTANTS}) for c in counties()]
    city = {p: (sum(values[p] for _, values in rows) if rows and all(v[p] is not None for _, v in rows) else None)
            for p in POLLUTANTS}
    return rows + [("全市", city)]
