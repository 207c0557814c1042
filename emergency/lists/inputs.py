"""The list rules' inputs, defined once, and the one place that turns them into a call of the rules.

Three paths feed the rules: the streamed list query (``listing.iter_list_rows``), the streamed registry scan
(``registry.scan``: the quality check and the dashboard) and single ORM enterprises (orders, obligations). All
three select or read the columns named here, group a firm's lines together (a floor of 按生产线停产 and the
small-micro threshold are judged per firm) and call ``RuleInputs.judge_firm``. A new input is a new column
name here and its use in ``judge_firm``; the queries, the ORM path and the scan's memo key follow by themselves.
"""
import time
from collections import namedtuple
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import inspect as orm_inspect

from emergency.clock import local_today
from emergency.lists.policy import RULE_SETTINGS, Floor, Floors, Policy, setting_defaults
from emergency.lists.rules import EnterpriseFacts, LineFacts, effective_measure
from emergency.lists.verdicts import check_line_shares
from emergency.registry.grades import check_classification
from emergency.registry.measures import LineParams, Measure, MeasureTypes
from emergency.staggering.store import StaggerBook
from models import (
    POLLUTANTS,
    Category,
    Enterprise,
    Grade,
    Industry,
    MeasureFloor,
    MeasureType,
    ProductionLine,
    Setting,
    db,
)

# The row's columns the rules read: the enterprise's, then the line's. ``Facts`` holds their values.
ENTERPRISE_FACTS = ("category_code", "grade_code", "industry_id", "category_reason", "small_micro", "green_factory")
LINE_FACTS = ("can_stop_quickly", "process_stage", "coking_hours", "capacity")
Facts = namedtuple("Facts", ENTERPRISE_FACTS + LINE_FACTS)
# The entered measure's columns: the judged ones decide the verdict; the printed ones are carried onto the list.
JUDGED = ("action", "limit_pct", "other_fraction", "hours", "cap_pct", "transport")
PRINTED = ("text", "indicators")


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


def entered(action=None, limit_pct=None, other_fraction=None, hours=None, cap_pct=None, transport=None, text=None,
            indicators=None):
    """The entered measure as the rules take it (``measure_columns`` order); without an action, not entered."""
    if not action:
        return None
    return Measure(action, limit_pct, other_fraction, hours, cap_pct, transport or "none", text or "",
                   indicators or "")


def stored_measure(line, level):
    """The entered measure of an ORM line at ``level``, or None."""
    stored = line.measure_for(level)
    return entered(*(getattr(stored, name) for name in JUDGED + PRINTED)) if stored else None


def read_settings():
    """The rules' settings as numbers: the ``setting`` rows, else the seeded values (``policy.setting_defaults``)."""
    stored = dict(db.session.query(Setting.key, Setting.value).filter(Setting.key.in_(RULE_SETTINGS)))
    values = {}
    for key, default in setting_defaults().items():
        try:
            values[key] = float(stored[key])
        except (KeyError, ValueError):
            values[key] = default
    return values


def load_floors():
    """Every floor row as plain ``Floor`` values."""
    return Floors([Floor(Measure.of(f), f.scope, f.industry_id, f.grade_code, f.level, f.process, f.provisional,
                         f.source) for f in db.session.query(MeasureFloor)])


def load_policy(industries=None, grades=None):
    """The rules' ``Policy``, read in a few small queries (industries and grades may be passed in, read already)."""
    settings = read_settings()
    industries = db.session.query(Industry).all() if industries is None else industries
    grades = db.session.query(Grade).all() if grades is None else grades
    return Policy(
        types=MeasureTypes.from_rows(db.session.query(MeasureType).all()), floors=load_floors(),
        self_managed_grades=frozenset(g.code for g in grades if g.self_managed),
        lowest_grades={i.id: i.allowed_grades[-1] for i in industries if i.allowed_grades},
        strictest_limit_pct=settings["strictest_limit_pct"],
        count_self_commitment=bool(settings["count_self_commitment"]),
        small_micro_threshold_t_yr=settings["small_micro_threshold_t_yr"])


def plain_copy(row, *properties):
    """A read-only copy of an ORM row's columns and the named properties. Kept across requests, where the row
    itself would be detached from its session, and expired by that session's next commit."""
    values = {column.key: getattr(row, column.key) for column in orm_inspect(row).mapper.column_attrs}
    values.update((name, getattr(row, name)) for name in properties)
    return SimpleNamespace(**values)


