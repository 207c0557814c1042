"""The blank import template: the registry layout (which the import reads back) and a sheet explaining it.

It is built from spreadsheets.py's sheet layout and formats, so it looks like the registry export. The values it
lists (measure types, transport rules, category reasons, industries...) are read from the reference tables.
"""
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from emergency.registry.grades import category_reason_choices, livelihood_industries
from emergency.registry.measures import TRANSPORT_LABELS, TRANSPORTS
from emergency.registry.operations import measure_types
from emergency.spreadsheets.registry import MEASURE_COLUMNS, REGISTRY_COLUMNS, REGISTRY_HEADERS
from emergency.spreadsheets.rowxml import RowWriter
from emergency.spreadsheets.sheet import WORKBOOK_OPTIONS, Sheet, _formats
from models import LEVEL_LABELS, LEVELS, Category, County, Grade, Industry, db

TEMPLATE_FILENAME = "应急减排清单导入模板.xlsx"
LIST_SHEET = "选项"
# Rows of 企业名录 that carry the drop-down lists (below the header).
VALIDATED_ROWS = 2000
HELP_HEADERS = ("列名", "是否必填", "说明", "可填写的值")
YES_NO = "是、否"


def _reference():
    """Accepted values from the reference tables, joined for display."""
    def join(rows):
        return "、".join(rows)

    types = measure_types().by_code.values()
    headers = dict(MEASURE_COLUMNS)
    return {
        "county": join(c.name for c in db.session.query(County).order_by(County.sort_order)),
        "industry_name": join(i.display_name for i in db.session.query(Industry).order_by(Industry.sort_order)),
        "category": join(c.label for c in db.session.query(Category).order_by(Category.sort_order)),
        "grade": join(g.label for g in db.session.query(Grade).order_by(Grade.sort_order)),
        "category_reason": join(label for _, label in category_reason_choices()),
        "livelihood": join(livelihood_industries()),
        "transport": join(TRANSPORT_LABELS[code] for code in TRANSPORTS),
        # Each type with the column its parameter goes in: 限产（填“限产/停产比例(%)”）.
        "action": join(f"{t.label}（填“{headers[t.param_field]}”）" if t.param_field else t.label for t in types),
    }


def help_rows():
    """(header, required, note, values) for every template column."""
    ref = _reference()
    notes = {
        "name": ("必填", "企业全称。一家企业有多条生产线时，每条生产线一行，企业信息可重复填写或合并单元格", ""),
        "credit_code": ("必填", "18位统一社会信用代码，按此匹配系统中已有的企业（已有则修改，没有则新增）", ""),
        "county": ("必填", "企业所属县（市、区）", ref["county"]),
        "industry_name": ("必填", "行业分子类的，写成“水泥（熟料）”，或在“行业子类”列填写子类", ref["industry_name"]),
        "industry_sub_type": ("选填", "行业子类，如熟料、粉磨站、烧结砖", ""),
        "category": ("与绩效等级至少填一项", "不填时：填了绩效等级的按“绩效分级”，非重点行业按“一般管控”；"
                     f"“民生”仅适用于{ref['livelihood']}", ref["category"]),
        "grade": ("与管控类别至少填一项",
                  "按行业分级方案填写；“A级”“B-级”“引领性企业”“保障类（A）”“民生保障”等写法均可",
                  ref["grade"]),
        "category_reason": ("保障类、不纳入绩效分级必填",
                            "保障类填保障类别，不纳入绩效分级填原因（填写原因本身，如“保障民生”）；其他类别不填",
                            ref["category_reason"]),
        "small_micro": ("选填", "", YES_NO),
        "violation_prev_year": ("选填", "", YES_NO),
        "longitude": ("选填", "十进制度，73–136，如 112.85", ""),
        "latitude": ("选填", "十进制度，3–54，如 35.49", ""),
        "transport_mode": ("选填", "如：公路运输、铁路运输、管道、皮带廊道", ""),
        "heavy_trucks_per_day": ("选填", "日均进出厂的重型载货车辆车次，不小于0的整数", ""),
        "access_control": ("选填", "是否安装门禁系统", YES_NO),
        "green_factory": ("选填", "列入工业和信息化部绿色工厂名单的填“是”；山西省错峰生产豁免绿色工厂", YES_NO),
        "output_value": ("选填", "企业上年度工业总产值，单位万元，不小于0；用于减排方案测算损失产值", ""),
        "output": ("选填", "年产量，数字，不能为负数；单位填在“产量单位”列", ""),
        "line_name": ("选填", "不填则该行只登记企业；同一企业内生产线名称不能重复，按名称匹配已有生产线", ""),
        "can_stop_quickly": ("选填", "焦炉、高炉等不可短时停产的填“否”；新增生产线不填时为“是”", YES_NO),
        "coking_hours": ("焦炉选填", "正常生产时的结焦时间，1–240小时；“延长结焦时间”措施按此核算削减比例", ""),
        "operating_days": ("选填", "1–366的整数；新增生产线不填时为300", ""),
    }
    for name in ("so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr", "capacity"):
        notes[name] = ("选填", "数字，不能为负数；新增生产线不填时排放量为0", "")
    for level in LEVELS:
        notes.update(_level_notes(level, ref))
    return [(header, *notes.get(name, ("选填", "", ""))) for name, header in REGISTRY_COLUMNS]


