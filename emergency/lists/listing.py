"""Build the reduction list: one plain row per enterprise line at an alert level, streamed in batches."""
import itertools
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from emergency.lists.inputs import Facts, RuleInputs, annual_total, entered, fact_columns, measure_columns
from emergency.lists.verdicts import EffectiveMeasure
from models import LEVELS, POLLUTANTS, County, Enterprise, LineMeasure, ProductionLine, db

BATCH_SIZE = 500


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
    # t/d per pollutant that staggered production (错峰生产) in force already removes, before any alert.
    staggered: dict = field(default_factory=dict)


def find_county(value):
    """Find a county by id (digits), by name or by its GB/T 2260 code; None when there is no such county."""
    value = (value or "").strip()
    if not value:
        return None
    # ASCII digits short enough for an id column; anything else can only be a name.
    if value.isascii() and value.isdigit() and len(value) < 10:
        county = db.session.get(County, int(value))
        if county is not None:
            return county
    return db.session.query(County).filter(or_(County.name == value, County.code == value)).first()


def counties(county_id=None):
    """The counties in scope, in display order."""
    query = db.session.query(County).order_by(County.sort_order, County.id)
    if county_id is not None:
        query = query.filter(County.id == county_id)
    return query.all()


def _enterprises_in_order(county_id=None, with_lines=True, where=()):
    stmt = (select(Enterprise.id).where(*where).join(County, Enterprise.county_id == County.id)
            .order_by(County.sort_order, County.id, Enterprise.name_sort, Enterprise.name, Enterprise.id))
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    if with_lines:
        stmt = stmt.where(exists().where(ProductionLine.enterprise_id == Enterprise.id))
    return stmt


def enterprise_ids(county_id=None, with_lines=True, where=()):
    """Ids of the enterprises in scope (and meeting the ``where`` clauses), in list order (county, pinyin of the
    name, name, id)."""
    return list(db.session.scalars(_enterprises_in_order(county_id, with_lines, where)))


def enterprise_page(county_id, offset, limit):
    """(the ids of ``limit`` enterprises with lines from ``offset`` on, in list order; how many there are in all).

    One query: the database sorts and counts, and only the page's ids travel (the city has tens of thousands).
    """
    stmt = _enterprises_in_order(county_id).add_columns(func.count().over()).offset(offset).limit(limit)
    rows = db.session.execute(stmt).all()
    if rows:
        return [row[0] for row in rows], rows[0][1]
    counted = select(func.count()).select_from(_enterprises_in_order(county_id).order_by(None).subquery())
    return [], db.session.scalar(counted)


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


def enterprise_rows(enterprise, level, inputs=None):
    """The list rows of one ORM enterprise at ``level`` (used for single orders and the enterprise page)."""
    inputs = inputs or RuleInputs()
    verdicts = inputs.judge_enterprise(enterprise, level)
    return [ListRow(
        county_id=enterprise.county_id, county_name=enterprise.county.name,
        enterprise_id=enterprise.id, enterprise_name=enterprise.name, credit_code=enterprise.credit_code,
        industry=enterprise.industry.display_name, grade_label=enterprise.grade_label,
        line_id=line.id, line_name=line.name, process_stage=line.process_stage, facilities=line.facilities,
        measure=measure, reductions={p: line.daily_baseline(p) * measure.counted for p in POLLUTANTS},
        staggered={p: line.daily_baseline(p) * measure.staggered for p in POLLUTANTS if measure.staggered},
    ) for line, measure in zip(enterprise.lines, verdicts)]


def line_verdicts(enterprise, inputs=None):
    """{line id: {level: EffectiveMeasure}} of an ORM enterprise: what its lines take at every level."""
    inputs = inputs or RuleInputs()
    found = {line.id: {} for line in enterprise.lines}
    for level in LEVELS:
        for line, verdict in zip(enterprise.lines, inputs.judge_enterprise(enterprise, level)):
            found[line.id][level] = verdict
    return found


class _Labels:
    """Industry names and grade labels from the small reference tables, read once."""

    def __init__(self, classifications):
        self.industries = {i.id: i.display_name for i in classifications.industries.values()}
        self.categories = classifications.categories
        self.grades = classifications.grades
        self._grade_labels = {}

    def grade_label(self, category_code, grade_code):
        key = (category_code, grade_code)
        if key not in self._grade_labels:
            # Reuse the model's own wording rule (Enterprise.grade_label) on plain values.
            holder = SimpleNamespace(category=self.categories[category_code], grade=self.grades.get(grade_code))
            self._grade_labels[key] = Enterprise.grade_label.fget(holder)
        return self._grade_labels[key]


# In a list query row, after the facts: county id and name, enterprise id, name and code, line id, name, 工序,
# facilities and operating days (10 values), then the annual emissions and the entered measure.
_ANNUAL = 10


