"""One streamed pass over the registry: every enterprise in list order, each line with its three measures.

The quality check and the dashboard read every line at every level. One tuple query (no ORM objects, like
``listing._list_select``) serves both, and the rules run once per distinct combination of their inputs
rather than once per line and level.
"""
from collections import namedtuple

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from emergency.lists.listing import BATCH_SIZE, load_floors, strictest_limit_pct
from emergency.lists.rules import EnterpriseFacts, LineFacts, effective_measure
from emergency.registry.measures import Measure
from models import LEVELS, POLLUTANTS, County, Enterprise, Grade, LineMeasure, ProductionLine, db

# ``line_id`` is None for an enterprise without lines; ``measures`` holds one (action, limit_pct,
# other_fraction) per level in ``LEVELS`` order, None where no measure is entered.
ScanRow = namedtuple("ScanRow", "county_id county_name enterprise_id enterprise_name credit_code industry_id "
                                "category_code grade_code line_id line_name can_stop_quickly operating_days "
                                "annual measures")


def scan_select(county_id=None):
    """The scan's query: one row per line, and one per enterprise without lines, in list order."""
    line, enterprise = ProductionLine, Enterprise
    measures = [aliased(LineMeasure, name=f"measure_{level}") for level in LEVELS]
    stmt = select(County.id, County.name, enterprise.id, enterprise.name, enterprise.credit_code,
                  enterprise.industry_id, enterprise.category_code, enterprise.grade_code, line.id, line.name,
                  line.can_stop_quickly, line.operating_days, *(getattr(line, f"{p}_t_yr") for p in POLLUTANTS),
                  *(column for m in measures for column in (m.action, m.limit_pct, m.other_fraction)))
    stmt = (stmt.select_from(enterprise).join(County, enterprise.county_id == County.id)
            .outerjoin(line, line.enterprise_id == enterprise.id))
    for level, m in zip(LEVELS, measures):
        stmt = stmt.outerjoin(m, and_(m.line_id == line.id, m.level == level))
    stmt = stmt.order_by(County.sort_order, County.id, enterprise.name, enterprise.id, line.id)
    if county_id is not None:
        stmt = stmt.where(enterprise.county_id == county_id)
    return stmt


def scan(county_id=None):
    """Yield a ``ScanRow`` per line and per enterprise without lines, in list order, streamed in chunks."""
    # Core execution on the session's connection: the same transaction, without the ORM's per-row overhead.
    stmt = scan_select(county_id).execution_options(yield_per=BATCH_SIZE)
    width = len(POLLUTANTS)
    for row in db.session.connection().execute(stmt):
        head, annual, rest = row[:12], row[12:12 + width], row[12 + width:]
        measures = tuple(tuple(rest[i:i + 3]) if rest[i] is not None else None for i in range(0, len(rest), 3))
        yield ScanRow(*head, annual, measures)


class Judge:
    """The rules' verdicts on a scanned line at every level, computed once per distinct input.

    Entered texts and indicators are not part of the key, so read only what they cannot change: ``action``,
    ``limit_pct``, ``other_fraction``, ``cut_fraction``, ``status``, ``is_error``, ``floor`` and ``label``.
    """

    def __init__(self):
        self.floors, self.strictest_pct = load_floors(), strictest_limit_pct()
        self.self_managed = {g.code: bool(g.self_managed) for g in db.session.query(Grade)}
        self._memo = {}

    @staticmethod
    def key(row):
        """Everything the verdicts of ``row`` depend on."""
        return row.category_code, row.grade_code, row.industry_id, bool(row.can_stop_quickly), row.measures

    def verdicts(self, row):
        """One ``EffectiveMeasure`` per level in ``LEVELS`` order."""
        key = self.key(row)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = tuple(self._judge(row, index, level) for index, level in enumerate(LEVELS))
        return found

    def _judge(self, row, index, level):
        facts = EnterpriseFacts(category_code=row.category_code, grade_code=row.grade_code,
                                self_managed=self.self_managed.get(row.grade_code, False))
        entered = row.measures[index]
        # As in listing.iter_list_rows: a measure without an action counts as not entered.
        measure = Measure(*entered) if entered and entered[0] else None
        return effective_measure(facts, LineFacts(bool(row.can_stop_quickly)), measure,
                                 self.floors.get((row.industry_id, row.grade_code, level)), self.strictest_pct)


def daily_baselines(row):
    """t/d per pollutant, by the same formula as ``ProductionLine.daily_baseline`` and the list."""
    days = row.operating_days
    return [(a or 0.0) / days if days else 0.0 for a in row.annual]
