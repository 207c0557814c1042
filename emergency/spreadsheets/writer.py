"""All Excel writing: header constants, printable sheet layout, and the formula-injection guard.

Workbooks are written with xlsxwriter in constant_memory mode, so each sheet's rows must arrive in order and
are flushed as they go; callers stream rows from generators.
"""
import io
import math
import unicodedata
import zipfile

import xlsxwriter

from emergency.lists.orders import WITHHELD_CELL, has_errors, is_stop_or_limit, order_text
from models import LEVEL_LABELS, POLLUTANT_LABELS, POLLUTANTS

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_HEADERS = (
    "序号", "县（市、区）", "企业名称", "统一社会信用代码", "行业类别", "绩效等级", "生产线", "生产设施",
    "措施类型", "减排措施", "SO2减排量(吨/日)", "NOx减排量(吨/日)", "颗粒物减排量(吨/日)", "VOCs减排量(吨/日)",
)
LIST_WIDTHS = (6, 10, 30, 20, 18, 12, 16, 20, 10, 44, 12, 12, 12, 12)
SUMMARY_COUNT_COLUMNS = (
    ("enterprises", "企业数"), ("lines", "生产线数"), ("stop_lines", "停产生产线数"),
    ("limit_lines", "限产生产线数"), ("self_lines", "自主减排生产线数"), ("problem_lines", "措施有误生产线数"),
)
# Per pollutant: (PollutantCheck attribute, header, format). 减排量 is the total the target is checked on.
SUMMARY_CHECK_COLUMNS = (
    ("industrial", "工业源减排量(吨/日)", "num"), ("non_industrial", "非工业源减排量(吨/日)", "num"),
    ("reduction", "减排量(吨/日)", "num"), ("baseline", "全社会排放量(吨/日)", "num"), ("share", "减排比例", "pct"),
    ("ratio", "目标比例", "pct"), ("status", "达标情况", "text"), ("shortfall", "缺口(吨/日)", "num"),
)
SUMMARY_HEADERS = ("县（市、区）",) + tuple(h for _, h in SUMMARY_COUNT_COLUMNS) + tuple(
    f"{POLLUTANT_LABELS[p]}{h}" for p in POLLUTANTS for _, h, _ in SUMMARY_CHECK_COLUMNS)
ORDER_HEADERS = ("序号", "县（市、区）", "企业名称", "统一社会信用代码", "绩效等级", "停产生产线数",
                 "限产生产线数", "停限产措施（通知单内容）")
ORDER_WIDTHS = (6, 10, 30, 20, 12, 8, 8, 80)
NOTES_SHEET, NOTES_HEADERS, NOTES_WIDTHS = "说明", ("项目", "内容"), (24, 96)
# Points per line of wrapped 10-pt text. Row heights are set, not left to the reader: LibreOffice keeps a
# row one line high on import, which would print only the first line of a long override reason.
LINE_HEIGHT = 14

YES, NO = "是", "否"

# Never turn text into formulas, numbers or links: a name like "=HYPERLINK(...)" must stay text (OWASP CSV
# injection). Text is written with write_string, which cannot produce a formula, and text that starts like a
# formula also gets Excel's quote prefix, so editing the cell in Excel does not turn it into one either.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                    "strings_to_urls": False}
A4 = 9


def yes_no(value):
    return YES if value else NO