def line_order(enterprise=Enterprise, line=ProductionLine):
    """The list order of lines: county, then the firm's name by pinyin, then the line. Every query that is read
    side by side with the list (the workbook's registry details) sorts by exactly this."""
    return County.sort_order, County.id, enterprise.name_sort, enterprise.name, enterprise.id, line.id


def _list_select(level, county_id, enterprise_ids=None, where=()):
    """One row per line: the rules' facts, then its enterprise, county and the measure of ``level``
    (outer-joined), in list order."""
    return _levels_select((level,), county_id, enterprise_ids, where)


def _levels_select(levels, county_id, enterprise_ids=None, where=()):
    """``_list_select`` with the entered measure of each of ``levels`` side by side (one outer join each), so the
    facts of every line are read once however many levels are judged."""
    line, enterprise = ProductionLine, Enterprise
    measures = [LineMeasure] if len(levels) == 1 else [aliased(LineMeasure, name=f"m_{lv}") for lv in levels]
    stmt = (
        select(*fact_columns(enterprise, line), County.id, County.name, enterprise.id, enterprise.name,
               enterprise.credit_code, line.id, line.name, line.process_stage, line.facilities, line.operating_days,
               *(getattr(line, f"{p}_t_yr") for p in POLLUTANTS),
               *(column for measure in measures for column in measure_columns(measure)))
        .select_from(line).join(enterprise, line.enterprise_id == enterprise.id)
        .join(County, enterprise.county_id == County.id)
    )
    for level, measure in zip(levels, measures):
        stmt = stmt.outerjoin(measure, and_(measure.line_id == line.id, measure.level == level))
    stmt = stmt.order_by(*line_order(enterprise, line)).where(*where)
    if county_id is not None:
        stmt = stmt.where(enterprise.county_id == county_id)
    if enterprise_ids is not None:
        stmt = stmt.where(enterprise.id.in_(enterprise_ids))
    return stmt


def firms(rows, position):
    """Group query rows by the enterprise id at ``position`` (rows come in list order, a firm's rows together)."""
    return (list(group) for _, group in itertools.groupby(rows, key=lambda row: row[position]))


def iter_list_rows(level, county_id=None, enterprise_ids=None, where=(), inputs=None):
    """Yield the list rows at ``level`` for the city or one county, in list order.

    One query, streamed in chunks of ``BATCH_SIZE`` rows; it builds no ORM objects, so memory stays flat. A firm's
    lines are judged together (a 按生产线停产 floor is met by the firm's lines as a whole). ``inputs``: the rules'
    ``RuleInputs`` (read afresh when not given).
    """
    for (row,) in iter_level_rows((level,), county_id, enterprise_ids, where, inputs):
        yield row


def iter_level_rows(levels, county_id=None, enterprise_ids=None, where=(), inputs=None):
    """Yield a tuple per line: its list row at each of ``levels``, from one query (each line's facts read once)."""
    inputs = inputs or RuleInputs()
    labels = _Labels(inputs.classifications)
    stmt = _levels_select(levels, county_id, enterprise_ids, where)
    result = db.session.execute(stmt.execution_options(yield_per=BATCH_SIZE))
    width, pollutants = len(Facts._fields), len(POLLUTANTS)
    entered_at = [_ANNUAL + pollutants + i * len(measure_columns(LineMeasure)) for i in range(len(levels) + 1)]
    for rows in firms(result, width + 2):
        firm = [(Facts._make(row[:width]), row[width:]) for row in rows]
        annuals = [rest[_ANNUAL:_ANNUAL + pollutants] for _, rest in firm]
        total = annual_total(annuals)
        judged = [inputs.judge_firm([(facts, entered(*rest[start:end])) for facts, rest in firm], level, total)
                  for level, start, end in zip(levels, entered_at, entered_at[1:])]
        for (facts, rest), annual, measures in zip(firm, annuals, zip(*judged)):
            county_id_, county_name, enterprise_id, name, code, line_id, line_name, stage, facilities, days = \
                rest[:_ANNUAL]
            industry = labels.industries[facts.industry_id]
            grade = labels.grade_label(facts.category_code, facts.grade_code)
            # Same formula as ProductionLine.daily_baseline: annual emission / operating days.
            daily = [((a or 0.0) / days if days else 0.0) for a in annual]
            yield tuple(ListRow(
                county_id=county_id_, county_name=county_name, enterprise_id=enterprise_id, enterprise_name=name,
                credit_code=code, industry=industry, grade_label=grade, line_id=line_id,
                line_name=line_name, process_stage=stage, facilities=facilities, measure=measure,
                reductions={p: d * measure.counted for p, d in zip(POLLUTANTS, daily)},
                staggered={p: d * measure.staggered for p, d in zip(POLLUTANTS, daily) if measure.staggered},
            ) for measure in measures)


def count_without_lines(county_id=None):
    """How many enterprises in scope have no line (and so are not on the list)."""
    stmt = select(db.func.count(Enterprise.id)).where(
        ~exists().where(ProductionLine.enterprise_id == Enterprise.id))
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    return db.session.scalar(stmt)
