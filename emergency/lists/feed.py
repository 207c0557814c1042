"""What the read API serves, as JSON-ready values with stable field names (a contract: see the README).

One page of a level's list: its enterprises' rows, streamed from the list's own query and rules
(``listing.iter_list_rows``), with the scope's totals from the list's own accounting. So the API says what the
workbook says, row for row and total for total. And one enterprise with each line's measures at the three levels.
"""
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from emergency.dashboard.figures import level_summary, registry_generation
from emergency.errors import NotFound
from emergency.lists.inputs import RuleInputs
from emergency.lists.listing import counties, enterprise_page, enterprise_rows, iter_list_rows
from emergency.registry import credit_code
from emergency.registry.measures import PARAM_LABELS, TRANSPORT_LABELS
from emergency.registry.operations import measure_types
from emergency.spreadsheets.writer import SUMMARY_COUNT_COLUMNS, measure_cell
from models import LEVEL_LABELS, LEVELS, POLLUTANTS, Enterprise, ProductionLine, db

API_VERSION = "v1"
CITY = {"kind": "city", "county": None, "name": "全市"}


def county_value(county):
    return {"id": county.id, "code": county.code, "name": county.name}


def measure_value(measure, types):
    """A measure (entered or effective): its type, parameter, transport rule and texts; None when there is none."""
    if measure is None:
        return None
    kind = types[measure.action]
    parameter = None
    if kind.param_field:
        parameter = {"name": kind.param_field, "label": PARAM_LABELS[kind.param],
                     "value": getattr(measure, kind.param_field)}
    return {"type": measure.action, "type_label": kind.label, "label": measure.label(types),
            "full_label": measure.full_label(types), "parameter": parameter,
            "transport": {"code": measure.transport, "label": TRANSPORT_LABELS[measure.transport]},
            "text": measure.text, "indicators": measure.indicators}


def verdict_value(row, types):
    """A line's verdict at one level: entered and effective measure, rule, status, problems and reductions."""
    m = row.measure
    return {
        "entered": measure_value(m.entered, types), "effective": measure_value(m.measure, types),
        "rule": {"code": m.rule, "reason": m.reason}, "imposed": m.imposed, "floor": m.floor_label or None,
        "commitment": m.commitment or None, "order_kind": m.order_kind, "status": m.status,
        # A line in error is under review: its measure is not issued and it counts for nothing.
        "withheld": m.is_error,
        "problems": [{"severity": p.severity, "code": p.code, "message": p.message} for p in m.problems],
        "cut_fraction": m.cut, "counted_fraction": m.counted, "list_text": measure_cell(m),
        "reductions_t_per_day": {p: row.reductions[p] for p in POLLUTANTS},
    }


def row_value(row, county, types):
    """One line of the list, with its county, enterprise and line identity."""
    return {
        "county": county,
        "enterprise": {"id": row.enterprise_id, "name": row.enterprise_name, "credit_code": row.credit_code,
                       "industry": row.industry, "grade_label": row.grade_label},
        "line": {"id": row.line_id, "name": row.line_name, "process_stage": row.process_stage,
                 "facilities": row.facilities},
        **verdict_value(row, types),
    }


def check_value(check):
    return {"industrial_t_per_day": check.industrial, "non_industrial_t_per_day": check.non_industrial,
            "reduction_t_per_day": check.reduction, "baseline_t_per_day": check.baseline, "share": check.share,
            "target_ratio": check.ratio, "target_t_per_day": check.target, "met": check.met,
            "shortfall_t_per_day": check.shortfall, "status": check.status}


def totals_value(totals, county):
    """A county's totals (``county`` its identity) or the scope's (``county`` None): the workbook's 汇总 row."""
    return {"county": county, "name": totals.name, **{key: getattr(totals, key) for key, _ in SUMMARY_COUNT_COLUMNS},
            "pollutants": {p: check_value(totals.checks[p]) for p in POLLUTANTS}}


@dataclass
class FeedPage:
    """One page: ``head`` holds everything but the rows, which ``rows`` yields as they are read."""

    head: dict
    rows: Iterator[dict]
    page: int
    pages: int


def list_page(level, county, page, per_page):
    """Page ``page`` (1-based) of the list of ``level`` for ``county`` (None: the city), ``per_page`` enterprises
    to a page with all their lines; NotFound beyond the last page. The totals cover the whole scope."""
    county_id = county.id if county else None
    shown, total = enterprise_page(county_id, (page - 1) * per_page, per_page)
    pages = max((total + per_page - 1) // per_page, 1)
    if page > pages:
        raise NotFound(f"page {page}")
    summary, updating = level_summary(county_id, level)
    by_id = {c.id: county_value(c) for c in counties(county_id)}
    head = {
        "api_version": API_VERSION, "level": {"code": level, "label": LEVEL_LABELS[level]},
        "scope": {"kind": "county", "county": by_id[county_id], "name": county.name} if county else CITY,
        "registry_generation": registry_generation(),
        "pagination": {"page": page, "per_page": per_page, "pages": pages, "enterprises": total,
                       "enterprises_on_page": len(shown)},
        "totals": {"updating": updating, "counties": [totals_value(t, by_id.get(t.county_id))
                                                      for t in summary.counties],
                   "scope": totals_value(summary.total, None)},
    }
    return FeedPage(head, _rows(level, county_id, shown, by_id), page, pages)


def _rows(level, county_id, shown, by_id):
    if not shown:
        return
    types = measure_types()
    for row in iter_list_rows(level, county_id, enterprise_ids=shown, inputs=RuleInputs.shared()):
        yield row_value(row, by_id[row.county_id], types)


def find_enterprise(code):
    """The enterprise with credit code ``code`` (as typed: cleaned like every code), lines and measures loaded."""
    code = credit_code.normalise(code)[:40]
    stmt = (select(Enterprise).where(Enterprise.credit_code == code)
            .options(selectinload(Enterprise.lines).selectinload(ProductionLine.measures)))
    return db.session.scalars(stmt).one_or_none()


def enterprise_value(enterprise):
    e = enterprise
    return {"id": e.id, "name": e.name, "credit_code": e.credit_code, "county": county_value(e.county),
            "town": e.town, "address": e.address,
            "industry": {"id": e.industry.id, "code": e.industry.code, "name": e.industry.display_name},
            "category": {"code": e.category_code, "label": e.category.label},
            "grade": {"code": e.grade.code, "label": e.grade.label} if e.grade else None,
            "grade_label": e.grade_label, "category_reason": e.category_reason or None,
            "small_micro": e.small_micro}


def enterprise_record(enterprise):
    """The enterprise, and each of its lines with its emissions and its verdict at every level."""
    inputs = RuleInputs()
    types = inputs.policy.types
    rows = {level: enterprise_rows(enterprise, level, inputs) for level in LEVELS}
    lines = [{
        "id": line.id, "name": line.name, "process_stage": line.process_stage, "facilities": line.facilities,
        "capacity": line.capacity, "capacity_unit": line.capacity_unit, "can_stop_quickly": line.can_stop_quickly,
        "coking_hours": line.coking_hours, "operating_days": line.operating_days,
        "annual_t_per_year": {p: line.annual(p) for p in POLLUTANTS},
        "levels": {level: verdict_value(rows[level][index], types) for level in LEVELS},
    } for index, line in enumerate(enterprise.lines)]
    return {"api_version": API_VERSION, "enterprise": enterprise_value(enterprise), "lines": lines}
