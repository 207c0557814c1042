"""The list workbook's national-layout sheet (全国格式清单: one row per line, the enterprise's identity, process
and facilities, capacity, annual emissions and the yellow, orange and red measures and reductions side by side)
and its 企业基本信息 sheet (one row per enterprise on the list).

Both are too wide for one A4 width at a readable scale, so they print in column blocks (identity; process; location
and annual emissions; one block per level), each block starting a page with 序号, 企业名称 (and 生产线) repeated
on its left.
"""
from emergency.spreadsheets.cells import amount_cell, measure_cell
from emergency.spreadsheets.sheet import Sheet, yes_no
from models import LEVEL_LABELS, LEVELS, POLLUTANT_LABELS, POLLUTANTS

NATIONAL_SHEET, ENTERPRISE_SHEET = "全国格式清单", "企业基本信息"
ANNUAL_GROUP = "年排放量(吨/年)"
# 序号, 企业名称 and 生产线 print on the left of every block, so each page says which line a row is.
REPEATED = (("序号", 5, "int"), ("企业名称", 16, "wrap"), ("生产线", 12, "wrap"))
# (header, width, kind) per column, block by block after the repeated ones.
IDENTITY = (
    ("统一社会信用代码", 19, "text"), ("县（市、区）", 7, "wrap"), ("乡镇（街道）", 9, "wrap"),
    ("详细地址", 16, "wrap"), ("行业类别", 10, "wrap"), ("管控类别", 8, "wrap"), ("绩效等级", 8, "wrap"),
    ("小微企业", 5, "text"),
)
PROCESS = (
    ("排污许可证编号", 20, "wrap"), ("工序", 9, "wrap"), ("生产设施", 16, "wrap"), ("污染治理设施", 16, "wrap"),
    ("主要产品", 12, "wrap"), ("产能", 12, "wrap"), ("产量", 12, "wrap"), ("年运行天数", 6, "int"),
)
LOCATION_EMISSIONS = (("经度", 10, "coord"), ("纬度", 10, "coord")) + tuple(
    (POLLUTANT_LABELS[p], 9, "num") for p in POLLUTANTS)


def _level_columns(level):
    return ((f"{LEVEL_LABELS[level]}预警减排措施", 36, "wrap"),) + tuple(
        (POLLUTANT_LABELS[p], 10, "num") for p in POLLUTANTS)


NATIONAL_BLOCKS = (REPEATED + IDENTITY, PROCESS, LOCATION_EMISSIONS) + tuple(_level_columns(level) for level in LEVELS)
NATIONAL_COLUMNS = tuple(column for block in NATIONAL_BLOCKS for column in block)
NATIONAL_HEADERS = tuple(header for header, _, _ in NATIONAL_COLUMNS)
NATIONAL_KINDS = tuple(kind for _, _, kind in NATIONAL_COLUMNS)
_STARTS = [sum(len(b) for b in NATIONAL_BLOCKS[:i]) for i in range(len(NATIONAL_BLOCKS))]
NATIONAL_PAGE_BREAKS = tuple(_STARTS[1:])
# The grouped header: 年排放量 over the four pollutants, each level's 减排量 likewise.
ANNUAL_COLUMNS = range(_STARTS[3] - len(POLLUTANTS), _STARTS[3])
LEVEL_REDUCTION_COLUMNS = {level: range(_STARTS[3 + i] + 1, _STARTS[3 + i] + 1 + len(POLLUTANTS))
                           for i, level in enumerate(LEVELS)}
NATIONAL_GROUPS = ((ANNUAL_GROUP, ANNUAL_COLUMNS[0], ANNUAL_COLUMNS[-1]),) + tuple(
    (f"{LEVEL_LABELS[level]}预警减排量(吨/日)", cols[0], cols[-1]) for level, cols in LEVEL_REDUCTION_COLUMNS.items())
NUMBER_COLUMNS = tuple(ANNUAL_COLUMNS) + tuple(c for cols in LEVEL_REDUCTION_COLUMNS.values() for c in cols)
TOTAL_LABEL = "合计"

