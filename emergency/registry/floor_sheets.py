"""The floor table as a workbook: the export, and the import back (a dry run, then an all-or-nothing commit).

The columns are those of ``seed/data/measure_floors.csv`` with Chinese headers; the spellings of the headers a
file may use are data (``seed/data/floor_header_synonyms.csv``). Values are written as labels (绩效分级行业, 红色,
限产, 是) and read back as labels or codes. A row is matched by its key (scope, industry, grade, level, process):
a new key is added, a changed row updated, and both are marked edited (``floors``, which also checks each row as
the floors page does). Rows the file lacks are left alone: an import never deletes a floor.
"""
from functools import lru_cache
from types import SimpleNamespace

from emergency.importing.tables import (
    CHANGED,
    CREATED,
    CellReader,
    TableReport,
    find_header,
    label_table,
    level_table,
    plain_text,
    read_synonyms,
)
from emergency.importing.values import cell_text, is_blank, key, parse_bool
from emergency.lists.policy import FLOOR_SCOPE_LABELS
from emergency.registry import floors as ops
from emergency.registry.measures import NO_TRANSPORT_RULE, TRANSPORT_LABELS
from emergency.registry.operations import measure_types
from emergency.spreadsheets.reader import FileProblem, check_file, read_sheets
from emergency.spreadsheets.writer import write_table_workbook
from models import LEVEL_LABELS, Grade, Industry, MeasureFloor, db

COLUMNS = (
    ("scope", "适用范围", 20), ("industry_code", "行业代码", 18), ("industry", "行业名称", 22),
    ("grade_code", "绩效等级", 8), ("level", "预警级别", 8), ("process", "工序", 10), ("action", "措施类型", 16),
    ("limit_pct", "比例（%）", 8), ("hours", "延长后的结焦时间（小时）", 10), ("cap_pct", "负荷上限（%）", 8),
    ("other_fraction", "削减比例（0–1）", 8), ("transport", "运输管控", 24), ("text", "措施内容", 40),
    ("provisional", "暂定", 6), ("source", "依据", 60),
)
HEADERS = {name: header for name, header, _ in COLUMNS}
REQUIRED = ("scope", "grade_code", "level", "process", "action")
# The checks name fields; the report names the column holding each.
FIELD_COLUMNS = {"industry_id": "industry_code", "key": "process"}
NUMBERS = ("limit_pct", "hours", "cap_pct", "other_fraction")
SHEET, NOTES_SHEET = "措施底线", "填写说明"
FILENAME = "措施底线.xlsx"
MAX_BYTES = 5 * 1024 * 1024
NOTES = (
    ("适用范围", "、".join(FLOOR_SCOPE_LABELS.values())),
    ("行业代码", "seed/data/industries.csv 的行业代码；“行业名称”仅供阅读（行业代码为空时按名称匹配）。"
             "一般管控、小微涉气企业的通用底线留空"),
    ("绩效等级", "绩效分级行业必填（A、B、B-、C、D、引领性、非引领性，须为该行业分级方案中的等级）；其他范围留空"),
    ("预警级别", "黄色、橙色、红色"),
    ("工序", "留空表示适用于该行业全部工序；填写工序名称（如焦炉、烧结）则只适用于该工序的生产线"),
    ("措施类型及参数", "按措施类型填写：限产、按生产线停产填“比例（%）”，延长结焦时间填“延长后的结焦时间（小时）”，"
                 "以热定产、以量定产填“负荷上限（%）”，其他填“削减比例（0–1）”"),
    ("运输管控", "、".join(TRANSPORT_LABELS.values())),
    ("暂定", "是：暂定值，待按技术指南2020版原表核定；否：已核定"),
    ("导入规则", "按适用范围、行业、等级、预警级别和工序匹配：新的组合新增，已有的按文件修改并记为本人修改；"
             "文件中没有的底线保持不变（导入不删除底线）。有任何问题时不导入任何一行"),
)


def export_floors(fh):
    """Write the whole floor table; return the number of rows."""
    types = measure_types()
    industries = {i.id: i for i in db.session.query(Industry)}
    grades = dict(db.session.query(Grade.code, Grade.label))
    floors = db.session.execute(ops.floor_query()).scalars().all()
    rows = (_values(f, industries.get(f.industry_id), grades, types) for f in floors)
    write_table_workbook(fh, [(SHEET, [h for _, h, _ in COLUMNS], [w for _, _, w in COLUMNS], None, rows),
                              (NOTES_SHEET, ("列", "填写说明"), (16, 100), None, NOTES)])
    return len(floors)


def _values(floor, industry, grades, types):
    return (FLOOR_SCOPE_LABELS[floor.scope], industry.code if industry else "",
            industry.display_name if industry else "", grades.get(floor.grade_code, ""),
            LEVEL_LABELS[floor.level], floor.process, types.labels.get(floor.action, floor.action),
            floor.limit_pct, floor.hours, floor.cap_pct, floor.other_fraction, TRANSPORT_LABELS[floor.transport],
            floor.text, floor.provisional, floor.source)


@lru_cache(maxsize=1)
def header_synonyms():
    return read_synonyms("floor_header_synonyms.csv")


