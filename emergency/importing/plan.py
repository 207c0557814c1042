"""Turn the rows read from a file into a plan: per enterprise, line and measure, create, update or unchanged.

The checks are the web forms' rules, called as they are: credit_code.validate, grades.check_classification,
grades.check_category_reason, operations.line_rules and measures.validate_parts; text limits are the model
columns' lengths. Existing records are preloaded as plain rows in a few queries, never one query per row.
A blank cell in a file never erases a stored value (see README, "Importing").
"""
import math
from collections import Counter
from dataclasses import dataclass, field

from emergency.importing.classification import Classifier
from emergency.importing.plan_measures import MeasureCells
from emergency.importing.values import fold, is_blank, parse_bool, parse_number
from emergency.limits import text_limit
from emergency.registry import credit_code
from emergency.registry.operations import (
    ENTERPRISE_FIELDS,
    LINE_FIELDS,
    MEASURE_FIELDS,
    enterprise_rules,
    line_rules,
    stored_enterprise,
)
from emergency.spreadsheets.registry import REGISTRY_COLUMNS
from models import LEVELS, Enterprise, LineMeasure, ProductionLine

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ENTERPRISE_TEXTS = ("name", "town", "address", "contact_person", "contact_phone", "permit_number", "transport_mode")
LINE_TEXTS = ("process_stage", "facilities", "capacity_unit", "main_products", "output_unit", "treatment_facilities")
# Import column → the model column whose length limits it.
TEXT_LIMITS = {
    **{name: text_limit(getattr(Enterprise, name)) for name in ENTERPRISE_TEXTS},
    "line_name": text_limit(ProductionLine.name),
    **{name: text_limit(getattr(ProductionLine, name)) for name in LINE_TEXTS},
    **{name: text_limit(getattr(LineMeasure, name)) for name in ("text", "indicators")},
}
LINE_DEFAULTS = {"process_stage": "", "facilities": "", "capacity": None, "capacity_unit": "",
                 "can_stop_quickly": True, "coking_hours": None, "so2_t_yr": 0.0, "nox_t_yr": 0.0, "pm_t_yr": 0.0,
                 "vocs_t_yr": 0.0, "operating_days": 300, "main_products": "", "output": None, "output_unit": "",
                 "treatment_facilities": ""}
ENTERPRISE_DEFAULTS = {"town": "", "address": "", "contact_person": "", "contact_phone": "",
                       "small_micro": False, "violation_prev_year": False, "grade_code": None,
                       "category_reason": "", "longitude": None, "latitude": None, "permit_number": "",
                       "transport_mode": "", "heavy_trucks_per_day": None, "access_control": False,
                       "output_value": None, "green_factory": False}
EMISSIONS = ("so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr")
FIELD_LABELS = dict(REGISTRY_COLUMNS)
NUMBERS = ("capacity", "coking_hours", "so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr", "output")
# Enterprise cells read as numbers: (field, whole numbers only).
ENTERPRISE_NUMBERS = (("longitude", False), ("latitude", False), ("heavy_trucks_per_day", True),
                      ("output_value", False))


@dataclass
class LinePlan:
    name: str
    action: str
    line_id: int | None
    values: dict
    measures: dict = field(default_factory=dict)      # level → values, only the levels to write
    measure_actions: dict = field(default_factory=dict)
    version: int | None = None     # the stored line's version counter when planned

    @property
    def writes(self):
        return self.action != UNCHANGED or bool(self.measures)


@dataclass
class EnterprisePlan:
    code: str
    action: str
    enterprise_id: int | None
    values: dict
    lines: list = field(default_factory=list)         # only the lines that write something
    counts: dict = field(default_factory=lambda: {"line": Counter(), "measure": Counter()})
    version: int | None = None     # the stored enterprise's version counter when planned

    @property
    def writes(self):
        return self.action != UNCHANGED or bool(self.lines)


def same(a, b):
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def changed(old, new, fields):
    return any(not same(new[name], old[name]) for name in fields)


