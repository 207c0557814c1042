"""Build the reduction list: one plain row per enterprise line at an alert level, streamed in batches."""
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import selectinload

from emergency.lists.rules import EffectiveMeasure, EnterpriseFacts, LineFacts, effective_measure
from emergency.registry.measures import Measure
from models import (
    POLLUTANTS,
    Category,
    County,
    Enterprise,
    Grade,
    Industry,
    LineMeasure,
    MeasureFloor,
    ProductionLine,
    Setting,
    db,
)

BATCH_SIZE = 500
# Used when neither the "strictest_limit_pct" setting nor STRICTEST_LIMIT_PCT config is set; the guide
# gives no number, so the bureau must confirm it (a Setting row overrides it without a deploy).
DEFAULT_STRICTEST_LIMIT_PCT = 50.0


@dataclass(frozen=True)
class ListRow:
    """One enterprise line on the list, with its effective measure and reductions (t/d per pollutant)."""

    county_id: int
    county_name: str
    enterprise_id: int
    enterprise_name: str
    credit_code: str
    industry: str
    grade_label: str
    line_id: int
    line_name: str
    process_stage: str
    facilities: str
    measure: EffectiveMeasure
    reductions: dict


def strictest_limit_pct():
    """The limit (%) for non-compliant lines that cannot stop quickly: Setting row, then config, then 50."""
    row = db.session.get(Setting, "strictest_limit_pct")
    if row is not None and row.value.strip():
        try:
            return float(row.value)
        except ValueError:
            current_app.logger.warning("Setting strictest_limit_pct is not a number: %r", row.value)
    return float(current_app.config.get("STRICTEST_LIMIT_PCT", DEFAULT_STRICTEST_LIMIT_PCT))


def load_floors():
    """All measure floors in one query, keyed (industry_id, grade_code, level)."""
    return {(f.industry_id, f.grade_code, f.level): Measure.of(f) for f in db.session.query(MeasureFloor)}


def find_county(value):
    """Find a county by id (digits) or by name; None when there is no such county."""
    value = (value or "").strip()
    if not value:
        return None
    # ASCII digits short enough for an id column; anything else can only be a name.
    if value.isascii() and value.isdigit() and len(value) < 10:
        county = db.session.get(County, int(value))
        if county is not None:
            return county
    return db.session.query(County).filter_by(name=value).one_or_none()


def counties(county_id=None):
    """The counties in scope, in display order."""
    query = db.session.query(County).order_by(County.sort_order, County.id)
    if county_id is not None:
        query = query.filter(County.id == county_id)
    return query.all()


def enterprise_ids(county_id=None, with_lines=True):
    """Ids of the enterprises in scope, in list order (county, name, id)."""
    stmt = (select(Enterprise.id).join(County, Enterprise.county_id == County.id)
            .order_by(County.sort_order, County.id, Enterprise.name, Enterprise.id))
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    if with_lines:
        stmt = stmt.where(exists().where(ProductionLine.enterprise_id == Enterprise.id))
    return list(db.session.scalars(stmt))


def iter_enterprises(ids, batch_size=BATCH_SIZE):
    """Yield enterprises (lines and measures eager-loaded) in the order of ``ids``, a batch per few queries."""
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        stmt = (select(Enterprise).where(Enterprise.id.in_(batch))
                .options(selectinload(Enterprise.lines).selectinload(ProductionLine.measures)))
        loaded = {e.id: e for e in db.session.scalars(stmt)}
        for enterprise_id in batch:
            if enterprise_id in loaded:
                yield loaded[enterprise_id]


def _effective(category_code, grade_code, self_managed, industry_id, can_stop_quickly, entered, level, floors,
               strictest_pct):
    facts = EnterpriseFacts(category_code=category_code, grade_code=grade_code, self_managed=self_managed)
    floor = floors.get((industry_id, grade_code, level))
    return effective_measure(facts, LineFacts(bool(can_stop_quickly)), entered, floor, strictest_pct)


def line_measure(enterprise, line, level, floors, strictest_pct):
    """The effective measure of one ORM line at ``level`` (floors from ``load_floors``)."""
    entered = line.measure_for(level)
    return _effective(enterprise.category_code, enterprise.grade_code,
                      bool(enterprise.grade and enterprise.grade.self_managed), enterprise.industry_id,
                      line.can_stop_quickly, Measure.of(entered) if entered else None, level, floors, strictest_pct)


