"""The registry workbook (企业名录): one row per line with every field and every level's typed measure.

The import reads it back (``emergency/importing``): exporting and re-importing changes nothing.
"""
import xlsxwriter

from emergency.registry.measures import TRANSPORT_LABELS
from emergency.spreadsheets.sheet import WORKBOOK_OPTIONS, Sheet, _formats, yes_no
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
    ("violation_prev_year", "上年度存在违法违规"), ("longitude", "经度"), ("latitude", "纬度"),
    ("permit_number", "排污许可证编号"), ("transport_mode", "运输方式"), ("heavy_trucks_per_day", "日均重型车车次"),
    ("access_control", "门禁系统"), ("output_value", "年产值(万元)"),
    ("line_name", "生产线"), ("process_stage", "工序"), ("facilities", "生产设施"),
    ("treatment_facilities", "污染治理设施"), ("capacity", "产能"), ("capacity_unit", "产能单位"),
    ("main_products", "主要产品"), ("output", "产量"), ("output_unit", "产量单位"),
    ("can_stop_quickly", "可短时停产"), ("coking_hours", "正常结焦时间(小时)"),
    ("so2_t_yr", "SO2(吨/年)"), ("nox_t_yr", "NOx(吨/年)"), ("pm_t_yr", "颗粒物(吨/年)"), ("vocs_t_yr", "VOCs(吨/年)"),
    ("operating_days", "年运行天数"),
) + tuple(
    (f"{level}_{key}", f"{LEVEL_LABELS[level]}预警{header}") for level in LEVELS for key, header in MEASURE_COLUMNS)
REGISTRY_HEADERS = tuple(header for _, header in REGISTRY_COLUMNS)
# Column widths (characters) where the default of 10 is too narrow.
WIDTHS = {"name": 30, "credit_code": 20, "town": 12, "address": 24, "contact_phone": 14, "industry_name": 18,
          "category": 12, "grade": 8, "category_reason": 16, "small_micro": 8, "violation_prev_year": 8,
          "permit_number": 22, "transport_mode": 16, "access_control": 8, "line_name": 16, "process_stage": 12,
          "facilities": 20, "treatment_facilities": 20, "main_products": 16, "can_stop_quickly": 8,
          **{f"{level}_{key}": width for level in LEVELS for key, width in (
              ("action", 14), ("limit_pct", 8), ("hours", 8), ("cap_pct", 8), ("other_fraction", 8),
              ("transport", 16), ("text", 30), ("indicators", 14))}}


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
        "violation_prev_year": yes_no(enterprise.violation_prev_year), "longitude": enterprise.longitude,
        "latitude": enterprise.latitude, "permit_number": enterprise.permit_number,
        "transport_mode": enterprise.transport_mode, "heavy_trucks_per_day": enterprise.heavy_trucks_per_day,
        "access_control": yes_no(enterprise.access_control), "output_value": enterprise.output_value,
    }
    if line is None:
        return values
    values.update({
        "line_name": line.name, "process_stage": line.process_stage, "facilities": line.facilities,
        "treatment_facilities": line.treatment_facilities, "capacity": line.capacity,
        "capacity_unit": line.capacity_unit, "main_products": line.main_products, "output": line.output,
        "output_unit": line.output_unit,
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
    widths = [WIDTHS.get(key, 10) for key, _ in REGISTRY_COLUMNS]
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
