"""The registry export's rows: one tuple query over enterprises, their lines and each level's measure.

Like the list export it builds no ORM objects: one query, streamed in chunks, one row per line (one row for an
enterprise without lines), in list order (county, pinyin of the name, name, id, then the line's id).
"""
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from emergency.lists.listing import BATCH_SIZE
from emergency.registry.measures import TRANSPORT_LABELS
from emergency.spreadsheets.registry import MEASURE_COLUMNS, REGISTRY_COLUMNS
from emergency.spreadsheets.sheet import yes_no
from models import LEVELS, Category, County, Enterprise, Grade, Industry, LineMeasure, ProductionLine, db

# Columns taken from elsewhere than the enterprise or the line of the same name.
_JOINED = {"county": County.name, "industry_name": Industry.name, "industry_sub_type": Industry.sub_type,
           "category": Category.label, "grade": Grade.label, "line_name": ProductionLine.name}
_YES_NO = {"small_micro", "violation_prev_year", "access_control", "green_factory", "can_stop_quickly"}
# The enterprise's columns, then (from 生产线 on) the line's, then each level's measure columns.
_BASE_KEYS = [key for key, _ in REGISTRY_COLUMNS if not key.startswith(tuple(f"{level}_" for level in LEVELS))]
_LINE_KEYS = set(_BASE_KEYS[_BASE_KEYS.index("line_name"):])


def _base_column(key):
    if key in _JOINED:
        return _JOINED[key]
    return getattr(ProductionLine if key in _LINE_KEYS else Enterprise, key)


def _registry_select(county_id):
    measures = {level: aliased(LineMeasure, name=f"measure_{level}") for level in LEVELS}
    stmt = (select(ProductionLine.id, *(_base_column(key) for key in _BASE_KEYS),
                   *(getattr(measures[level], key) for level in LEVELS for key, _ in MEASURE_COLUMNS))
            .select_from(Enterprise).join(County, Enterprise.county_id == County.id)
            .join(Industry, Enterprise.industry_id == Industry.id)
            .join(Category, Enterprise.category_code == Category.code)
            .outerjoin(Grade, Enterprise.grade_code == Grade.code)
            .outerjoin(ProductionLine, ProductionLine.enterprise_id == Enterprise.id))
    for level, measure in measures.items():
        stmt = stmt.outerjoin(measure, and_(measure.line_id == ProductionLine.id, measure.level == level))
    stmt = stmt.order_by(County.sort_order, County.id, Enterprise.name_sort, Enterprise.name, Enterprise.id,
                         ProductionLine.id)
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    return stmt


def count_registry_rows(county_id=None):
    """How many rows the registry export writes (what its progress counts)."""
    stmt = (select(func.count()).select_from(Enterprise)
            .outerjoin(ProductionLine, ProductionLine.enterprise_id == Enterprise.id))
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    return db.session.scalar(stmt)


def iter_registry_rows(type_labels, county_id=None):
    """Yield the registry rows of the city (or one county) as lists in ``REGISTRY_COLUMNS`` order.

    Measure types and transport rules come out as their labels and yes/no fields as 是/否, as the import reads
    them back; a missing line or measure leaves its cells blank.

    :param type_labels: {measure type code: label}, from the ``measure_type`` table.
    """
    base = len(_BASE_KEYS)
    yes_no_at = [i for i, key in enumerate(_BASE_KEYS) if key in _YES_NO]
    line_yes_no = [i for i in yes_no_at if _BASE_KEYS[i] in _LINE_KEYS]
    firm_yes_no = [i for i in yes_no_at if i not in line_yes_no]
    width = len(MEASURE_COLUMNS)
    action_at = [key for key, _ in MEASURE_COLUMNS].index("action")
    transport_at = [key for key, _ in MEASURE_COLUMNS].index("transport")
    result = db.session.execute(_registry_select(county_id).execution_options(yield_per=BATCH_SIZE))
    for found in result:
        row = list(found[1:])
        for i in firm_yes_no if found[0] is None else yes_no_at:
            row[i] = yes_no(row[i])
        for start in range(base, base + width * len(LEVELS), width):
            action = row[start + action_at]
            if action is not None:
                row[start + action_at] = type_labels.get(action, action)
                row[start + transport_at] = TRANSPORT_LABELS[row[start + transport_at]]
        yield row