def _level_notes(level, ref):
    label = LEVEL_LABELS[level]
    return {
        f"{level}_action": ("选填", f"{label}预警措施类型；不填时按“减排措施”文字识别（如“限产30%”“停产50%，以生产线计”"
                                    "“延长结焦时间至36小时”“以热定产，负荷不超过70%”）", ref["action"]),
        f"{level}_limit_pct": ("限产、按生产线停产必填", "大于0、小于100的百分数，如30；“停产50%，以生产线计”填50", ""),
        f"{level}_hours": ("延长结焦时间必填", "延长后的结焦时间（小时），如36；须同时填写生产线的正常结焦时间", ""),
        f"{level}_cap_pct": ("以热定产、以量定产必填", "负荷上限（%），大于0、不超过100，如70", ""),
        f"{level}_other_fraction": ("“其他”措施必填", "削减比例，0–1之间的小数，如0.1；也可写10%", ""),
        f"{level}_transport": ("选填", "不填时按“减排措施”文字识别（写有“国四”“停止公路运输”的），都没有则为无运输管控",
                               ref["transport"]),
        f"{level}_text": ("选填", "写入停限产通知单的措施文字", ""),
        f"{level}_indicators": ("选填", "核查指标，如用电量、用气量", ""),
    }


def choice_lists():
    """{template column: accepted values} for the drop-down lists, from the reference tables."""
    types = [t.label for t in measure_types().by_code.values()]
    return {
        "county": [c.name for c in db.session.query(County).order_by(County.sort_order)],
        "industry_name": [i.display_name for i in db.session.query(Industry).order_by(Industry.sort_order)],
        "grade": [g.label for g in db.session.query(Grade).order_by(Grade.sort_order)],
        **{f"{level}_action": types for level in LEVELS},
    }


def _add_lists(workbook, data):
    """A hidden sheet holding each list in a column, and a drop-down over each list's column in ``data``.

    The check only warns: the import also takes other spellings (泽州, B级, 保障类（A）...) and says what it read.
    """
    lists = choice_lists()
    sheet = workbook.add_worksheet(LIST_SHEET)
    columns = list(lists)
    headers = dict(REGISTRY_COLUMNS)
    longest = max(len(values) for values in lists.values())
    # Values only, no header row (a header would make the import take the sheet for a table); written row by
    # row, as the workbook is in constant-memory mode.
    rows = RowWriter(sheet)
    for row in range(longest):
        rows.write(row, [(values[row] if row < len(values) else None, None) for values in lists.values()])
    sheet.hide()
    keys = [key for key, _ in REGISTRY_COLUMNS]
    for col, name in enumerate(columns):
        letter = xl_col_to_name(col)
        target = keys.index(name)
        data.ws.data_validation(data.next_row, target, data.next_row + VALIDATED_ROWS - 1, target, {
            "validate": "list", "source": f"='{LIST_SHEET}'!${letter}$1:${letter}${len(lists[name])}",
            "error_type": "warning", "error_title": "不在可选列表中",
            "error_message": f"“{headers[name]}”请从下拉列表中选择；其他写法见“填写说明”。",
        })


def write_import_template(fh):
    """Write the blank template: sheet 企业名录 (headers only, with drop-down lists), 填写说明 and the hidden
    list sheet 选项."""
    workbook = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS)
    formats = _formats(workbook)
    data = Sheet(workbook, formats, "企业名录", REGISTRY_HEADERS, [16] * len(REGISTRY_HEADERS))
    data.finish()
    guide = Sheet(workbook, formats, "填写说明", HELP_HEADERS, (24, 16, 60, 80))
    for row in help_rows():
        guide.append(row, ("bold", "text", "wrap", "wrap"))
    guide.finish()
    _add_lists(workbook, data)
    workbook.close()
