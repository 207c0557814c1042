"""Named state changes on the registry. Each flushes and never commits: the request or command commits once."""
import math
from types import SimpleNamespace

from emergency.audit import trail as audit
from emergency.clock import local_today
from emergency.errors import DomainError
from emergency.grading import history as grade_changes
from emergency.registry import credit_code
from emergency.registry.grades import check_category_reason, check_classification
from emergency.registry.measures import MAX_COKING_HOURS, MeasureTypes, clean_params, validate_parts
from models import (
    Category,
    County,
    Enterprise,
    Grade,
    Industry,
    LineMeasure,
    MeasureType,
    ProductionLine,
    User,
    db,
)
from models.base import utcnow
from models.enterprise import LATITUDE_RANGE, LONGITUDE_RANGE, pinyin_key

ENTERPRISE_FIELDS = (
    "name", "credit_code", "county_id", "town", "address", "contact_person", "contact_phone",
    "industry_id", "category_code", "grade_code", "category_reason", "small_micro", "violation_prev_year",
    "longitude", "latitude", "permit_number", "transport_mode", "heavy_trucks_per_day", "access_control",
    "output_value", "green_factory",
)
LINE_FIELDS = (
    "name", "process_stage", "facilities", "capacity", "capacity_unit", "can_stop_quickly", "coking_hours",
    "so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr", "operating_days",
    "main_products", "output", "output_unit", "treatment_facilities",
)
MEASURE_FIELDS = ("action", "limit_pct", "other_fraction", "hours", "cap_pct", "transport", "text", "indicators")
NON_NEGATIVE_LINE_FIELDS = ("so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr", "capacity", "output")
# A sanity bound that keeps the value inside a 32-bit column; a real site has at most a few thousand a day.
MAX_TRUCKS_PER_DAY = 100000
# 年产值 in 万元: the largest Chinese firms report a few 十万亿元; anything above is a unit mistake (元 for 万元).
MAX_OUTPUT_VALUE = 1e9
# (field, low, high, label): the coordinates' ranges are the model's CHECKs (mainland China).
COORDINATES = (("longitude", *LONGITUDE_RANGE, "经度"), ("latitude", *LATITUDE_RANGE, "纬度"))


class ConflictError(DomainError):
    """Someone else saved the record since this form was opened; nothing was written."""

    def __init__(self, current_version):
        super().__init__({"version": "该记录已被他人修改，未保存。请核对下方两方的值后再保存。"})
        self.current_version = current_version


def check_version(obj, expected):
    """Optimistic locking: refuse when the form was opened on an older version of ``obj``.

    A missing version (a form posted without its hidden field) is refused too, never taken as "no conflict":
    the conflict page then shows the stored values and carries the current version for a deliberate save.
    """
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        expected = None   # a tampered hidden field: treat it as out of date
    if expected != obj.version:
        raise ConflictError(obj.version)


def enterprise_rules(values):
    """{field: message} for an enterprise's own numbers: the one set of rules the web form (through
    ``check_enterprise``) and the import share."""
    errors = {}
    for field, low, high, label in COORDINATES:
        value = values.get(field)
        if value is not None and not low <= value <= high:
            errors[field] = f"{label}应在{low}到{high}度之间（十进制度，如 112.85）"
    trucks = values.get("heavy_trucks_per_day")
    if trucks is not None and not (0 <= trucks <= MAX_TRUCKS_PER_DAY and trucks == int(trucks)):
        errors["heavy_trucks_per_day"] = f"日均重型车车次应为0到{MAX_TRUCKS_PER_DAY}之间的整数"
    value = values.get("output_value")
    if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_OUTPUT_VALUE):
        errors["output_value"] = f"年产值应为0到{MAX_OUTPUT_VALUE:g}之间的数字（万元）"
    return errors


def check_enterprise(values, existing=None):
    """Return {field: message} for enterprise values; ``values`` holds ids/codes as in ENTERPRISE_FIELDS."""
    errors = enterprise_rules(values)
    code = credit_code.normalise(values.get("credit_code"))
    message = credit_code.validate(code)
    if message:
        errors["credit_code"] = message
    else:
        clash = db.session.query(Enterprise.id, Enterprise.name).filter(Enterprise.credit_code == code).first()
        if clash and (existing is None or clash.id != existing.id):
            errors["credit_code"] = f"该统一社会信用代码已登记（{clash.name}）"
    if not (values.get("name") or "").strip():
        errors["name"] = "企业名称不能为空"
    if db.session.get(County, values.get("county_id") or 0) is None:
        errors["county_id"] = "请选择所属县（市、区）"
    industry = db.session.get(Industry, values.get("industry_id") or 0)
    category = db.session.get(Category, values.get("category_code") or "")
    grade = db.session.get(Grade, values["grade_code"]) if values.get("grade_code") else None
    if industry is None:
        errors["industry_id"] = "请选择行业类别"
    if category is None:
        errors["category_code"] = "请选择管控类别"
    if values.get("grade_code") and grade is None:
        errors["grade_code"] = "未知的绩效等级"
    if industry and category and not errors.get("grade_code"):
        errors.update(check_classification(industry, category, grade))
    if category is not None:
        errors.update(check_category_reason(category, values.get("category_reason")))
    return errors


def measure_types():
    """The measure types as the rules and the checks read them (one query)."""
    return MeasureTypes.from_rows(db.session.query(MeasureType).all())


def row_values(model, fields, values):
    """The given ``fields`` of ``values`` as stored: text trimmed, an absent text value as ""."""
    columns, row = model.__table__.columns, {}
    for name in fields:
        if name in values:
            value = values[name]
            if isinstance(value, str):
                value = value.strip()
            elif value is None and isinstance(columns[name].type, db.String) and not columns[name].nullable:
                value = ""
            row[name] = value
    return row


