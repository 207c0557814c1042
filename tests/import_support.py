"""Helpers for the import tests: build messy workbooks and CSVs in code, and snapshot the registry."""
import io

import xlsxwriter
from openpyxl.utils.cell import range_boundaries

from emergency.registry.measures import TRANSPORT_LABELS
from emergency.spreadsheets.registry import MEASURE_COLUMNS, REGISTRY_COLUMNS
from emergency.spreadsheets.sheet import yes_no
from models import AuditLog, Enterprise, ImportBatch, LineMeasure, ProductionLine, db

REGISTRY_KEYS = [key for key, _ in REGISTRY_COLUMNS]
REGISTRY_HEADER = dict(REGISTRY_COLUMNS)


def xlsx(*sheets):
    """Bytes of a workbook; each sheet is (name, rows, merges) with merges like "B3:B5" (value from rows)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    for name, rows, *rest in sheets:
        merges = rest[0] if rest else ()
        ws = workbook.add_worksheet(name)
        covered = set()
        for ref in merges:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            r0, c0, r1, c1 = min_row - 1, min_col - 1, max_row - 1, max_col - 1
            value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
            ws.merge_range(r0, c0, r1, c1, value if value is not None else "")
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and (r, c) not in covered:
                    ws.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def registry_rows(records):
    """Registry-layout rows: a header row, then one row per dict of {key: value}."""
    return [list(REGISTRY_HEADER.values())] + [[record.get(key) for key in REGISTRY_KEYS] for record in records]


def registry_values(enterprise, line, type_labels):
    """One registry row as {key: value}, read from ORM objects (the reference the streamed export is checked
    against); ``line`` may be None for an enterprise without lines.

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
        "green_factory": yes_no(enterprise.green_factory),
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


def csv_bytes(rows, encoding="utf-8"):
    text = "\r\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def snapshot():
    """Everything an import may touch, as comparable tuples: proves a refused import changed nothing."""
    def rows(model):
        table = model.__table__
        return sorted(tuple(row) for row in db.session.execute(table.select()))
    db.session.expire_all()
    return [rows(m) for m in (Enterprise, ProductionLine, LineMeasure, AuditLog, ImportBatch)]


def problems(report):
    """(sheet, row, column, message) of each problem."""
    return [(p.sheet, p.row, p.column, p.message) for p in report.problems]


def gov_code(n):
    from emergency.registry import credit_code

    return credit_code.make(f"91140525MA{n:07d}")


def fullwidth(text):
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def gov_sheet():
    """A county-made list as it really looks: (rows, merges).

    Title and sub-title rows, a two-row header with merged group cells, enterprise cells merged down over
    their lines, a blank row, a 合计 row and notes below the table. Excel rows: header 3–4, data 5–9.
    """
    title = "晋城市2020年秋冬季重污染天气应急减排清单（泽州县）"
    rows = [
        [title] + [None] * 11,
        ["填报单位：泽州县生态环境分局"],
        ["序号", "企业（单位）名称", "社会信用代码", "所属县区", "行业", "绩效分级", "生产线（设施）",
         "污染物排放量（吨/年）", None, "黄色预警", "橙色预警", "红色预警"],
        [None, None, None, None, None, None, None, "SO2", "NOx", "减排措施", "减排措施", "减排措施"],
        [1, "泽州金石水泥有限公司", gov_code(901), "泽州县", "水泥（熟料）", "C级", "1#窑", 12.5, "30",
         "限产 30 %", "停产", "全部停产"],
        [None, None, None, None, None, None, "2#窑", "8", 20, "限产50%", "停产", "停产"],
        [],
        [2, " 泽州兴达建材有限公司 ", fullwidth(gov_code(902)).lower(), "泽州", "水泥熟料", "Ｂ－级", "粉磨线",
         None, None, "禁止使用国四及以下重型载货车辆（含燃气）进行运输", "限产20%", "停产"],
        [3, "泽州城南供热站", gov_code(903), "晋城市泽州县", "居民供暖锅炉", "民生保障", "1#锅炉", "１２", "4.5",
         "不停限产", "不停限产", "不停限产"],
        ["合计", None, None, None, None, None, None, 32.5, 54.5],
        [],
        ["注：1. 本表由各县（市、区）生态环境分局填报；2. 排放量为上年度数据。"] + [None] * 11,
        ["填表人：张三", None, None, None, "联系电话：0356-1234567"],
    ]
    merges = ["A1:L1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "G3:G4", "H3:I3",
              "A5:A6", "B5:B6", "C5:C6", "D5:D6", "E5:E6", "F5:F6", "A12:L12"]
    return rows, merges
