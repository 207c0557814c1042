"""Turn the rows read from a file into a plan: per enterprise, line and measure, create, update or unchanged.

The checks are the web forms' rules: credit_code.validate, grades.check_classification and
measures.validate_parts are called as they are; the line rules mirror operations.check_line (a test keeps
them equal). Existing records are preloaded as plain rows in a few queries, never one query per row.
A blank cell in a file never erases a stored value (see README, "Importing").
"""
import math
from collections import Counter
from dataclasses import dataclass, field

from emergency.importing.values import (
    cell_text,
    fold,
    is_blank,
    parse_bool,
    parse_fraction,
    parse_measure_text,
    parse_number,
    parse_percent,
)
from emergency.registry import credit_code
from emergency.registry.grades import check_classification
from emergency.registry.measures import ACTION_LABELS, LIMIT, OTHER, validate_parts
from emergency.registry.operations import ENTERPRISE_FIELDS, LINE_FIELDS, MEASURE_FIELDS
from models import LEVELS

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
TEXT_LIMITS = {"name": 200, "town": 60, "address": 200, "contact_person": 40, "contact_phone": 40,
               "line_name": 120, "process_stage": 60, "facilities": 300, "capacity_unit": 30,
               "text": 500, "indicators": 300}
LINE_DEFAULTS = {"process_stage": "", "facilities": "", "capacity": None, "capacity_unit": "",
                 "can_stop_quickly": True, "so2_t_yr": 0.0, "nox_t_yr": 0.0, "pm_t_yr": 0.0, "vocs_t_yr": 0.0,
                 "operating_days": 300}
ENTERPRISE_DEFAULTS = {"town": "", "address": "", "contact_person": "", "contact_phone": "",
                       "small_micro": False, "violation_prev_year": False, "grade_code": None}
NUMBERS = ("capacity", "so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr")