ENTERPRISE_COLUMNS = REPEATED[:2] + (
    ("统一社会信用代码", 19, "text"), ("县（市、区）", 7, "wrap"), ("乡镇（街道）", 9, "wrap"),
    ("详细地址", 16, "wrap"), ("联系人", 8, "wrap"), ("联系电话", 12, "text"), ("行业类别", 10, "wrap"),
    ("管控类别", 8, "wrap"), ("绩效等级", 8, "wrap"), ("分类原因", 12, "wrap"),
    ("小微企业", 5, "text"), ("经度", 10, "coord"), ("纬度", 10, "coord"), ("排污许可证编号", 20, "wrap"),
    ("运输方式", 12, "wrap"), ("日均重型车车次", 8, "int"), ("门禁系统", 5, "text"), ("生产线数", 6, "int"),
)
ENTERPRISE_HEADERS = tuple(header for header, _, _ in ENTERPRISE_COLUMNS)
NATIONAL_WIDTHS = tuple(width for _, width, _ in NATIONAL_COLUMNS)
ENTERPRISE_WIDTHS = tuple(width for _, width, _ in ENTERPRISE_COLUMNS)
ENTERPRISE_KINDS = tuple(kind for _, _, kind in ENTERPRISE_COLUMNS)
ENTERPRISE_PAGE_BREAKS = (ENTERPRISE_HEADERS.index("小微企业"),)


def _flag(value):
    return None if value is None else yes_no(value)


def national_values(number, record):
    """One 全国格式清单 row: a line's identity, process, emissions and its three levels' measures."""
    d, first = record.details, record.first
    values = [number, first.enterprise_name, first.line_name,
              first.credit_code, first.county_name, d.get("town"), d.get("address"), first.industry,
              d.get("category"), first.grade_label, _flag(d.get("small_micro")),
              d.get("permit_number"), first.process_stage, first.facilities, d.get("treatment_facilities"),
              d.get("main_products"), amount_cell(d.get("capacity"), d.get("capacity_unit")),
              amount_cell(d.get("output"), d.get("output_unit")), d.get("operating_days"),
              d.get("longitude"), d.get("latitude"), *(d.get(f"{p}_t_yr") for p in POLLUTANTS)]
    for level in LEVELS:
        row = record.rows[level]
        values.append(measure_cell(row.measure))
        values.extend(row.reductions[p] for p in POLLUTANTS)
    return values


def enterprise_values(number, records):
    """One 企业基本信息 row from the records of an enterprise's lines."""
    d, first = records[0].details, records[0].first
    return (number, first.enterprise_name, first.credit_code, first.county_name, d.get("town"), d.get("address"),
            d.get("contact_person"), d.get("contact_phone"), first.industry, d.get("category"), first.grade_label,
            d.get("category_reason"), _flag(d.get("small_micro")), d.get("longitude"), d.get("latitude"),
            d.get("permit_number"), d.get("transport_mode"), d.get("heavy_trucks_per_day"),
            _flag(d.get("access_control")), len(records))


def national_sheets(workbook, formats, title, running):
    """The two sheets, by name: 全国格式清单 (a two-row grouped header, printed in blocks) and 企业基本信息."""
    return {NATIONAL_SHEET: Sheet(workbook, formats, NATIONAL_SHEET, NATIONAL_HEADERS, NATIONAL_WIDTHS,
                                  title + "（全国格式）",
                                  groups=NATIONAL_GROUPS, blocks=NATIONAL_PAGE_BREAKS, repeated=len(REPEATED),
                                  running=running),
            ENTERPRISE_SHEET: Sheet(workbook, formats, ENTERPRISE_SHEET, ENTERPRISE_HEADERS,
                                    ENTERPRISE_WIDTHS, title + "企业基本信息",
                                    blocks=ENTERPRISE_PAGE_BREAKS, repeated=2, running=running)}


class NationalRows:
    """The rows of 全国格式清单 and 企业基本信息 from line records streamed in list order, as (sheet name, values,
    kinds); ``finish`` gives the last firm's row and the 合计 row."""

    def __init__(self):
        self.sums = dict.fromkeys(NUMBER_COLUMNS, 0.0)
        self.firm, self.firms = [], 0

    def add(self, number, record):
        values = national_values(number, record)
        for col in NUMBER_COLUMNS:
            self.sums[col] += values[col] or 0.0
        out = [(NATIONAL_SHEET, values, NATIONAL_KINDS)]
        if self.firm and self.firm[0].first.enterprise_id != record.first.enterprise_id:
            out.append(self._flush_firm())
        self.firm.append(record)
        return out

    def _flush_firm(self):
        self.firms += 1
        row = (ENTERPRISE_SHEET, enterprise_values(self.firms, self.firm), ENTERPRISE_KINDS)
        self.firm = []
        return row

    def finish(self):
        """The last firm's row and the 合计 row (sums of the emissions and of each level's reductions)."""
        out = [self._flush_firm()] if self.firm else []
        total = [None] * len(NATIONAL_HEADERS)
        total[1] = TOTAL_LABEL
        kinds = ["text"] * len(NATIONAL_HEADERS)
        kinds[1] = "bold"
        for col, value in self.sums.items():
            total[col], kinds[col] = value, "num"
        out.append((NATIONAL_SHEET, total, kinds))
        return out
