"""Measure floors (措施底线) as the bureau's policy data: the checks, edits and deletions of floor rows, the settings
the rules read, and each row's history, which is its audit log.

City staff change floors on the floors page and through the workbook import (``floor_sheets``); both run the
checks here, so a row is refused alike wherever it comes from. Operations flush, never commit, and stamp
``edited_at``/``edited_by``: re-seeding then leaves the bureau's rows alone (``seed.load.load_floors``).
"""
import math
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import case, literal, select
from sqlalchemy.orm import contains_eager

from emergency.audit import trail as audit
from emergency.audit.view import readable
from emergency.errors import DomainError
from emergency.limits import text_limit
from emergency.lists.inputs import read_settings
from emergency.lists.policy import FLOOR_SCOPE_LABELS, GRADED_SCOPE, RULE_SETTINGS, SETTING_LABELS
from emergency.registry.measures import Measure, clean_params, validate_parts
from emergency.registry.operations import measure_types
from models import LEVEL_LABELS, LEVELS, AuditLog, Grade, Industry, MeasureFloor, MeasureType, Setting, db
from models.base import utcnow
from seed.load import read_csv

FLOOR_ENTITY, SETTING_ENTITY = "floor", "setting"
KEY_FIELDS = ("scope", "industry_id", "grade_code", "level", "process")
MEASURE_FIELDS = ("action", "limit_pct", "other_fraction", "hours", "cap_pct", "transport", "text")
EDITABLE = MEASURE_FIELDS + ("provisional", "source")
TEXT_FIELDS = {name: text_limit(getattr(MeasureFloor, name)) for name in ("process", "text", "source")}
# The ``process`` filter value for rows that apply to every process of their industry.
WHOLE_INDUSTRY = "*"


def grade_text(code):
    """"B级" for a letter grade, the label itself for 引领性 and 非引领性."""
    grade = db.session.get(Grade, code) if code else None
    if grade is None:
        return code or ""
    return f"{grade.label}级" if grade.label.isascii() else grade.label


def describe(floor):
    """The row's key in words: 绩效分级行业 · 水泥（熟料） · B级 · 红色预警 · 全部工序."""
    industry = db.session.get(Industry, floor.industry_id) if floor.industry_id else None
    parts = [FLOOR_SCOPE_LABELS.get(floor.scope, floor.scope), industry.display_name if industry else "全部行业"]
    if floor.grade_code:
        parts.append(grade_text(floor.grade_code))
    parts += [f"{LEVEL_LABELS.get(floor.level, floor.level)}预警", floor.process or "全部工序"]
    return " · ".join(parts)


audit.register(MeasureFloor, FLOOR_ENTITY, "措施底线", lambda obj, conn: None, describe)
# Only the settings the rules read are policy; installation facts (demo_loaded) are not logged.
audit.register(Setting, SETTING_ENTITY, "规则参数", lambda obj, conn: None,
               lambda obj: SETTING_LABELS.get(obj.key, obj.key), when=lambda obj: obj.key in RULE_SETTINGS)


def normalized(values, types):
    """The row's values as stored: text trimmed, parameters the type does not take cleared."""
    clean = clean_params(values, types)
    for name in ("process", "text", "source"):
        clean[name] = (clean.get(name) or "").strip()
    clean["provisional"] = bool(clean.get("provisional"))
    return clean


