"""The registry workbook (企业名录): one row per line with every field and every level's typed measure.

The import reads it back (``emergency/importing``): exporting and re-importing changes nothing.
"""
import xlsxwriter

from emergency.registry.measures import TRANSPORT_LABELS
from emergency.spreadsheets.writer import WORKBOOK_OPTIONS, Sheet, _formats, yes_no
from models import LEVEL_LABELS, LEVELS

# Each level's measure columns: (key, header after the level's name). Keys follow LineMeasure's fields.
MEASURE_COLUMNS = (
    ("action", "措施类型"), ("limit_pct", "限产/停产比例(%)"), ("hours", "延长后结焦时间(小时)"),
    ("cap_pct", "负荷上限(%)"), ("other_fraction", "其他措施削减比例"), ("transport", "运输管控"),
    ("text", "减排措施"), ("indicators", "核查指标"),
)
# The registry layout, read back by the import: (key, header). Keys follow the model's field names.
REGISTRY_COLUMNS = (
    ("name", "企业名称"), ("credit_code", "统一社会信用代码"), ("county", "县（市、区）"), ("town", "乡镇（街道）"),
    ("address", "详细地址"), ("contact_person", "联系人"), ("contact_phone", "联系电话"),
    ("industry_name", "行业类别"), ("industry_sub_type", "行业子类"), ("category", "管控类别"),
    ("grade", "绩效等级"), ("category_reason", "分类原因"), ("small_micro", "小微企业"),
    ("violation_prev_year", "上年度存在违法违规"),
    ("line_name", "生产线"), ("process_stage", "工序"), ("facilities", "生产设施"), ("capacity", "产能"),
    ("capacity_unit", "产能单位"), ("can_stop_quickly", "可短时停产"), ("coking_hours", "正常结焦时间(小时)"),
    ("so2_t_yr", "SO2(吨/年)"), ("nox_t_yr", "NOx(吨/年)"), ("pm_t_yr", "颗粒物(吨/年)"), ("vocs_t_yr", "VOCs(吨/年)"),
    ("operating_days", "年运行天数"),
) + tuple(
    (f"{level}_{key}", f"{LEVEL_LABELS[level]}预警{header}") for level in LEVELS for key, header in MEASURE_COLUMNS)
REGISTRY_HEADERS = tuple(header for _, header in REGISTRY_COLUMNS)


def registry_values(enterprise, line, type_labels):
    """One registry row as {key: value}; ``line`` may be None for an enterprise without lines.

    :param type_labels: {measure type code: label}, from the ``measure_type`` table.
    """
    values = {
        "name": enterprise.name, "credit_code": enterprise.credit_code, "county": enterprise.county.name,
        "town": enterprise.town, "address": enterprise.address, "contact_person": enterprise.contact_person,
        "contact_phone": enterprise.contact_phone, "industry_name": enterprise.industry.name,
        "industry_sub_type": enterprise.industry.sub_type, "category": enterprise.category.label,
        "grade": enterprise.grade.label if enterprise.grade else None,
        "category_reason": enterprise.category_reason, "small_micro": yes_no(enterprise.small_micro),
        "violation_prev_year": yes_no(enterprise.violation_prev_year),
    }
    if line is None:
        return values
    values.update({
        "line_name": line.name, "process_stage": line.process_stage, "facilities": line.facilities,
        "capacity": line.capacity, "capacity_unit": line.capacity_unit,
        "can_stop_quickly": yes_no(line.can_stop_quickly), "coking_hours": line.coking_hours,
        "so2_t_yr": line.so2_t_yr, "nox_t_yr": line.nox_t_yr,
        "pm_t_yr": line.pm_t_yr, "vocs_t_yr": line.vocs_t_yr, "operating_days": line.operating_days,
    })
    for measure in line.measures:
        # The type and the transport rule as their labels, which the import reads back.
        shown = {"action": type_labels.get(measure.action, measure.action),
                 "transport": TRANSPORT_LABELS[measure.transport]}
        values.update({f"{measure.level}_{key}": shown[key] if key in shown else getattr(measure, key)
                       for key, _ in MEASURE_COLUMNS})
    return values


def write_registry_workbook(fh, enterprises, type_labels):
    """Write the full registry, one row per line (one row for an enterprise without lines); return the row count."""
    workbook = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS)
    formats = _formats(workbook)
    widths = [30, 20, 10, 12, 24, 10, 14, 18, 10, 12, 8, 16, 8, 8] + [16, 12, 20, 10, 10, 8, 10, 10, 10, 10, 10, 8] \
        + [14, 8, 8, 8, 8, 16, 30, 14] * len(LEVELS)
    sheet = Sheet(workbook, formats, "企业名录", REGISTRY_HEADERS, widths)
    rows = 0
    for enterprise in enterprises:
        for line in enterprise.lines or [None]:
            values = registry_values(enterprise, line, type_labels)
            sheet.append([values.get(key) for key, _ in REGISTRY_COLUMNS])
            rows += 1
    sheet.finish()
    workbook.close()
    return rows
