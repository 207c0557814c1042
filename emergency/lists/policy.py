"""What the rules read besides the registry: measure types, floors, grade ladders and settings, as plain values.

``Policy`` is built once per list, check or export (``load_policy``) and then passed to the pure rules, so the
rules never query the database and can be unit-tested with hand-made policies.
"""
import functools
import re
from dataclasses import dataclass, field

from emergency.registry.measures import COKING_TIME, HOT_STANDBY, STOP, Measure, MeasureTypes
from emergency.text import fold

GRADED_SCOPE, GENERAL_SCOPE, SMALL_MICRO_SCOPE = "graded", "general", "small_micro"
FLOOR_SCOPES = (GRADED_SCOPE, GENERAL_SCOPE, SMALL_MICRO_SCOPE)
FLOOR_SCOPE_LABELS = {GRADED_SCOPE: "绩效分级行业", GENERAL_SCOPE: "非重点行业（一般管控）",
                      SMALL_MICRO_SCOPE: "小微涉气企业"}

# The settings the rules read. Their values live in the ``setting`` table; seed/data/settings.csv gives the
# values a new installation starts with, and the rules fall back on them when a row is missing.
RULE_SETTINGS = ("strictest_limit_pct", "count_self_commitment", "small_micro_threshold_t_yr")


@functools.cache
def setting_defaults():
    """{key: number} of the rules' settings as seed/data/settings.csv gives them."""
    from seed.load import read_csv

    return {r["key"]: float(r["value"]) for r in read_csv("settings.csv") if r["key"] in RULE_SETTINGS}


def _default(key):
    return field(default_factory=lambda: setting_defaults()[key])
SETTING_LABELS = {
    "strictest_limit_pct": "最严限产比例（%）",
    "count_self_commitment": "自主减排承诺计入减排量",
    "small_micro_threshold_t_yr": "小微涉气企业排放量上限（吨/年）",
}


@dataclass(frozen=True)
class Floor:
    """One floor row: the minimum measure for a scope, industry, grade, level and (optionally) a process."""

    measure: Measure
    scope: str = GRADED_SCOPE
    industry_id: int | None = None
    grade_code: str | None = None
    level: str = ""
    process: str = ""
    provisional: bool = True
    source: str = ""

    def matches_process(self, process):
        """An empty floor process matches every line; otherwise the line's 工序 must contain it.

        By-product gas lines are named after the unit whose gas they burn (焦炉煤气制甲醇, 高炉煤气发电): they
        are not that process, so a process name followed by 煤气 does not match.
        """
        if not self.process:
            return True
        return re.search(re.escape(fold(self.process)) + "(?!煤气)", fold(process or "")) is not None


class Floors:
    """Floor rows indexed for lookup: the most specific process row wins over the general one."""

    def __init__(self, floors):
        self._rows = {}
        for floor in floors:
            key = (floor.scope, floor.industry_id, floor.grade_code, floor.level)
            self._rows.setdefault(key, []).append(floor)
        for rows in self._rows.values():
            rows.sort(key=lambda f: (not f.process, -len(f.process)))

    def find(self, scope, industry_id, grade_code, level, process=""):
        """The floor for a line, or None. Non-key floors may name an industry or leave it empty (all)."""
        keys = [(scope, industry_id, grade_code, level)]
        if scope != GRADED_SCOPE:
            keys.append((scope, None, None, level))
        for key in keys:
            for floor in self._rows.get(key, ()):
                if floor.matches_process(process):
                    return floor
        return None

    def __len__(self):
        return sum(len(rows) for rows in self._rows.values())

    def __iter__(self):
        """Every floor row (the target solver reads which measures each industry uses)."""
        return (floor for rows in self._rows.values() for floor in rows)


@dataclass(frozen=True)
class Policy:
    """Everything the rules need besides the enterprise and its lines."""

    types: MeasureTypes
    floors: Floors
    self_managed_grades: frozenset = frozenset({"A", "LEADING"})
    # The lowest grade of each graded industry's scheme (D, C or 非引领性): what non-compliant firms compare to.
    lowest_grades: dict = field(default_factory=dict)
    strictest_limit_pct: float = _default("strictest_limit_pct")
    count_self_commitment: bool = False
    small_micro_threshold_t_yr: float = _default("small_micro_threshold_t_yr")


def adapted_floor(floor, can_stop_quickly, types):
    """A floor as it applies to a line: a line that cannot stop at short notice stops by keeping hot."""
    if floor is None or can_stop_quickly or floor.measure.action != STOP or HOT_STANDBY not in types:
        return floor
    measure = Measure(HOT_STANDBY, transport=floor.measure.transport,
                      text=f"{types[HOT_STANDBY].label}（不可短时停产的生产线）")
    return Floor(measure, floor.scope, floor.industry_id, floor.grade_code, floor.level, floor.process,
                 floor.provisional, floor.source)


def needs_coking_hours(measure):
    return measure is not None and measure.action == COKING_TIME
