"""The blank import template: the registry layout (which the import reads back) and a sheet explaining it.

It is built from spreadsheets.py's sheet layout and formats, so it looks like the registry export.
"""
import xlsxwriter

from emergency.registry.operations import measure_types
from emergency.spreadsheets.writer import REGISTRY_COLUMNS, REGISTRY_HEADERS, WORKBOOK_OPTIONS, Sheet, _formats
from models import LEVEL_LABELS, LEVELS, Category, County, Grade, Industry, db

TEMPLATE_FILENAME = "应急减排清单导入模板.xlsx"
HELP_HEADERS = ("列名", "是否必填", "说明", "可填写的值")
YES_NO = "是、否"


def _reference():
    """Accepted values from the reference tables, joined for display."""
    def join(rows):
        return "、".join(rows)

    return {
        "county": join(c.name for c in db.session.query(County).order_by(County.sort_order)),
        "industry_name": join(i.display_name for i in db.session.query(Industry).order_by(Industry.sort_order)),
        "category": join(c.label for c in db.session.query(Category).order_by(Category.sort_order)),
        "grade": join(g.label for g in db.session.query(Grade).order_by(Grade.sort_order)),
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
        "category": ("与绩效等级至少填一项", "不填时：填了绩效等级的按“绩效分级”，非重点行业按“一般管控”",
                     ref["category"]),
        "grade": ("与管控类别至少填一项",
                  "按行业分级方案填写；“A级”“B-级”“引领性企业”“保障类（A）”“民生保障”等写法均可",
                  ref["grade"]),
        "small_micro": ("选填", "", YES_NO),
        "violation_prev_year": ("选填", "", YES_NO),
        "line_name": ("选填", "不填则该行只登记企业；同一企业内生产线名称不能重复，按名称匹配已有生产线", ""),
        "can_stop_quickly": ("选填", "焦炉、高炉等不可短时停产的填“否”；新增生产线不填时为“是”", YES_NO),
        "operating_days": ("选填", "1–366的整数；新增生产线不填时为300", ""),
    }
    for name in ("so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr", "capacity"):
        notes[name] = ("选填", "数字，不能为负数；新增生产线不填时排放量为0", "")
    actions = "、".join(measure_types().labels.values())
    for level in LEVELS:
        label = LEVEL_LABELS[level]
        notes[f"{level}_action"] = ("选填", f"{label}预警措施类型；不填时按“减排措施”文字识别（如“限产30%”）", actions)
        notes[f"{level}_limit_pct"] = ("限产时必填", "大于0、小于100的百分数，如30", "")
        notes[f"{level}_other_fraction"] = ("“其他”措施必填", "削减比例，0–1之间的小数，如0.1；也可写10%", "")
        notes[f"{level}_text"] = ("选填", "写入停限产通知单的措施文字", "")
        notes[f"{level}_indicators"] = ("选填", "核查指标，如用电量、用气量", "")
    return [(header, *notes.get(name, ("选填", "", ""))) for name, header in REGISTRY_COLUMNS]


def write_import_template(fh):
    """Write the blank template: sheet 企业名录 (headers only) and 填写说明."""
    workbook = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS)
    formats = _formats(workbook)
    data = Sheet(workbook, formats, "企业名录", REGISTRY_HEADERS, [16] * len(REGISTRY_HEADERS))
    data.finish()
    guide = Sheet(workbook, formats, "填写说明", HELP_HEADERS, (24, 16, 60, 80))
    for row in help_rows():
        guide.append(row, ("bold", "text", "wrap", "wrap"))
    guide.finish()
    workbook.close()