def check_key(values):
    """{field: Chinese message} for a row's key: scope, industry, grade and level, by the scope's rules."""
    errors = {}
    scope, grade_code = values.get("scope"), values.get("grade_code")
    if scope not in FLOOR_SCOPE_LABELS:
        errors["scope"] = "请选择适用范围"
    if values.get("level") not in LEVELS:
        errors["level"] = "请选择预警级别"
    industry = db.session.get(Industry, values["industry_id"]) if values.get("industry_id") else None
    if values.get("industry_id") and industry is None:
        errors["industry_id"] = "未知的行业"
    if scope == GRADED_SCOPE:
        if industry is None:
            errors.setdefault("industry_id", "绩效分级行业的底线须选择行业")
        elif not industry.allowed_grades:
            errors["industry_id"] = f"{industry.display_name}不实行绩效分级，请选择“{FLOOR_SCOPE_LABELS['general']}”"
        if not grade_code:
            errors["grade_code"] = "绩效分级行业的底线须选择绩效等级"
        elif industry is not None and industry.allowed_grades and grade_code not in industry.allowed_grades:
            allowed = "、".join(grade_text(code) for code in industry.allowed_grades)
            errors["grade_code"] = f"{industry.display_name}的分级方案没有{grade_text(grade_code)}（可选：{allowed}）"
    elif scope in FLOOR_SCOPE_LABELS and grade_code:
        errors["grade_code"] = f"“{FLOOR_SCOPE_LABELS[scope]}”的底线不分绩效等级，请勿选择等级"
    return errors


def check_measure(values, types):
    """{field: Chinese message} for a row's measure (``validate_parts``) and its text lengths."""
    errors = validate_parts(values, types)
    for name, limit in TEXT_FIELDS.items():
        if len(values.get(name) or "") > limit:
            errors[name] = f"不能超过{limit}个字"
    return errors


def find_floor(values):
    """The stored row with the key of ``values``, or None."""
    return db.session.query(MeasureFloor).filter_by(**{k: values.get(k) for k in KEY_FIELDS}).one_or_none()


def check_new_floor(values, types):
    """The checks of a new row: key, measure, and no stored row with the same key."""
    errors = {**check_key(values), **check_measure(values, types)}
    if not errors and find_floor(values) is not None:
        key = SimpleNamespace(**{k: values[k] for k in KEY_FIELDS})
        errors["key"] = f"底线“{describe(key)}”已存在，不能重复添加；请在列表中找到该行修改"
    return errors


def _stamp(floor, values, username):
    """Copy the editable values; on a change, mark the row edited by ``username``. Return whether it changed."""
    changed = floor.id is None
    for name in EDITABLE:
        if not same(getattr(floor, name), values[name]):
            setattr(floor, name, values[name])
            changed = True
    if changed:
        floor.edited_at, floor.edited_by = utcnow(), username[:text_limit(MeasureFloor.edited_by)]
    return changed


def same(stored, given):
    """Equal values; floats within rounding (a workbook round trip must not look like an edit)."""
    if isinstance(stored, float) and isinstance(given, float):
        return math.isclose(stored, given, rel_tol=1e-12, abs_tol=1e-12)
    return stored == given


def create_floor(values, username, types=None):
    """Add a floor row; raises DomainError with Chinese messages per field."""
    types = types or measure_types()
    values = normalized(values, types)
    errors = check_new_floor(values, types)
    if errors:
        raise DomainError(errors)
    floor = MeasureFloor(**{k: values[k] for k in KEY_FIELDS})
    _stamp(floor, values, username)
    db.session.add(floor)
    db.session.flush()
    return floor


def update_floor(floor, values, username, types=None):
    """Change a row's measure, evidence and source (its key stays); return whether anything changed."""
    types = types or measure_types()
    values = normalized({**{k: getattr(floor, k) for k in EDITABLE}, **values}, types)
    errors = check_measure(values, types)
    if errors:
        raise DomainError(errors)
    changed = _stamp(floor, values, username)
    db.session.flush()
    return changed


def is_fallback(floor):
    """An industry-wide row of a graded industry and grade, or a scope's common row: the rules need it."""
    return not floor.process and (floor.scope == GRADED_SCOPE or floor.industry_id is None)


def delete_floor(floor):
    """Delete a process-specific (or non-key industry's) row; the rows the rules fall back on are refused."""
    if is_fallback(floor):
        raise DomainError({"floor": f"“{describe(floor)}”是不分工序的通用底线，规则缺了它无法判断，不能删除；"
                                    "如需调整，请修改其措施"})
    db.session.delete(floor)
    db.session.flush()