@dataclass
class LinePlan:
    name: str
    action: str
    line_id: int | None
    values: dict
    measures: dict = field(default_factory=dict)      # level → values, only the levels to write
    measure_actions: dict = field(default_factory=dict)

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
        self._classified = {}

    def enterprise(self, entry):
        """Return an EnterprisePlan, or None when the enterprise has problems (its lines are still checked)."""
        stored = self.existing.enterprises.get(entry.code)
        values = {k: stored[k] for k in ENTERPRISE_FIELDS} if stored else dict(ENTERPRISE_DEFAULTS)
        before = len(self.report.problems)
        self._identity(entry, values, stored)
        industry_ok = self._places(entry, values, stored)
        self._classification(entry, values, stored, industry_ok)
        for name in ("town", "address", "contact_person", "contact_phone"):
            if entry.given(name):
                values[name] = self._text(entry, name)
        for name in ("small_micro", "violation_prev_year"):
            if entry.given(name):
                flag, message = parse_bool(entry.cells[name])
                if message:
                    self._check(entry, name, message)
                else:
                    values[name] = flag
        ok = len(self.report.problems) == before
        action = CREATE if stored is None else UPDATE if changed(stored, values, ENTERPRISE_FIELDS) else UNCHANGED
        plan = EnterprisePlan(entry.code, action, stored and stored["id"], values)
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

    def _check(self, entry, name, message):
        layout, row = entry.origins.get(name, entry.first)
        self.report.add(layout, row, name, entry.cells.get(name, ""), message)

    def _text(self, entry, name):
        text = fold(entry.cells[name])
        if len(text) > TEXT_LIMITS[name]:
            self._check(entry, name, f"不超过{TEXT_LIMITS[name]}字")
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
            industry, message = self.vocab.industry(entry.cells["industry_name"], entry.cells.get("industry_sub_type"))
            if message:
                self._check(entry, "industry_name", message)
                return False
            values["industry_id"] = industry.id
        elif stored is None:
            self._check(entry, "industry_name", "行业类别不能为空")
            return False
        return True

    def _classification(self, entry, values, stored, industry_ok):
        """管控类别 and 绩效等级 may be two columns or one (A级, 保障类（A）, 民生保障); see README."""
        found = {}
        for name in ("category", "grade"):
            if entry.given(name):
                category, grade, ok = self.vocab.classification(entry.cells[name])
                if not ok:
                    self._check(entry, name, f"无法识别的{'管控类别' if name == 'category' else '绩效等级'}"
                                             f"“{fold(entry.cells[name])}”")
                    return
                found[name] = (category, grade)
        categories = {c for c, _ in found.values() if c}
        grades = {g for _, g in found.values() if g}
        if len(categories) > 1 or len(grades) > 1:
            self._check(entry, "grade" if "grade" in found else "category", "管控类别与绩效等级不一致")
            return
        category, grade = next(iter(categories), None), next(iter(grades), None)
        industry = self.vocab.industries.get(values.get("industry_id")) if industry_ok else None
        stored_category = stored["category_code"] if stored else None
        if category is None and grade is None:
            if stored is not None:
                category, grade = stored_category, stored["grade_code"]
            elif industry is None:
                return
            elif industry.is_key:
                self._check(entry, "grade" if "grade" in entry.cells else "category", "未填写绩效等级（或管控类别）")
                return
            else:
                category = "GENERAL"
        elif category is None:
            # A grade alone keeps a stored category that takes grades (保障类（A） stays 保障类), else 绩效分级.
            takes_grade = stored is not None and self.vocab.categories[stored_category].grade_policy != "none"
            category = stored_category if takes_grade else "GRADED"
        elif grade is None and stored is not None and stored_category == category:
            grade = stored["grade_code"]
        values["category_code"], values["grade_code"] = category, grade
        if industry is not None:
            combo = (industry.id, category, grade)
            if combo not in self._classified:
                self._classified[combo] = check_classification(
                    industry, self.vocab.categories[category], self.vocab.grades.get(grade))
            for field_name, message in self._classified[combo].items():
                column = "category" if field_name == "category_code" and "category" in found else "grade"
                self._check(entry, column if column in entry.cells else "category", message)

    def line(self, line, stored_enterprise):
        """Return a LinePlan, or None when the row has problems."""
        stored = stored_enterprise and self.existing.line(stored_enterprise["id"], line.name)
        values = {k: stored[k] for k in LINE_FIELDS} if stored else {**LINE_DEFAULTS, "name": line.name}
        before = len(self.report.problems)
        if len(line.name) > TEXT_LIMITS["line_name"]:
            line.problem(self.report, "line_name", f"不超过{TEXT_LIMITS['line_name']}字")
        for name in ("process_stage", "facilities", "capacity_unit"):
            if line.given(name):
                values[name] = fold(line.get(name))
                if len(values[name]) > TEXT_LIMITS[name]:
                    line.problem(self.report, name, f"不超过{TEXT_LIMITS[name]}字")
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
        for name, message in line_rules(values).items():
            line.problem(self.report, name, message)
        plan = LinePlan(line.name, CREATE if stored is None else UNCHANGED, stored and stored["id"], values)
        if stored is not None and changed(stored, values, LINE_FIELDS):
            plan.action = UPDATE
        measures = line.measures
        for level in LEVELS:
            self._measure(line, level, measures.get(level), plan, stored)
        return plan if len(self.report.problems) == before else None

    def _measure(self, line, level, cells, plan, stored_line):
        if not cells or all(is_blank(v) for v in cells.values()):
            return
        stored = stored_line and self.existing.measure(stored_line["id"], level)
        parsed, source = None, None
        for part in ("action", "text"):
            if not is_blank(cells.get(part)):
                parsed, source = parse_measure_text(cells[part]), part
                if parsed is None and part == "action":
                    labels = "、".join(ACTION_LABELS.values())
                    return line.problem(self.report, f"{level}_action", f"无法识别的措施类型，应为：{labels}")
                if parsed is not None:
                    break
        if parsed is None and source == "text":
            return line.problem(self.report, f"{level}_text", "无法识别的减排措施：应写明停产、限产X%、自主减排、"
                                                               "不停限产或“其他”措施（并填写削减比例）")
        if parsed is None and stored is None:
            return line.problem(self.report, f"{level}_action", "未填写措施类型")
        action, pct, fraction = parsed or (stored["action"], stored["limit_pct"], stored["other_fraction"])
        if action == LIMIT and pct is None and source == "action" and not is_blank(cells.get("text")):
            pct = (parse_measure_text(cells["text"]) or (None, None))[1]
        pct = self._number(line, level, cells, "limit_pct", parse_percent, pct)
        fraction = self._number(line, level, cells, "other_fraction", parse_fraction, fraction)
        values = {"action": action, "limit_pct": pct if action == LIMIT else None,
                  "other_fraction": fraction if action == OTHER else None}
        for part in ("text", "indicators"):
            values[part] = cell_text(cells[part]) if part in cells else (stored[part] if stored else "")
            if len(values[part]) > TEXT_LIMITS[part]:
                line.problem(self.report, f"{level}_{part}", f"不超过{TEXT_LIMITS[part]}字")
        for part, message in validate_parts(action, values["limit_pct"], values["other_fraction"]).items():
            column = part if part in cells else source or "action"
            line.problem(self.report, f"{level}_{column}", message)
        result = CREATE if stored is None else UPDATE if changed(stored, values, MEASURE_FIELDS) else UNCHANGED
        plan.measure_actions[level] = result
        if result != UNCHANGED:
            plan.measures[level] = values

    def _number(self, line, level, cells, part, parse, default):
        if is_blank(cells.get(part)):
            return default
        number, message = parse(cells[part])
        if message:
            line.problem(self.report, f"{level}_{part}", message)
        return number


def line_rules(values):
    """operations.check_line's value rules without its database check (the import matches lines by name)."""
    errors = {}
    for name in ("so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr", "capacity"):
        if values.get(name) is not None and values[name] < 0:
            errors[name] = "不能为负数"
    days = values.get("operating_days")
    if days is None or not 1 <= days <= 366:
        errors["operating_days"] = "年运行天数应在1到366之间"
    return errors