class Sheet:
    """One printable sheet: optional title row, frozen header with autofilter, rows appended in order."""

    def __init__(self, workbook, formats, name, headers, widths=None, title=None):
        self.ws, self.formats, self.width = workbook.add_worksheet(name), formats, len(headers)
        self.header_row = 1 if title else 0
        for col, width in enumerate(widths or [14] * self.width):
            self.ws.set_column(col, col, width)
        if title:
            self.ws.merge_range(0, 0, 0, self.width - 1, title, formats["title"])
            self.ws.set_row(0, 24)
        for col, header in enumerate(headers):
            self.ws.write_string(self.header_row, col, header, formats["header"])
        self.next_row = self.header_row + 1
        self.ws.freeze_panes(self.next_row, 0)
        self.ws.repeat_rows(0, self.header_row)
        self.ws.set_landscape()
        self.ws.set_paper(A4)
        self.ws.fit_to_pages(1, 0)
        self.ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        self.ws.set_footer("&C第 &P 页，共 &N 页")

    def append(self, values, kinds=None):
        """Write one row; ``kinds`` names a format per column ("num", "pct", "text", "wrap", "bold")."""
        # The hot loop of every export: formats are looked up once per kinds tuple, strings (the common case)
        # go straight to write_string, and only formula-like text takes the quoted format.
        formats = self._row_formats(kinds)
        ws, row = self.ws, self.next_row
        for col, value in enumerate(values):
            if type(value) is str and value:
                if value.startswith(FORMULA_STARTS):
                    quoted = "wrap_quoted" if (kinds and kinds[col] == "wrap") else "text_quoted"
                    ws.write_string(row, col, value, self.formats[quoted])
                else:
                    ws.write_string(row, col, value, formats[col])
            else:
                write_cell(ws, row, col, value, formats[col])
        self.next_row += 1

    def _row_formats(self, kinds):
        key = tuple(kinds) if kinds else ()
        cache = self.__dict__.setdefault("_format_cache", {})
        if key not in cache:
            cache[key] = [self.formats[k] for k in kinds] if kinds else [self.formats["text"]] * 256
        return cache[key]

    def finish(self):
        self.ws.autofilter(self.header_row, 0, max(self.next_row - 1, self.header_row), self.width - 1)


def write_cell(ws, row, col, value, cell_format=None):
    """Write a value by type: None blank, bool 是/否, numbers as numbers, anything else as literal text."""
    if value is None or value == "":
        return ws.write_blank(row, col, None, cell_format)
    if isinstance(value, bool):
        return ws.write_string(row, col, yes_no(value), cell_format)
    if isinstance(value, (int, float)):
        return ws.write_number(row, col, value, cell_format)
    return ws.write_string(row, col, str(value), cell_format)


def _formats(workbook):
    base = {"font_name": "SimSun", "font_size": 10, "border": 1, "valign": "top"}
    return {
        "title": workbook.add_format({"font_name": "SimHei", "font_size": 14, "bold": True, "align": "center"}),
        "header": workbook.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                                       "align": "center", "valign": "vcenter"}),
        "text": workbook.add_format(base),
        "text_quoted": workbook.add_format({**base, "quote_prefix": True}),
        "wrap": workbook.add_format({**base, "text_wrap": True}),
        "wrap_quoted": workbook.add_format({**base, "text_wrap": True, "quote_prefix": True}),
        "num": workbook.add_format({**base, "num_format": "0.0000"}),
        "int": workbook.add_format({**base, "num_format": "0"}),
        "pct": workbook.add_format({**base, "num_format": "0.00%"}),
        "bold": workbook.add_format({**base, "bold": True}),
    }


def measure_cell(measure):
    """The 减排措施 cell: the measure (with its transport rule), its text and verification indicators.

    A line with an error carries no measure: it is under review and its firm gets no order until it is fixed.
    Where a rule imposed a measure, the entered one and the rule's reason follow it.
    """
    if measure.is_error:
        return WITHHELD_CELL
    parts = [measure.full_label]
    if measure.text and measure.text not in (measure.label, measure.full_label):
        parts.append(measure.text)
    text = "。".join(parts)
    if measure.imposed:
        text += f"（填报：{measure.entered_label}；{measure.reason}）"
    elif measure.explains:
        text += f"（{measure.reason}）"
    if measure.commitment:
        text += f"（企业承诺：{measure.commitment}）"
    if measure.indicators:
        text += f"（核查指标：{measure.indicators}）"
    return text


LIST_KINDS = ("int",) + ("text",) * 8 + ("wrap",) + ("num",) * 4


def list_values(number, row):
    measure = row.measure
    kind = "" if measure.is_error else measure.label
    return (number, row.county_name, row.enterprise_name, row.credit_code, row.industry, row.grade_label,
            row.line_name, row.facilities, kind, measure_cell(measure),
            *(row.reductions[p] for p in POLLUTANTS))


def order_values(number, rows):
    first = rows[0]
    stops = sum(r.measure.order_kind == "stop" for r in rows)
    limits = sum(r.measure.order_kind in ("limit", "capped") for r in rows)
    return (number, first.county_name, first.enterprise_name, first.credit_code, first.grade_label,
            stops, limits, order_text(rows))