def floor_query(scope="", industry_id=None, grade_code="", level="", process="", provisional=""):
    """Floor rows with the filters given, in the order of the seed file: scope, industry, grade, level, process."""
    stmt = (select(MeasureFloor).outerjoin(Industry, MeasureFloor.industry_id == Industry.id)
            .outerjoin(Grade, MeasureFloor.grade_code == Grade.code).options(contains_eager(MeasureFloor.industry))
            .order_by(case({s: i for i, s in enumerate(FLOOR_SCOPE_LABELS)}, value=MeasureFloor.scope),
                      Industry.sort_order.is_not(None), Industry.sort_order, Grade.sort_order,
                      case({lv: i for i, lv in enumerate(LEVELS)}, value=MeasureFloor.level),
                      MeasureFloor.process, MeasureFloor.id))
    for column, value in ((MeasureFloor.scope, scope), (MeasureFloor.industry_id, industry_id),
                          (MeasureFloor.grade_code, grade_code), (MeasureFloor.level, level)):
        if value:
            stmt = stmt.where(column == value)
    if process:
        stmt = stmt.where(MeasureFloor.process == ("" if process == WHOLE_INDUSTRY else process))
    if provisional in ("0", "1"):
        stmt = stmt.where(MeasureFloor.provisional.is_(provisional == "1"))
    return stmt


@dataclass
class FloorRow:
    """A row as the floors page shows it: the stored row, its grade in words and its measure's full label."""

    floor: MeasureFloor
    grade: str
    measure: str


def floor_rows(floors, types=None):
    types = types or measure_types()
    return [FloorRow(f, grade_text(f.grade_code), Measure.of(f).full_label(types)) for f in floors]


def process_names():
    return [p for (p,) in db.session.query(MeasureFloor.process).filter(MeasureFloor.process != "").distinct()
            .order_by(MeasureFloor.process)]


def provisional_count():
    """(provisional rows, all rows)."""
    rows = db.session.query(MeasureFloor.provisional).all()
    return sum(1 for (p,) in rows if p), len(rows)


def _history(*conditions, limit=None):
    stmt = (select(AuditLog, literal(None)).where(*conditions)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit))
    return readable(db.session.execute(stmt).all())


def floor_history(floor):
    """The row's audit entries, newest first (before → after)."""
    return _history(AuditLog.entity_type == FLOOR_ENTITY, AuditLog.entity_id == floor.id)


def settings_history(limit=20):
    return _history(AuditLog.entity_type == SETTING_ENTITY, limit=limit)


def measure_type_rows():
    """The measure types with their fractions and notes, for reading (they are seed data)."""
    return db.session.query(MeasureType).order_by(MeasureType.sort_order).all()


@dataclass
class RuleSetting:
    key: str
    label: str
    value: float
    note: str


def rule_settings():
    """The settings the rules read, as they take effect (a value not stored is the default)."""
    values = read_settings()
    notes = {r["key"]: r["note"] for r in read_csv("settings.csv")}
    return [RuleSetting(key, SETTING_LABELS[key], values[key], notes.get(key, "")) for key in RULE_SETTINGS]


def check_settings(values):
    errors = {}
    limit = values.get("strictest_limit_pct")
    if limit is None or not 0 < limit < 100:
        errors["strictest_limit_pct"] = "最严限产比例应大于0且小于100（%）"
    threshold = values.get("small_micro_threshold_t_yr")
    if threshold is None or not 0 <= threshold <= 10000:
        errors["small_micro_threshold_t_yr"] = "排放量上限应在0到10000吨/年之间"
    return errors


def setting_text(key, value):
    if key == "count_self_commitment":
        return "1" if value else "0"
    return f"{value:g}"


def save_settings(values):
    """Store the rules' settings; return the keys that changed. Raises DomainError on bad values."""
    errors = check_settings(values)
    if errors:
        raise DomainError(errors)
    changed, effective = [], read_settings()
    for key in RULE_SETTINGS:
        text = setting_text(key, values.get(key))
        row = db.session.get(Setting, key)
        if row is None:
            if text == setting_text(key, effective[key]):
                continue
            db.session.add(Setting(key=key, value=text))
        elif row.value == text:
            continue
        else:
            row.value = text
        changed.append(key)
    db.session.flush()
    return changed