def _apply(obj, fields, values):
    """Copy ``fields`` from ``values``, trimming text; an absent text value is stored as ""."""
    for name, value in row_values(type(obj), fields, values).items():
        setattr(obj, name, value)


def stored_enterprise(values):
    """Enterprise values as stored: the credit code normalised, no empty grade, and a category reason only for
    a category that takes one (the rules read it only there)."""
    category = db.session.get(Category, values.get("category_code") or "")
    reason = (values.get("category_reason") or "").strip() if category is not None and category.needs_reason else ""
    return {**values, "credit_code": credit_code.normalise(values["credit_code"]),
            "grade_code": values.get("grade_code") or None, "category_reason": reason}


def create_enterprise(values):
    errors = check_enterprise(values)
    if errors:
        raise DomainError(errors)
    enterprise = Enterprise()
    _apply(enterprise, ENTERPRISE_FIELDS, stored_enterprise(values))
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def update_enterprise(enterprise, values, expected_version=None):
    check_version(enterprise, expected_version)
    errors = check_enterprise(values, existing=enterprise)
    if errors:
        raise DomainError(errors)
    new_class = (values["category_code"], values.get("grade_code") or None)
    if new_class != (enterprise.category_code, enterprise.grade_code):
        # A grade set in the registry form goes into the same grade history as approvals and downgrades.
        username, user_id, _ = audit.current_actor()
        grade_changes.change_classification(
            enterprise, db.session.get(Category, new_class[0]),
            db.session.get(Grade, new_class[1]) if new_class[1] else None, kind="registry",
            effective_date=local_today(),
            user=db.session.get(User, user_id) if user_id else SimpleNamespace(id=None, username=username),
            reason="在企业名录中直接修改")
    _apply(enterprise, ENTERPRISE_FIELDS, stored_enterprise(values))
    db.session.flush()
    return enterprise


def delete_enterprise(enterprise):
    db.session.query(User).filter(User.enterprise_id == enterprise.id).update({"enterprise_id": None})
    db.session.delete(enterprise)
    db.session.flush()


def line_rules(values):
    """{field: message} for a line's own values: the one set of line rules, used by the web form (through
    ``check_line``) and by the import (which matches lines by name, so it needs no name check)."""
    errors = {}
    for field in NON_NEGATIVE_LINE_FIELDS:
        if values.get(field) is not None and values[field] < 0:
            errors[field] = "不能为负数"
    days = values.get("operating_days")
    if days is None or not 1 <= days <= 366:
        errors["operating_days"] = "年运行天数应在1到366之间"
    hours = values.get("coking_hours")
    if hours is not None and not 1 <= hours <= MAX_COKING_HOURS:
        errors["coking_hours"] = f"应在1到{MAX_COKING_HOURS}小时之间"   # the form's own message: shown once
    return errors


def check_line(enterprise, values, measures, existing=None):
    """Return {field: message}; measure errors are keyed "<level>-<field>"."""
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "生产线名称不能为空"
    else:
        clash = db.session.query(ProductionLine.id).filter(
            ProductionLine.enterprise_id == enterprise.id, ProductionLine.name == name
        ).first()
        if clash and (existing is None or clash.id != existing.id):
            errors["name"] = "本企业已有同名生产线"
    errors.update(line_rules(values))
    types = measure_types() if measures else None
    for level, measure in measures.items():
        for field, message in validate_parts(measure, types).items():
            errors[f"{level}-{field}"] = message
    return errors


def save_line(enterprise, values, measures, line=None, expected_version=None):
    """Create or update a line together with its per-level measures ({level: {field: value}})."""
    if line is not None:
        check_version(line, expected_version)
    errors = check_line(enterprise, values, measures, existing=line)
    if errors:
        raise DomainError(errors)
    line = stage_line(enterprise, values, measures, line)
    db.session.flush()
    return line


def delete_line(line):
    db.session.delete(line)
    db.session.flush()


def stage_enterprise(values, enterprise=None):
    """create_enterprise / update_enterprise without their query and flush, for bulk callers (the import)
    that have applied the same checks to ``values`` already; the caller flushes in batches."""
    if enterprise is None:
        enterprise = Enterprise()
        db.session.add(enterprise)
    _apply(enterprise, ENTERPRISE_FIELDS, stored_enterprise(values))
    return enterprise


def stage_line(enterprise, values, measures, line=None, types=None):
    """save_line without its query and flush, for bulk callers that have applied check_line's rules already
    (they pass ``types``, read once)."""
    if line is None:
        line = ProductionLine(enterprise=enterprise)
        db.session.add(line)
    _apply(line, LINE_FIELDS, values)
    # Touch the line row so its version counter also covers edits of its measures.
    line.updated_at = utcnow()
    types = types or measure_types()
    for level, measure_values in measures.items():
        measure = line.measure_for(level)
        if measure is None:
            measure = LineMeasure(level=level)
            line.measures.append(measure)
        _apply(measure, MEASURE_FIELDS, clean_params(measure_values, types))
    return line


def enterprise_row(values):
    """stage_enterprise's column values for a new enterprise, for bulk inserts (the import), with the sort key the
    model keeps for ORM writes."""
    row = row_values(Enterprise, ENTERPRISE_FIELDS, stored_enterprise(values))
    return {**row, "name_sort": pinyin_key(row["name"])}


def measure_row(values, types):
    """stage_line's column values for a measure: only the parameter its type takes."""
    return row_values(LineMeasure, MEASURE_FIELDS, clean_params(values, types))
