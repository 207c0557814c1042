"""The list quality check: findings that name the enterprise and line, with a severity and where to fix them."""
from collections import defaultdict
from dataclasses import dataclass

from models import LEVEL_LABELS, LEVELS, Enterprise, db

from . import credit_code
from .grades import check_classification
from .listing import enterprise_ids, iter_enterprises, line_measure, load_floors, strictest_limit_pct
from .rules import BELOW_FLOOR, MISSING

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


def enterprise_findings(enterprise, duplicates):
    """(severity, check, message) tuples about the enterprise itself."""
    found = []
    code = credit_code.normalise(enterprise.credit_code)
    message = credit_code.validate(code)
    if message:
        found.append((ERROR, "credit_code", message))
    if code in duplicates:
        others = "、".join(name for other_id, name in duplicates[code] if other_id != enterprise.id)
        found.append((ERROR, "duplicate_code", f"统一社会信用代码 {code} 与其他企业重复：{others}"))
    for message in check_classification(enterprise.industry, enterprise.category, enterprise.grade).values():
        found.append((ERROR, "classification", message))
    if not enterprise.lines:
        found.append((ERROR, "no_lines", "未登记生产线，无法列入减排清单"))
    return found


def line_findings(enterprise, line, floors, strictest_pct):
    """(severity, check, message) tuples about one line at every level."""
    found, missing, ignored, weaker = [], [], [], []
    for level in LEVELS:
        measure = line_measure(enterprise, line, level, floors, strictest_pct)
        label = LEVEL_LABELS[level]
        if measure.status == MISSING:
            missing.append(label)
        elif measure.status == BELOW_FLOOR:
            weaker.append(f"{label}预警“{measure.label}”（底线：{measure.floor.label}）")
        elif line.measure_for(level) is None:
            ignored.append(label)
    if missing:
        found.append((ERROR, "missing_measure", f"未填写{'、'.join(missing)}预警减排措施"))
    if weaker:
        found.append((ERROR, "below_floor", "措施弱于行业措施底线：" + "；".join(weaker)))
    if ignored:
        found.append((WARNING, "missing_measure", f"未填写{'、'.join(ignored)}预警措施（清单按规则确定措施，"
                                                  "但应补填核查指标）"))
    if not line.has_emissions:
        found.append((WARNING, "no_emissions", "四项污染物年排放量均为0，无法核算减排量"))
    return found


def run_checks(county_id=None):
    """Check the enterprises in scope (all, or one county) and return a ``Report`` in list order."""
    floors, strictest_pct, duplicates = load_floors(), strictest_limit_pct(), duplicate_codes()
    findings = []
    for enterprise in iter_enterprises(enterprise_ids(county_id, with_lines=False)):
        common = {"county_name": enterprise.county.name, "enterprise_id": enterprise.id,
                  "enterprise_name": enterprise.name}
        for severity, check, message in enterprise_findings(enterprise, duplicates):
            findings.append(Finding(severity, check, message, **common))
        for line in enterprise.lines:
            for severity, check, message in line_findings(enterprise, line, floors, strictest_pct):
                findings.append(Finding(severity, check, message, line_id=line.id, line_name=line.name, **common))
    return Report(findings)
