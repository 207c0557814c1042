"""The registry workbook (企业名录): one row per line with every field and every level's typed measure.

The rows come from ``emergency.lists.registry_rows`` (one streamed tuple query).

The import reads it back (``emergency/importing``): exporting and re-importing changes nothing.
"""
import xlsxwriter

from emergency.spreadsheets.sheet import WORKBOOK_OPTIONS, Sheet, _formats, closed_on_failure
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
    ("access_control", "门禁系统"), ("output_value", "年产值(万元)"), ("green_factory", "绿色工厂"),
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
          "permit_number": 22, "transport_mode": 16, "access_control": 8, "green_factory": 8, "line_name": 16,
          "process_stage": 12,
          "facilities": 20, "treatment_facilities": 20, "main_products": 16, "can_stop_quickly": 8,
          **{f"{level}_{key}": width for level in LEVELS for key, width in (
              ("action", 14), ("limit_pct", 8), ("hours", 8), ("cap_pct", 8), ("other_fraction", 8),
              ("transport", 16), ("text", 30), ("indicators", 14))}}


def write_registry_workbook(fh, rows):
    """Write the full registry from ``rows`` (lists in ``REGISTRY_COLUMNS`` order); return the row count."""
    workbook = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS)
    formats = _formats(workbook)
    widths = [WIDTHS.get(key, 10) for key, _ in REGISTRY_COLUMNS]
    sheet = Sheet(workbook, formats, "企业名录", REGISTRY_HEADERS, widths)
    count = 0
    with closed_on_failure(workbook):
        for values in rows:
            sheet.append(values)
            count += 1
    sheet.finish()
    workbook.close()
    return count