class Planner:
    """Resolve parsed entries against the vocabulary and stored rows; report problems through ``report``."""

    def __init__(self, vocab, existing, report, county_id=None):
        self.vocab, self.existing, self.report, self.county_id = vocab, existing, report, county_id
        self.classifier = Classifier(vocab, self._check)
        self.measure_cells = MeasureCells(vocab.types, report)
        self.no_emissions = {}        # sheet name → (layout, first row) of lines created with no emission column

    def finish(self):
        """Refuse sheets that would create lines while having no emission column at all (they would read 0)."""
        for layout, row in self.no_emissions.values():
            names = "、".join(f"“{FIELD_LABELS[name]}”" for name in EMISSIONS)
            self.report.add(layout, row, None, "",
                            f"该表新增生产线，但没有任何排放量列，排放量将全部为0；请添加以下列：{names}")

    def enterprise(self, entry):
        """Return an EnterprisePlan, or None when the enterprise has problems (its lines are still checked)."""
        stored = self.existing.enterprises.get(entry.code)
        values = {k: stored[k] for k in ENTERPRISE_FIELDS} if stored else dict(ENTERPRISE_DEFAULTS)
        before = len(self.report.problems)
        self._identity(entry, values, stored)
        industry_ok = self._places(entry, values, stored)
        self.classifier.apply(entry, values, stored, industry_ok)
        self._details(entry, values)
        ok = len(self.report.problems) == before
        if ok:
            values = stored_enterprise(values)    # compared as it would be stored (a reason only where one is taken)
        action = CREATE if stored is None else UPDATE if changed(stored, values, ENTERPRISE_FIELDS) else UNCHANGED
        plan = EnterprisePlan(entry.code, action, stored and stored["id"], values, version=stored and stored["version"])
        for line in entry.lines:
            line_plan = self.line(line, stored)
            if line_plan is None:
                ok = False
            elif ok:
                plan.counts["line"][line_plan.action] += 1
                plan.counts["measure"].update(line_plan.measure_actions.values())
                if line_plan.writes:
                    plan.lines.append(line_plan)
        return plan if ok else None

    def _details(self, entry, values):
        for name in ENTERPRISE_TEXTS[1:]:
            if entry.given(name):
                values[name] = self._text(entry, name)
        for name in ("small_micro", "violation_prev_year", "access_control", "green_factory"):
            if entry.given(name):
                flag, message = parse_bool(entry.cells[name])
                if message:
                    self._check(entry, name, message)
                else:
                    values[name] = flag
        for name, whole in ENTERPRISE_NUMBERS:
            if entry.given(name):
                number, message = parse_number(entry.cells[name])
                if message:
                    self._check(entry, name, message)
                else:
                    values[name] = int(number) if whole and number is not None and number.is_integer() else number
        for name, message in enterprise_rules(values).items():
            self._check(entry, name, message)

    def _check(self, entry, name, message):
        layout, row = entry.origins.get(name, entry.first)
        self.report.add(layout, row, name, entry.cells.get(name, ""), message)

    def _text(self, entry, name):
        text = fold(entry.cells[name])
        message = too_long(name, text)
        if message:
            self._check(entry, name, message)
        return text

    def _identity(self, entry, values, stored):
        code = credit_code.normalise(entry.code)
        message = credit_code.validate(code)
        if message:
            self._check(entry, "credit_code", message)
        values["credit_code"] = code
        if entry.given("name"):
            values["name"] = self._text(entry, "name")
        elif stored is None:
            self._check(entry, "name", "企业名称不能为空")
        if stored is not None and self.county_id is not None and stored["county_id"] != self.county_id:
            self._check(entry, "credit_code", "该企业登记在其他县（市、区），您无权导入或修改")

    def _places(self, entry, values, stored):
        if entry.given("county"):
            county, message = self.vocab.county(entry.cells["county"])
            if message:
                self._check(entry, "county", message)
            else:
                values["county_id"] = county.id
                if self.county_id is not None and county.id != self.county_id:
                    own = self.vocab.counties[self.county_id].name
                    self._check(entry, "county", f"不属于您所在的县（市、区）（{own}），无权导入")
        elif stored is None:
            self._check(entry, "county", "县（市、区）不能为空")
        if entry.given("industry_name"):
            name, sub_type = entry.cells["industry_name"], entry.cells.get("industry_sub_type")
            industry, message = self.vocab.industry(name, sub_type)
            default = self.vocab.default_industry(name) if message and is_blank(sub_type) else None
            if default is not None:
                industry, message = default, None
                layout, row = entry.origins.get("industry_name", entry.first)
                self.report.warn(layout, row, "industry_name", name,
                                 f"未填写行业子类，按默认子类导入为“{default.display_name}”")
            if message:
                self._check(entry, "industry_name", message)
                return False
            values["industry_id"] = industry.id
        elif stored is None:
            self._check(entry, "industry_name", "行业类别不能为空")
            return False
        return True

    def line(self, line, stored_enterprise):
        """Return a LinePlan, or None when the row has problems."""
        stored = stored_enterprise and self.existing.line(stored_enterprise["id"], line.name)
        values = {k: stored[k] for k in LINE_FIELDS} if stored else {**LINE_DEFAULTS, "name": line.name}
        before = len(self.report.problems)
        self._line_cells(line, values)
        for name, message in line_rules(values).items():
            line.problem(self.report, name, message)
        if stored is None and not any(line.has(name) for name in EMISSIONS):
            self.no_emissions.setdefault(line.layout.sheet, (line.layout, line.row))
        plan = LinePlan(line.name, CREATE if stored is None else UNCHANGED, stored and stored["id"], values,
                        version=stored and stored["version"])
        if stored is not None and changed(stored, values, LINE_FIELDS):
            plan.action = UPDATE
        measures = line.measures
        for level in LEVELS:
            self._measure(line, level, measures.get(level), plan, stored)
        return plan if len(self.report.problems) == before else None

    def _measure(self, line, level, cells, plan, stored_line):
        stored = stored_line and self.existing.measure(stored_line["id"], level)
        values = self.measure_cells.values(line, level, cells, stored)
        if values is None:
            return
        for part in ("text", "indicators"):
            self._limit(line, f"{level}_{part}", part, values[part])
        result = CREATE if stored is None else UPDATE if changed(stored, values, MEASURE_FIELDS) else UNCHANGED
        plan.measure_actions[level] = result
        if result != UNCHANGED:
            plan.measures[level] = values

    def _line_cells(self, line, values):
        """Read a line's given cells into ``values``; report those that cannot be read."""
        self._limit(line, "line_name", "line_name", line.name)
        for name in LINE_TEXTS:
            if line.given(name):
                values[name] = fold(line.get(name))
                self._limit(line, name, name, values[name])
        for name in (*NUMBERS, "operating_days"):
            if line.given(name):
                number, message = parse_number(line.get(name))
                if name == "operating_days" and number is not None and not number.is_integer():
                    message = "年运行天数应为整数"
                if message:
                    line.problem(self.report, name, message)
                else:
                    values[name] = int(number) if name == "operating_days" else number
        if line.given("can_stop_quickly"):
            flag, message = parse_bool(line.get("can_stop_quickly"))
            if message:
                line.problem(self.report, "can_stop_quickly", message)
            else:
                values["can_stop_quickly"] = flag

    def _limit(self, line, column, name, text):
        """Report ``text`` in ``column`` when it is longer than the model column behind ``name`` holds."""
        message = too_long(name, text)
        if message:
            line.problem(self.report, column, message)


def too_long(name, text):
    """The message for text longer than the column of import column ``name`` holds; None when it fits."""
    limit = TEXT_LIMITS[name]
    return f"不超过{limit}字" if len(text) > limit else None
