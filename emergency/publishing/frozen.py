"""A published version read back: its frozen rows as list rows and line records, never recomputed."""
from sqlalchemy import select

from emergency.lists.listing import ListRow
from emergency.lists.records import LineRecord, details_from_json
from emergency.lists.verdicts import ERROR, WARNING, EffectiveMeasure, Problem
from emergency.registry.measures import Measure
from models import LEVELS, POLLUTANTS, VersionRow, db

READ_BATCH = 1000
# Several errors or warnings of a row are stored in one column, a message a line.
STORED_SEPARATOR = "\n"


def frozen_measure(r):
    """The ``EffectiveMeasure`` stored in a version row: its verdict as published, never recomputed."""
    measure = Measure(r.action, r.limit_pct, r.other_fraction, r.hours, r.cap_pct, r.transport, r.measure_text,
                      r.indicators) if r.action else None
    problems = tuple(Problem(severity, "stored", message) for severity, text in ((ERROR, r.problem),
                                                                                  (WARNING, r.warnings))
                     for message in text.split(STORED_SEPARATOR) if message)
    return EffectiveMeasure(measure=measure, label=r.label, full_label=r.full_label, order_kind=r.order_kind,
                            cut=r.cut, rule=r.rule, reason=r.reason, entered_label=r.entered_label,
                            imposed=r.imposed, floor_label=r.floor_label, commitment=r.commitment,
                            problems=problems, staggered=r.staggered, stagger_label=r.stagger_label)


def _list_row(r):
    measure = frozen_measure(r)
    return ListRow(county_id=r.county_id, county_name=r.county_name, enterprise_id=r.enterprise_id,
                   enterprise_name=r.enterprise_name, credit_code=r.credit_code, industry=r.industry,
                   grade_label=r.grade_label, line_id=r.line_id, line_name=r.line_name,
                   process_stage=r.process_stage, facilities=r.facilities, measure=measure,
                   reductions={p: getattr(r, f"{p}_t_d") for p in POLLUTANTS},
                   staggered={p: getattr(r, f"{p}_staggered_t_d") for p in POLLUTANTS} if r.staggered else {})


def _stored_rows(version_id, level, county_id=None, enterprise_id=None):
    table = VersionRow.__table__
    stmt = select(table).where(table.c.version_id == version_id, table.c.level == level).order_by(table.c.seq)
    if county_id is not None:
        stmt = stmt.where(table.c.county_id == county_id)
    if enterprise_id is not None:
        stmt = stmt.where(table.c.enterprise_id == enterprise_id)
    return db.session.execute(stmt.execution_options(yield_per=READ_BATCH))


def iter_version_rows(version_id, level, county_id=None, enterprise_id=None):
    """Yield the stored rows of a version at ``level`` as ``ListRow`` values, in list order."""
    for row in _stored_rows(version_id, level, county_id, enterprise_id):
        yield _list_row(row)


def iter_version_records(version_id, county_id=None):
    """Yield a version's ``LineRecord`` per line, in list order: its frozen rows of every level and details."""
    for rows in zip(*(_stored_rows(version_id, level, county_id) for level in LEVELS), strict=True):
        yield LineRecord({level: _list_row(row) for level, row in zip(LEVELS, rows)},
                         details_from_json(rows[0].details))