def summary_values(totals):
    values = [totals.name] + [getattr(totals, key) for key, _ in SUMMARY_COUNT_COLUMNS]
    kinds = ["bold" if totals.county_id is None else "text"] + ["int"] * len(SUMMARY_COUNT_COLUMNS)
    for p in POLLUTANTS:
        check = totals.checks[p]
        for key, _, kind in SUMMARY_CHECK_COLUMNS:
            value = getattr(check, key)
            # Without a baseline there is no share: the cell says why instead of a percentage.
            if key == "share" and value is None:
                value, kind = check.status, "text"
            values.append(value)
            kinds.append(kind)
    return values, kinds


def write_list_workbook(fh, level, scope_name, rows, accumulator, notes=()):
    """Write the 汇总/清单/停限产企业 workbook from a row generator, feeding ``accumulator``; return its Summary.

    :param notes: (label, value) rows of a last sheet, 说明 (issuing body, version, time...), when given.
    """
    title = f"晋城市重污染天气{LEVEL_LABELS[level]}预警应急减排清单（{scope_name}）"
    workbook = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS)
    formats = _formats(workbook)
    # Sheets are created in display order; 汇总 is filled last, once the totals are known.
    widths = [12] + [9] * len(SUMMARY_COUNT_COLUMNS) + [11] * len(POLLUTANTS) * len(SUMMARY_CHECK_COLUMNS)
    summary_sheet = Sheet(workbook, formats, "汇总", SUMMARY_HEADERS, widths, title + "汇总")
    list_sheet = Sheet(workbook, formats, "清单", LIST_HEADERS, LIST_WIDTHS, title)
    order_sheet = Sheet(workbook, formats, "停限产企业", ORDER_HEADERS, ORDER_WIDTHS, title + "停限产企业")
    order_kinds = ("int", "text", "wrap", "text", "text", "int", "int", "wrap")
    current, orders = [], 0
    for number, row in enumerate(rows, start=1):
        accumulator.add(row)
        list_sheet.append(list_values(number, row), LIST_KINDS)
        if current and current[0].enterprise_id != row.enterprise_id:
            if _gets_order(current):
                orders += 1
                order_sheet.append(order_values(orders, current), order_kinds)
            current = []
        current.append(row)
    if current and _gets_order(current):
        order_sheet.append(order_values(orders + 1, current), order_kinds)
    summary = accumulator.result()
    for totals in summary.counties + [summary.total]:
        summary_sheet.append(*summary_values(totals))
    sheets = [summary_sheet, list_sheet, order_sheet]
    if notes:
        # Last, so that the three sheets keep their places for anyone reading them by position.
        sheets.append(_notes_sheet(workbook, formats, title + "说明", notes))
    for sheet in sheets:
        sheet.finish()
    workbook.close()
    return summary


def _notes_sheet(workbook, formats, title, notes):
    sheet = Sheet(workbook, formats, NOTES_SHEET, NOTES_HEADERS, NOTES_WIDTHS, title)
    for label, value in notes:
        lines = wrapped_lines(str(value), NOTES_WIDTHS[1])
        if lines > 1:
            sheet.ws.set_row(sheet.next_row, LINE_HEIGHT * lines)
        sheet.append((label, value), ("bold", "wrap"))
    return sheet


def wrapped_lines(text, width):
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (a Han character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return max(1, math.ceil(columns / (width - 2)))


def _gets_order(rows):
    """A firm is on the 停限产企业 sheet when a line must stop or limit and none of its lines has an error."""
    return any(is_stop_or_limit(r) for r in rows) and not has_errors(rows)


def write_zip(fh, members):
    """Write a zip of (filename, writer) pairs, where ``writer(file)`` writes one workbook to a file object."""
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for filename, writer in members:
            # One county's workbook at a time is held in memory; xlsx files are already compressed.
            buffer = io.BytesIO()
            writer(buffer)
            archive.writestr(filename, buffer.getvalue(), compress_type=zipfile.ZIP_STORED)


def write_table_workbook(fh, sheets):
    """Write plain printable sheets; ``sheets`` holds (name, headers, widths, title, rows) with rows of values."""
    workbook = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS)
    formats = _formats(workbook)
    for name, headers, widths, title, rows in sheets:
        sheet = Sheet(workbook, formats, name, headers, widths, title)
        for values in rows:
            sheet.append(values)
        sheet.finish()
    workbook.close()
