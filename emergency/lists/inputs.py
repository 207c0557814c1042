"""The list rules' inputs, defined once, and the one place that turns them into a call of the rules.

Three paths feed the rules: the streamed list query (``listing.iter_list_rows``), the streamed registry scan
(``registry.scan``: the quality check and the dashboard) and single ORM enterprises (orders, obligations). All
three select or read the columns named here and call ``RuleInputs.judge``. A new input is a new column name
here and its use in ``judge``; the queries, the ORM path and the scan's memo key follow by themselves.
"""
from collections import namedtuple

from flask import current_app

from emergency.lists.rules import EnterpriseFacts, LineFacts, effective_measure
from emergency.registry.measures import Measure
from models import Enterprise, Grade, MeasureFloor, ProductionLine, Setting, db

# The row's columns the rules read: the enterprise's, then the line's. ``Facts`` holds their values.
ENTERPRISE_FACTS = ("category_code", "grade_code", "industry_id")
LINE_FACTS = ("can_stop_quickly",)
Facts = namedtuple("Facts", ENTERPRISE_FACTS + LINE_FACTS)
# The entered measure's columns: the judged ones decide the verdict; the printed ones are carried onto the list.
JUDGED = ("action", "limit_pct", "other_fraction")
PRINTED = ("text", "indicators")

STRICTEST_SETTING = "strictest_limit_pct"
# Used when neither the setting nor STRICTEST_LIMIT_PCT config is set; the guide gives no number, so the
# bureau must confirm it (a Setting row overrides it without a deploy).
DEFAULT_STRICTEST_LIMIT_PCT = 50.0


def fact_columns(enterprise=Enterprise, line=ProductionLine):
    """The columns of ``Facts`` for a tuple query (``enterprise`` and ``line`` may be aliases)."""
    return [*(getattr(enterprise, name) for name in ENTERPRISE_FACTS),
            *(getattr(line, name) for name in LINE_FACTS)]


def measure_columns(measure, printed=True):
    """The entered measure's columns for a tuple query, in ``entered``'s order; ``printed=False`` for the
    judged ones only."""
    return [getattr(measure, name) for name in (JUDGED + PRINTED if printed else JUDGED)]


def facts_of(enterprise, line):
    """``Facts`` read from ORM objects."""
    return Facts(*(getattr(enterprise, name) for name in ENTERPRISE_FACTS),
                 *(getattr(line, name) for name in LINE_FACTS))


def entered(action, limit_pct=None, other_fraction=None, text=None, indicators=None):
    """The entered measure as the rules take it (``measure_columns`` order); without an action, not entered."""
    return Measure(action, limit_pct, other_fraction, text or "", indicators or "") if action else None


def strictest_limit_pct():
    """The limit (%) for non-compliant lines that cannot stop quickly: Setting row, then config, then 50."""
    row = db.session.get(Setting, STRICTEST_SETTING)
    if row is not None and row.value.strip():
        try:
            return float(row.value)
        except ValueError:
            current_app.logger.warning("Setting %s is not a number: %r", STRICTEST_SETTING, row.value)
    return float(current_app.config.get("STRICTEST_LIMIT_PCT", DEFAULT_STRICTEST_LIMIT_PCT))


def load_floors():
    """All measure floors in one query, keyed (industry_id, grade_code, level)."""
    return {(f.industry_id, f.grade_code, f.level): Measure.of(f) for f in db.session.query(MeasureFloor)}


class RuleInputs:
    """What the rules read besides the row: the floors, the grades (which reduce on their own) and the strictest
    limit. Load once per list, scan or order: three small queries."""

    def __init__(self):
        self.floors = load_floors()
        self.strictest_pct = strictest_limit_pct()
        self.grades = {g.code: g for g in db.session.query(Grade)}
        self._facts = {}

    def judge(self, facts, measure, level):
        """The ``rules.EffectiveMeasure`` of a line with ``facts`` and the ``entered`` measure (or None) at
        ``level``: the one call of the rules."""
        enterprise, line = self._facts.get(facts) or self._rule_facts(facts)
        floor = self.floors.get((facts.industry_id, facts.grade_code, level))
        return effective_measure(enterprise, line, measure, floor, self.strictest_pct)

    def _rule_facts(self, facts):
        """The rules' own ``EnterpriseFacts`` and ``LineFacts`` for ``facts``, built once per distinct value."""
        grade = self.grades.get(facts.grade_code)
        found = self._facts[facts] = (
            EnterpriseFacts(category_code=facts.category_code, grade_code=facts.grade_code,
                            self_managed=bool(grade and grade.self_managed)),
            LineFacts(can_stop_quickly=bool(facts.can_stop_quickly)))
        return found

    def judge_line(self, enterprise, line, level):
        """``judge`` for ORM objects: ``line`` with its measures loaded."""
        stored = line.measure_for(level)
        measure = entered(*(getattr(stored, name) for name in JUDGED + PRINTED)) if stored else None
        return self.judge(facts_of(enterprise, line), measure, level)
