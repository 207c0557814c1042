"""The list quality check: findings that name the enterprise and line, with a severity and where to fix them."""
from collections import defaultdict
from dataclasses import dataclass

from emergency.lists.verdicts import ERROR, SEVERITY_LABELS, WARNING
from emergency.registry import credit_code
from emergency.registry.scan import Judge, scan_firms
from models import LEVEL_LABELS, LEVELS, Enterprise, db

# Problems the rules report on every line of a firm that the check reports once, for the firm.
FIRM_PROBLEMS = ("classification", "missing_reason", "small_micro_over")
FIX_LABELS = {"registry.edit_line": "修改生产线", "registry.new_line": "新增生产线",
              "registry.edit_enterprise": "修改企业信息"}
# The enterprise form's fields that an enterprise finding's fix form marks, by check.
ENTERPRISE_FAULTS = {"credit_code": ("credit_code",), "duplicate_code": ("credit_code",),
                     "classification": ("industry_id", "category_code", "grade_code"),
                     "missing_reason": ("category_reason",), "small_micro_over": ("small_micro",)}


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
    levels: tuple = ()     # the alert levels at fault, for a line's finding

    @property
    def severity_label(self):
        return SEVERITY_LABELS[self.severity]

    @property
    def fix_endpoint(self):
        """The form that fixes it: the line's, 新增生产线 for a firm without lines, else the enterprise's."""
        if self.line_id:
            return "registry.edit_line"
        return "registry.new_line" if self.check == "no_lines" else "registry.edit_enterprise"

    @property
    def fix_label(self):
        return FIX_LABELS[self.fix_endpoint]

    @property
    def fix_args(self):
        """The form's URL arguments; ``fault`` names the levels (or the enterprise fields) the form marks."""
        args = {"enterprise_id": self.enterprise_id}
        if self.line_id:
            args["line_id"] = self.line_id
        fault = self.levels or ENTERPRISE_FAULTS.get(self.check, ())
        if fault:
            args["fault"] = ",".join(fault)
        return args

    @property
    def anchor(self):
        """The finding's row id on the check page, where saving the fix returns."""
        return f"finding-{self.enterprise_id}-{self.line_id or 0}-{self.check}"

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


def enterprise_findings(row, duplicates, classifications):
    """(severity, check, message) tuples about the enterprise of a scanned row (``registry.scan.ScanRow``)."""
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


def firm_problems(verdicts):
    """(severity, check, message) of the firm-wide problems the rules found on its lines, each once."""
    seen = {}
    for per_level in verdicts:
        for verdict in per_level:
            for p in verdict.problems:
                if p.code in FIRM_PROBLEMS and p.code != "classification":
                    seen.setdefault((p.code, p.message), p)
    return [(p.severity, p.code, p.message) for p in seen.values()]


def line_findings(row, verdicts):
    """(severity, check, message, levels at fault) tuples about the line of a scanned row, given its verdict at
    each level."""
    found, missing, ignored, by_code = [], [], [], defaultdict(list)
    for measure, level, entered in zip(verdicts, LEVELS, row.measures):
        label = LEVEL_LABELS[level]
        for problem in measure.problems:
            if problem.code == "missing":
                missing.append(level)
            elif problem.code not in FIRM_PROBLEMS:
                by_code[(problem.severity, problem.code)].append((level, f"{label}预警：{problem.message}"))
        if entered is None and measure.measure is not None:
            ignored.append(level)
    if missing:
        found.append((ERROR, "missing_measure", f"未填写{_labels(missing)}预警减排措施", tuple(missing)))
    for (severity, code), items in sorted(by_code.items(), key=lambda item: item[0][0] != ERROR):
        levels = tuple(dict.fromkeys(level for level, _ in items))
        found.append((severity, code, "；".join(message for _, message in items), levels))
    if ignored:
        found.append((WARNING, "missing_measure", f"未填写{_labels(ignored)}预警措施（清单按规则确定措施，"
                                                  "但应补填核查指标）", tuple(ignored)))
    if not any((a or 0.0) > 0 for a in row.annual):
        found.append((WARNING, "no_emissions", "四项污染物年排放量均为0，无法核算减排量", ()))
    return found


def _labels(levels):
    return "、".join(LEVEL_LABELS[level] for level in levels)


class Checker:
    """Findings of scanned firms (``registry.scan.scan_firms``) added one at a time in list order."""

    def __init__(self):
        self.duplicates, self.judge = duplicate_codes(), Judge()
        self.findings = []

    def add_firm(self, rows):
        """Add one firm's scanned rows; return its verdicts (per line, one per level) for other accumulators."""
        first = rows[0]
        common = {"county_name": first.county_name, "enterprise_id": first.enterprise_id,
                  "enterprise_name": first.enterprise_name}
        verdicts = self.judge.verdicts(rows)
        firm = enterprise_findings(first, self.duplicates, self.judge.inputs.classifications) + firm_problems(verdicts)
        self.findings.extend(Finding(severity, check, message, **common) for severity, check, message in firm)
        lines = [row for row in rows if row.line_id is not None]
        for row, per_level in zip(lines, verdicts):
            for severity, check, message, levels in line_findings(row, per_level):
                self.findings.append(Finding(severity, check, message, line_id=row.line_id, levels=levels,
                                             line_name=row.line_name, **common))
        return list(zip(lines, verdicts))

    def report(self):
        return Report(self.findings)


def run_checks(county_id=None):
    """Check the enterprises in scope (all, or one county) and return a ``Report`` in list order.

    One streamed tuple query over enterprises, lines and measures (``registry.scan``); no ORM objects.
    """
    checker = Checker()
    for rows in scan_firms(county_id):
        checker.add_firm(rows)
    return checker.report()
