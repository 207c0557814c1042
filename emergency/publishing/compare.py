"""Compare two published versions: enterprises added and removed, grade changes, line and measure changes.

Enterprises are matched by credit code and lines by (credit code, line name), the keys a revision keeps;
both sides are read from the versions' stored rows only.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from emergency.publishing.versions import safe_filename
from emergency.spreadsheets.writer import write_table_workbook
from models import LEVEL_LABELS, LEVELS, VersionRow, db

KINDS = (
    ("enterprise_added", "新增企业"), ("enterprise_removed", "移出企业"), ("grade_changed", "等级变化"),
    ("line_added", "新增生产线"), ("line_removed", "移除生产线"), ("measure_changed", "措施变化"),
)
KIND_LABELS = dict(KINDS)
KIND_ORDER = {kind: number for number, (kind, _) in enumerate(KINDS)}
DETAIL_HEADERS = ("序号", "变化类型", "县（市、区）", "企业名称", "统一社会信用代码", "生产线", "预警级别",
                  "原版本内容", "新版本内容")
DETAIL_WIDTHS = (6, 10, 10, 30, 20, 16, 8, 44, 44)


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new version, ready to print."""

    kind: str
    county_name: str
    enterprise_name: str
    credit_code: str
    line_name: str = ""
    level: str = ""
    before: str = ""
    after: str = ""

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def level_label(self):
        return LEVEL_LABELS.get(self.level, "")

    def sort_key(self):
        level = LEVELS.index(self.level) if self.level else -1
        return KIND_ORDER[self.kind], self.county_name, self.enterprise_name, self.line_name, level


@dataclass
class Comparison:
    """The changes from ``old`` to ``new``, grouped by kind."""

    old: object
    new: object
    changes: list = field(default_factory=list)

    @property
    def counts(self):
        """[(kind, label, number)] for every kind, zeros included."""
        return [(kind, label, sum(c.kind == kind for c in self.changes)) for kind, label in KINDS]

    def of_kind(self, kind):
        return [c for c in self.changes if c.kind == kind]


@dataclass(frozen=True)
class _Line:
    county_name: str
    enterprise_name: str
    grade_label: str
    measure: tuple


def describe_measure(label, text, indicators):
    """The measure as one phrase: its label as published, its text when it says more, and the indicators."""
    label = label or "未填写"
    phrase = f"{label}：{text}" if text and text != label else label
    return f"{phrase}（核查指标：{indicators}）" if indicators else phrase


def _lines(version_id, level, county_id):
    """{(credit code, line name): _Line} of one version at one level."""
    t = VersionRow.__table__
    stmt = (select(t.c.credit_code, t.c.line_name, t.c.county_name, t.c.enterprise_name, t.c.grade_label,
                   t.c.full_label, t.c.measure_text, t.c.indicators)
            .where(t.c.version_id == version_id, t.c.level == level))
    if county_id is not None:
        stmt = stmt.where(t.c.county_id == county_id)
    return {(code, line): _Line(county, name, grade, tuple(measure))
            for code, line, county, name, grade, *measure in db.session.execute(stmt)}


def _enterprises(lines):
    """{credit code: _Line of its first line}: the enterprise facts every line of it repeats."""
    found = {}
    for (code, _), line in lines.items():
        found.setdefault(code, line)
    return found


def _structure_changes(old, new):
    """Enterprises added/removed, grade changes, and lines added/removed within kept enterprises."""
    old_firms, new_firms = _enterprises(old), _enterprises(new)
    changes = []
    for code in new_firms.keys() - old_firms.keys():
        e = new_firms[code]
        changes.append(Change("enterprise_added", e.county_name, e.enterprise_name, code, after=e.grade_label))
    for code in old_firms.keys() - new_firms.keys():
        e = old_firms[code]
        changes.append(Change("enterprise_removed", e.county_name, e.enterprise_name, code, before=e.grade_label))
    for code in old_firms.keys() & new_firms.keys():
        before, after = old_firms[code], new_firms[code]
        if before.grade_label != after.grade_label:
            changes.append(Change("grade_changed", after.county_name, after.enterprise_name, code,
                                  before=before.grade_label, after=after.grade_label))
    kept = old_firms.keys() & new_firms.keys()
    for kind, source, other in (("line_added", new, old), ("line_removed", old, new)):
        for key in source.keys() - other.keys():
            if key[0] in kept:
                line = source[key]
                changes.append(Change(kind, line.county_name, line.enterprise_name, key[0], line_name=key[1]))
    return changes


def _measure_changes(level, old, new):
    changes = []
    for key in old.keys() & new.keys():
        before, after = old[key], new[key]
        if before.measure != after.measure:
            changes.append(Change("measure_changed", after.county_name, after.enterprise_name, key[0],
                                  line_name=key[1], level=level, before=describe_measure(*before.measure),
                                  after=describe_measure(*after.measure)))
    return changes


def compare_versions(old, new, county_id=None):
    """The ``Comparison`` from version ``old`` to version ``new`` (one county's part when ``county_id``)."""
    changes = []
    for level in LEVELS:
        old_lines, new_lines = _lines(old.id, level, county_id), _lines(new.id, level, county_id)
        if level == LEVELS[0]:
            # Every line is on every level, so enterprises and lines are compared once.
            changes += _structure_changes(old_lines, new_lines)
        changes += _measure_changes(level, old_lines, new_lines)
    return Comparison(old, new, sorted(changes, key=Change.sort_key))


def compare_filename(comparison, county=None):
    scope = county.name if county else "晋城市"
    return safe_filename(f"{scope}_清单版本对比（{comparison.old.name}→{comparison.new.name}）.xlsx")


def write_comparison(fh, comparison, county=None):
    """Write the comparison workbook: 汇总 (count per kind) and 变化明细 (one row per change)."""
    scope = county.name if county else "全市"
    title = f"应急减排清单版本对比（{scope}）：{comparison.old.name} → {comparison.new.name}"
    summary = [(label, number) for _, label, number in comparison.counts]
    details = ((number, c.kind_label, c.county_name, c.enterprise_name, c.credit_code, c.line_name,
                c.level_label, c.before, c.after) for number, c in enumerate(comparison.changes, start=1))
    write_table_workbook(fh, [("汇总", ("变化类型", "数量"), (16, 10), title, summary),
                              ("变化明细", DETAIL_HEADERS, DETAIL_WIDTHS, title, details)])
