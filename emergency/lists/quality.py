"""The list quality check: findings that name the enterprise and line, with a severity and where to fix them."""
from collections import defaultdict
from dataclasses import dataclass

from emergency.lists.rules import BELOW_FLOOR, MISSING
from emergency.registry import credit_code
from emergency.registry.grades import check_classification
from emergency.registry.scan import Judge, scan
from models import LEVEL_LABELS, LEVELS, Category, Enterprise, Grade, Industry, db

ERROR, WARNING = "error", "warning"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告"}


@dataclass(frozen=True)
class Finding:
    """One problem on the registry that affects the list."""

    severity: str
    check: str
    message: str
    county_name: str
    enterprise_id: int
    enterprise_name: str
    line_id: int | None = None
    line_name: str = ""

    @property
    def severity_label(self):
        return SEVERITY_LABELS[self.severity]

    @property
    def fix_endpoint(self):
        return "registry.edit_line" if self.line_id else "registry.edit_enterprise"

    @property
    def fix_args(self):
        args = {"enterprise_id": self.enterprise_id}
        if self.line_id:
            args["line_id"] = self.line_id
        return args

    def as_text(self):
        where = " / ".join(p for p in (self.county_name, self.enterprise_name, self.line_name) if p)
        return f"[{self.severity_label}] {where}：{self.message}"


@dataclass(frozen=True)
class Report:
    findings: list

    @property
    def errors(self):
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self):
        return sum(f.severity == WARNING for f in self.findings)


def duplicate_codes():
    """{normalised code: [(id, name), ...]} for codes shared by more than one enterprise (whole registry)."""
    groups = defaultdict(list)
    rows = db.session.query(Enterprise.id, Enterprise.name, Enterprise.credit_code).order_by(Enterprise.id)
    for enterprise_id, name, code in rows:
        groups[credit_code.normalise(code)].append((enterprise_id, name))
    return {code: members for code, members in groups.items() if len(members) > 1}


class Classifications:
    """``check_classification`` messages per (industry, category, grade), from reference tables read once."""

    def __init__(self):
        self.industries = {i.id: i for i in db.session.query(Industry)}
        self.categories = {c.code: c for c in db.session.query(Category)}
        self.grades = {g.code: g for g in db.session.query(Grade)}
        self._memo = {}

    def messages(self, industry_id, category_code, grade_code):
        key = (industry_id, category_code, grade_code)
        if key not in self._memo:
            found = check_classification(self.industries[industry_id], self.categories[category_code],
                                         self.grades.get(grade_code))
            self._memo[key] = list(found.values())
        return self._memo[key]


def enterprise_findings(row, duplicates, classifications):
    """(severity, check, message) tuples about the enterprise of a scanned row (``registry_scan.ScanRow``)."""
    found = []
    code = credit_code.normalise(row.credit_code)
    message = credit_code.validate(code)
    if message:
        found.append((ERROR, "credit_code", message))
    if code in duplicates:
        others = "、".join(name for other_id, name in duplicates[code] if other_id != row.enterprise_id)
        found.append((ERROR, "duplicate_code", f"统一社会信用代码 {code} 与其他企业重复：{others}"))
    facts = row.facts
    for message in classifications.messages(facts.industry_id, facts.category_code, facts.grade_code):
        found.append((ERROR, "classification", message))
    if row.line_id is None:
        found.append((ERROR, "no_lines", "未登记生产线，无法列入减排清单"))
    return found


def line_findings(row, verdicts):
    """(severity, check, message) tuples about the line of a scanned row, given its verdict at each level."""
    found, missing, ignored, weaker = [], [], [], []
    for measure, level, entered in zip(verdicts, LEVELS, row.measures):
        label = LEVEL_LABELS[level]
        if measure.status == MISSING:
            missing.append(label)
        elif measure.status == BELOW_FLOOR:
            weaker.append(f"{label}预警“{measure.label}”（底线：{measure.floor.label}）")
        elif entered is None:
            ignored.append(label)
    if missing:
        found.append((ERROR, "missing_measure", f"未填写{'、'.join(missing)}预警减排措施"))
    if weaker:
        found.append((ERROR, "below_floor", "措施弱于行业措施底线：" + "；".join(weaker)))
    if ignored:
        found.append((WARNING, "missing_measure", f"未填写{'、'.join(ignored)}预警措施（清单按规则确定措施，"
                                                  "但应补填核查指标）"))
    if not any((a or 0.0) > 0 for a in row.annual):
        found.append((WARNING, "no_emissions", "四项污染物年排放量均为0，无法核算减排量"))
    return found


class LineChecks:
    """``line_findings`` once per distinct (verdict inputs, has emissions): most lines share a handful."""

    def __init__(self, judge):
        self.judge, self._memo = judge, {}

    def __call__(self, row):
        key = (self.judge.key(row), any((a or 0.0) > 0 for a in row.annual))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = line_findings(row, self.judge.verdicts(row))
        return found


class Checker:
    """Findings of scanned rows (``registry_scan.scan``, outer-joined) added one at a time in list order."""

    def __init__(self):
        self.duplicates, self.classifications, self.judge = duplicate_codes(), Classifications(), Judge()
        self.line_checks = LineChecks(self.judge)
        self.findings, self._current, self._common = [], None, {}

    def add(self, row):
        if row.enterprise_id != self._current:
            self._current = row.enterprise_id
            self._common = {"county_name": row.county_name, "enterprise_id": row.enterprise_id,
                            "enterprise_name": row.enterprise_name}
            for severity, check, message in enterprise_findings(row, self.duplicates, self.classifications):
                self.findings.append(Finding(severity, check, message, **self._common))
        if row.line_id is not None:
            for severity, check, message in self.line_checks(row):
                self.findings.append(Finding(severity, check, message, line_id=row.line_id,
                                             line_name=row.line_name, **self._common))

    def report(self):
        return Report(self.findings)


def run_checks(county_id=None):
    """Check the enterprises in scope (all, or one county) and return a ``Report`` in list order.

    One streamed tuple query over enterprises, lines and measures (``registry_scan.scan``); no ORM objects.
    """
    checker = Checker()
    for row in scan(county_id):
        checker.add(row)
    return checker.report()