class Classifications:
    """``check_classification`` messages per (industry, category, grade), from reference tables read once.

    ``plain=True`` keeps plain copies of the rows instead of the ORM objects (``RuleInputs.shared``)."""

    def __init__(self, plain=False):
        self.industries = {i.id: i for i in db.session.query(Industry)}
        self.categories = {c.code: c for c in db.session.query(Category)}
        self.grades = {g.code: g for g in db.session.query(Grade)}
        if plain:
            self.industries = {k: plain_copy(v, "display_name", "allowed_grades") for k, v in self.industries.items()}
            self.categories = {k: plain_copy(v) for k, v in self.categories.items()}
            self.grades = {k: plain_copy(v) for k, v in self.grades.items()}
        self._memo = {}

    def messages(self, industry_id, category_code, grade_code):
        key = (industry_id, category_code, grade_code)
        if key not in self._memo:
            found = check_classification(self.industries[industry_id], self.categories[category_code],
                                         self.grades.get(grade_code))
            self._memo[key] = tuple(found.values())
        return self._memo[key]


def annual_total(annuals):
    """The four pollutants over all of a firm's lines (t/yr): what the small-micro threshold compares."""
    return sum(a or 0.0 for annual in annuals for a in annual)


# ``RuleInputs.shared``: how long one kept copy serves at most (for writes made outside the ORM, which renew no
# generation), and how many memoised verdicts it may gather before it is read afresh.
SHARED_SECONDS = 300
SHARED_VERDICTS = 200_000


class RuleInputs:
    """What the rules read besides the rows (the ``Policy`` and the classification checks), and the memo of
    their verdicts: most lines share a handful of inputs. Load once per list, scan or order."""

    def __init__(self, plain=False):
        self.classifications = Classifications(plain)
        self.grades = self.classifications.grades
        self.policy = load_policy(self.classifications.industries.values(), self.grades.values())
        self._enterprises, self._lines, self._verdicts = {}, {}, {}
        self.stagger = StaggerBook.load()

    @classmethod
    def shared(cls):
        """The inputs as of the committed reference generation and today, kept in this process for the screens
        (the list page's rows, the enterprise page, the read API's pages).

        Reading them takes about as long as judging a page of 50 firms, so each worker reads them once per
        committed change of the reference data (the "reference" generation of ``emergency.registry.generation``:
        every table and setting the rules read besides the registry's rows renews it) and per day (which
        staggering season is in force). The verdicts memoised here depend only on these inputs and the facts in
        their keys, so edits of firms and lines leave them valid. Official outputs (orders, workbooks, versions)
        read their own.
        """
        from emergency.registry import generation

        token = generation.current("reference")
        if token is None:
            return cls()
        key = (token, local_today())
        kept = current_app.extensions.get("rule_inputs")
        if (kept is None or kept[0] != key or time.monotonic() - kept[1] > SHARED_SECONDS
                or len(kept[2]._verdicts) > SHARED_VERDICTS):
            kept = current_app.extensions["rule_inputs"] = (key, time.monotonic(), cls(plain=True))
        return kept[2]

    def enterprise_facts(self, facts, annual_t_yr):
        """The rules' ``EnterpriseFacts`` of a firm; the emissions matter only to small and micro firms."""
        key = (*facts[:len(ENTERPRISE_FACTS)], annual_t_yr if facts.small_micro else None)
        found = self._enterprises.get(key)
        if found is None:
            found = self._enterprises[key] = EnterpriseFacts(
                category_code=facts.category_code, grade_code=facts.grade_code, industry_id=facts.industry_id,
                category_reason=facts.category_reason or "", small_micro=bool(facts.small_micro),
                annual_t_yr=annual_t_yr if facts.small_micro else 0.0,
                classification_errors=self.classifications.messages(facts.industry_id, facts.category_code,
                                                                    facts.grade_code))
        return found

    def line_facts(self, facts):
        key = facts[len(ENTERPRISE_FACTS):]
        found = self._lines.get(key)
        if found is None:
            found = self._lines[key] = LineFacts(
                LineParams(bool(facts.can_stop_quickly), facts.coking_hours, facts.capacity), facts.process_stage or "")
        return found

    def judge_firm(self, lines, level, annual_t_yr=0.0):
        """The verdicts of one firm's lines at ``level``: ``lines`` holds (Facts, entered Measure | None) pairs
        in list order; ``annual_t_yr`` is the firm's total emissions (``annual_total``)."""
        if not lines:
            return []
        enterprise = self.enterprise_facts(lines[0][0], annual_t_yr)
        verdicts = []
        for facts, measure in lines:
            line = self.line_facts(facts)
            key = (enterprise, line, measure, level)
            found = self._verdicts.get(key)
            if found is None:
                found = self._verdicts[key] = effective_measure(enterprise, line, measure, level, self.policy)
            verdicts.append(found)
        verdicts = check_line_shares([self.line_facts(f) for f, _ in lines], verdicts, self.policy.types)
        if not self.stagger.rules:
            return verdicts
        return [self.stagger.apply(facts, found) for (facts, _), found in zip(lines, verdicts)]

    def judge_enterprise(self, enterprise, level):
        """``judge_firm`` for an ORM enterprise with its lines and their measures loaded."""
        lines = [(facts_of(enterprise, line), stored_measure(line, level)) for line in enterprise.lines]
        total = annual_total([line.annual(p) for p in POLLUTANTS] for line in enterprise.lines)
        return self.judge_firm(lines, level, total)