class Vocabulary:
    """The values a cell may hold, read once per file."""

    def __init__(self):
        self.types = measure_types()
        self.scopes = label_table(FLOOR_SCOPE_LABELS)
        self.levels = level_table()
        self.actions = label_table(self.types.labels)
        self.transports = label_table(TRANSPORT_LABELS)
        self.grades = label_table(dict(db.session.query(Grade.code, Grade.label)))
        industries = db.session.query(Industry).all()
        self.industry_codes = {key(i.code): i.id for i in industries}
        self.industry_names = {key(i.display_name): i.id for i in industries}


class RowReader(CellReader):
    """One data row's values as the checks take them, with a problem for each unreadable cell."""

    def __init__(self, cells, columns, vocabulary, row, report):
        super().__init__(cells, columns, row, report, HEADERS, aliases=FIELD_COLUMNS)
        self.vocabulary = vocabulary

    def industry(self):
        vocabulary, code, name = self.vocabulary, self.raw("industry_code"), self.raw("industry")
        if not is_blank(code):
            found = vocabulary.industry_codes.get(key(cell_text(code)))
            return found if found is not None else self.problem("industry_id", f"未知的行业代码“{plain_text(code)}”")
        if not is_blank(name):
            found = vocabulary.industry_names.get(key(cell_text(name)))
            return found if found is not None else self.problem("industry_id", f"未知的行业“{plain_text(name)}”")
        return None

    def values(self):
        v = self.vocabulary
        values = {
            "scope": self.coded("scope", v.scopes, "应为：" + "、".join(FLOOR_SCOPE_LABELS.values())),
            "industry_id": self.industry(),
            "grade_code": self.coded("grade_code", v.grades, "应为该行业分级方案中的等级（如 A、B、C、D、引领性）"),
            "level": self.coded("level", v.levels, "应为黄色、橙色或红色"),
            "process": plain_text(self.raw("process")), "text": plain_text(self.raw("text")),
            "source": plain_text(self.raw("source")),
            "action": self.coded("action", v.actions, "应为：" + "、".join(v.types.labels.values())),
            "transport": self.coded("transport", v.transports, "应为：" + "、".join(TRANSPORT_LABELS.values()),
                                    blank=NO_TRANSPORT_RULE),
        }
        for name in NUMBERS:
            values[name] = self.number(name)
        provisional, message = parse_bool(self.raw("provisional"))
        if message:
            self.problem("provisional", message)
        # A row that does not say is provisional: only a transcribed guide table makes a floor final.
        values["provisional"] = True if provisional is None else provisional
        return values


def inspect_floors(data, filename):
    """The dry run: (TableReport, plans) where each plan is (stored row or None, values). Writes nothing."""
    report, plans = TableReport(filename), []
    try:
        with read_sheets(data, check_file(data, filename, MAX_BYTES, 20 * MAX_BYTES)) as sheets:
            for sheet in sheets:
                columns = find_header(sheet.rows, header_synonyms())
                if columns:
                    report.sheet = sheet.name
                    _read_rows(sheet.rows, columns, report, plans)
                    break
            else:
                report.file_error = "未找到措施底线表头（应含：" + "、".join(HEADERS[n] for n in REQUIRED) + "等列）"
    except FileProblem as exc:
        report.file_error = exc.message
    return report, plans


def _read_rows(rows, columns, report, plans):
    absent = [HEADERS[n] for n in REQUIRED if n not in columns]
    if "industry_code" not in columns and "industry" not in columns:
        absent.append(HEADERS["industry_code"])
    if absent:
        report.file_error = "缺少列：" + "、".join(absent)
        return
    vocabulary, seen = Vocabulary(), {}
    stored = {tuple(getattr(f, k) for k in ops.KEY_FIELDS): f for f in db.session.query(MeasureFloor)}
    for index, cells in rows:
        if all(is_blank(cell) for cell in cells):
            continue
        reader = RowReader(cells, columns, vocabulary, index + 1, report)
        values = ops.normalized(reader.values(), vocabulary.types)
        errors = {**ops.check_key(values), **ops.check_measure(values, vocabulary.types)}
        for name, message in errors.items():
            if name not in reader.bad:
                reader.problem(name, message)
        if reader.bad:
            continue
        row_key = tuple(values[k] for k in ops.KEY_FIELDS)
        if row_key in seen:
            reader.problem("key", f"与第{seen[row_key]}行重复（适用范围、行业、等级、预警级别和工序都相同）")
            continue
        seen[row_key] = index + 1
        _plan(stored.get(row_key), values, index + 1, report, plans)


def _plan(floor, values, row, report, plans):
    if floor is None:
        report.changes.append((row, ops.describe(SimpleNamespace(**values)), CREATED, []))
    else:
        changed = [name for name in ops.EDITABLE if not ops.same(getattr(floor, name), values[name])]
        if not changed:
            report.unchanged += 1
            return
        report.changes.append((row, ops.describe(floor), CHANGED, [HEADERS[n] for n in changed]))
    plans.append((floor, values))


def commit_floors(data, filename, username):
    """Check the file again and, if it has no problem, write every planned row (flush; the caller commits)."""
    report, plans = inspect_floors(data, filename)
    if not report.clean:
        return report
    types = measure_types()
    for floor, values in plans:
        if floor is None:
            ops.create_floor(values, username, types)
        else:
            ops.update_floor(floor, values, username, types)
    report.committed = True
    return report