def enterprise_rows(enterprise, level, floors, strictest_pct):
    """The list rows of one ORM enterprise at ``level`` (used for single orders)."""
    rows = []
    for line in enterprise.lines:
        measure = line_measure(enterprise, line, level, floors, strictest_pct)
        cut = measure.cut_fraction
        rows.append(ListRow(
            county_id=enterprise.county_id, county_name=enterprise.county.name,
            enterprise_id=enterprise.id, enterprise_name=enterprise.name, credit_code=enterprise.credit_code,
            industry=enterprise.industry.display_name, grade_label=enterprise.grade_label,
            line_id=line.id, line_name=line.name, process_stage=line.process_stage, facilities=line.facilities,
            measure=measure, reductions={p: line.daily_baseline(p) * cut for p in POLLUTANTS},
        ))
    return rows


class _Labels:
    """Industry names, grade labels and self-managed flags from the small reference tables, read once."""

    def __init__(self):
        self.industries = {i.id: i.display_name for i in db.session.query(Industry)}
        self.categories = {c.code: c for c in db.session.query(Category)}
        self.grades = {g.code: g for g in db.session.query(Grade)}
        self._grade_labels = {}

    def grade_label(self, category_code, grade_code):
        key = (category_code, grade_code)
        if key not in self._grade_labels:
            # Reuse the model's own wording rule (Enterprise.grade_label) on plain values.
            holder = SimpleNamespace(category=self.categories[category_code], grade=self.grades.get(grade_code))
            self._grade_labels[key] = Enterprise.grade_label.fget(holder)
        return self._grade_labels[key]

    def self_managed(self, grade_code):
        grade = self.grades.get(grade_code)
        return bool(grade and grade.self_managed)


def _list_select(level, county_id, enterprise_ids=None):
    """One row per line with its enterprise, county and the measure of ``level`` (outer-joined), in list order."""
    line, enterprise, measure = ProductionLine, Enterprise, LineMeasure
    stmt = (
        select(County.id, County.name, enterprise.id, enterprise.name, enterprise.credit_code, enterprise.industry_id,
               enterprise.category_code, enterprise.grade_code, line.id, line.name, line.process_stage,
               line.facilities, line.can_stop_quickly, line.operating_days,
               *(getattr(line, f"{p}_t_yr") for p in POLLUTANTS),
               measure.action, measure.limit_pct, measure.other_fraction, measure.text, measure.indicators)
        .select_from(line).join(enterprise, line.enterprise_id == enterprise.id)
        .join(County, enterprise.county_id == County.id)
        .outerjoin(measure, and_(measure.line_id == line.id, measure.level == level))
        .order_by(County.sort_order, County.id, enterprise.name, enterprise.id, line.id)
    )
    if county_id is not None:
        stmt = stmt.where(enterprise.county_id == county_id)
    if enterprise_ids is not None:
        stmt = stmt.where(enterprise.id.in_(enterprise_ids))
    return stmt


def iter_list_rows(level, county_id=None, enterprise_ids=None):
    """Yield the list rows at ``level`` for the city or one county, in list order.

    One query, streamed in chunks of ``BATCH_SIZE`` rows; it builds no ORM objects, so memory stays flat.
    """
    floors, strictest_pct, labels = load_floors(), strictest_limit_pct(), _Labels()
    stmt = _list_select(level, county_id, enterprise_ids)
    result = db.session.execute(stmt.execution_options(yield_per=BATCH_SIZE))
    for (county_id_, county_name, enterprise_id, name, code, industry_id, category_code, grade_code, line_id,
         line_name, stage, facilities, can_stop, days, *rest) in result:
        annual, (action, limit_pct, other_fraction, text, indicators) = rest[:4], rest[4:]
        entered = Measure(action, limit_pct, other_fraction, text or "", indicators or "") if action else None
        measure = _effective(category_code, grade_code, labels.self_managed(grade_code), industry_id, can_stop,
                             entered, level, floors, strictest_pct)
        cut = measure.cut_fraction
        yield ListRow(
            county_id=county_id_, county_name=county_name, enterprise_id=enterprise_id, enterprise_name=name,
            credit_code=code, industry=labels.industries[industry_id],
            grade_label=labels.grade_label(category_code, grade_code), line_id=line_id, line_name=line_name,
            process_stage=stage, facilities=facilities, measure=measure,
            # Same formula as ProductionLine.daily_baseline: annual emission / operating days.
            reductions={p: ((a or 0.0) / days if days else 0.0) * cut for p, a in zip(POLLUTANTS, annual)},
        )


def count_without_lines(county_id=None):
    """How many enterprises in scope have no line (and so are not on the list)."""
    stmt = select(db.func.count(Enterprise.id)).where(
        ~exists().where(ProductionLine.enterprise_id == Enterprise.id))
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    return db.session.scalar(stmt)
