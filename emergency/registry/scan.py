"""One streamed pass over the registry: every enterprise in list order, each line with its three measures.

The quality check and the dashboard read every line at every level. One tuple query (no ORM objects, like
``listing._list_select``) serves both, and the rules run once per distinct combination of their inputs
rather than once per line and level.
"""
from collections import namedtuple

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from emergency.lists.inputs import JUDGED, Facts, RuleInputs, annual_total, entered, fact_columns, measure_columns
from emergency.lists.listing import BATCH_SIZE, firms
from models import LEVELS, POLLUTANTS, County, Enterprise, LineMeasure, ProductionLine, db

# ``facts`` are the rules' inputs (``inputs.Facts``); ``line_id`` is None for an enterprise without lines;
# ``measures`` holds the judged columns (``inputs.JUDGED``) per level in ``LEVELS`` order, None where no
# measure is entered.
ScanRow = namedtuple("ScanRow", "facts county_id county_name enterprise_id enterprise_name credit_code line_id "
                                "line_name operating_days annual measures")


def scan_select(county_id=None):
    """The scan's query: one row per line, and one per enterprise without lines, in list order."""
    line, enterprise = ProductionLine, Enterprise
    measures = [aliased(LineMeasure, name=f"measure_{level}") for level in LEVELS]
    stmt = select(*fact_columns(enterprise, line), County.id, County.name, enterprise.id, enterprise.name,
                  enterprise.credit_code, line.id, line.name, line.operating_days,
                  *(getattr(line, f"{p}_t_yr") for p in POLLUTANTS),
                  *(column for m in measures for column in measure_columns(m, printed=False)))
    stmt = (stmt.select_from(enterprise).join(County, enterprise.county_id == County.id)
            .outerjoin(line, line.enterprise_id == enterprise.id))
    for level, m in zip(LEVELS, measures):
        stmt = stmt.outerjoin(m, and_(m.line_id == line.id, m.level == level))
    stmt = stmt.order_by(County.sort_order, County.id, enterprise.name_sort, enterprise.name, enterprise.id, line.id)
    if county_id is not None:
        stmt = stmt.where(enterprise.county_id == county_id)
    return stmt


def scan(county_id=None):
    """Yield a ``ScanRow`` per line and per enterprise without lines, in list order, streamed in chunks."""
    # Core execution on the session's connection: the same transaction, without the ORM's per-row overhead.
    stmt = scan_select(county_id).execution_options(yield_per=BATCH_SIZE)
    facts, judged = len(Facts._fields), len(JUDGED)
    plain = facts + len(ScanRow._fields) - 3      # after county_id … operating_days
    annual = plain + len(POLLUTANTS)
    for row in db.session.connection().execute(stmt):
        rest = row[annual:]
        measures = tuple(tuple(rest[i:i + judged]) if rest[i] is not None else None
                         for i in range(0, len(rest), judged))
        yield ScanRow(Facts._make(row[:facts]), *row[facts:plain], row[plain:annual], measures)


def scan_firms(county_id=None):
    """Yield each enterprise's ``ScanRow`` list (one row without a line for a firm without lines), in list order."""
    return firms(scan(county_id), 3)


class Judge:
    """The rules' verdicts on a firm's scanned lines at every level.

    Scanned measures carry no texts, so read only what texts cannot change: the measure, labels, ``cut``,
    ``rule``, ``status``, ``problems``, ``floor``.
    """

    def __init__(self):
        self.inputs = RuleInputs()

    def verdicts(self, rows):
        """For each row of one firm (``scan_firms``), one ``EffectiveMeasure`` per level in ``LEVELS`` order."""
        rows = [row for row in rows if row.line_id is not None]
        if not rows:
            return []
        total = annual_total(row.annual for row in rows)
        per_level = [self.inputs.judge_firm([(row.facts, entered(*row.measures[index]) if row.measures[index]
                                              else None) for row in rows], level, total)
                     for index, level in enumerate(LEVELS)]
        return list(zip(*per_level))


def daily_baselines(row):
    """t/d per pollutant, by the same formula as ``ProductionLine.daily_baseline`` and the list."""
    days = row.operating_days
    return [(a or 0.0) / days if days else 0.0 for a in row.annual]
