"""The list workbook (汇总, 清单, 停限产企业, 全国格式清单, 企业基本信息, 说明), written in one pass over the line
records, and the plain table workbooks; the sheet itself is ``sheet.Sheet``, its print layout ``layout``.
"""
import io
import zipfile

import xlsxwriter

from emergency.lists.orders import has_errors, is_stop_or_limit, order_text
from emergency.spreadsheets.cells import measure_cell
from emergency.spreadsheets.layout import page_text
from emergency.spreadsheets.national import (
    ENTERPRISE_SHEET,
    ENTERPRISE_WIDTHS,
    NATIONAL_SHEET,
    NATIONAL_WIDTHS,
    NationalRows,
    national_sheets,
)
from emergency.spreadsheets.sheet import WORKBOOK_OPTIONS, RowLines, Sheet, _formats, closed_on_failure
from models import LEVEL_LABELS, POLLUTANT_LABELS, POLLUTANTS

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The 清单 headers are a contract (clerks' macros and the API read them): change them only with their readers.
LIST_HEADERS = (
    "序号", "县（市、区）", "企业名称", "统一社会信用代码", "行业类别", "绩效等级", "生产线", "生产设施",
    "措施类型", "减排措施", "SO2减排量(吨/日)", "NOx减排量(吨/日)", "颗粒物减排量(吨/日)", "VOCs减排量(吨/日)",
)
# 清单 prints in two blocks (the firm; the line, its measure and reductions), 序号, 县 and 企业名称 on the left of
# both; long texts wrap and rows grow.
LIST_WIDTHS = (5, 7, 18, 19, 12, 10, 12, 14, 10, 36, 9, 9, 9, 9)
LIST_PAGE_BREAKS, LIST_REPEATED = (LIST_HEADERS.index("生产线"),), 3
LIST_KINDS = ("int", "wrap", "wrap", "text", "wrap", "wrap", "wrap", "wrap", "wrap", "wrap") + ("num",) * 4
SUMMARY_COUNT_COLUMNS = (
    ("enterprises", "企业数"), ("lines", "生产线数"), ("stop_lines", "停产生产线数"),
    ("limit_lines", "限产生产线数"), ("self_lines", "自主减排生产线数"), ("problem_lines", "措施有误生产线数"),
)
# Per pollutant: (PollutantCheck attribute, header, format). 减排量 is the total the target is checked on.
SUMMARY_CHECK_COLUMNS = (
    ("industrial", "工业源减排量(吨/日)", "num"), ("non_industrial", "非工业源减排量(吨/日)", "num"),
    ("reduction", "减排量(吨/日)", "num"), ("baseline", "全社会排放量(吨/日)", "num"), ("share", "减排比例", "pct"),
    ("ratio", "目标比例", "pct"), ("status", "达标情况", "wrap"), ("shortfall", "缺口(吨/日)", "num"),
)
SUMMARY_HEADERS = ("县（市、区）",) + tuple(h for _, h in SUMMARY_COUNT_COLUMNS) + tuple(
    f"{POLLUTANT_LABELS[p]}{h}" for p in POLLUTANTS for _, h, _ in SUMMARY_CHECK_COLUMNS)
ORDER_HEADERS = ("序号", "县（市、区）", "企业名称", "统一社会信用代码", "绩效等级", "停产生产线数",
                 "限产生产线数", "停限产措施（通知单内容）")
ORDER_WIDTHS = (5, 8, 20, 19, 10, 7, 7, 66)
ORDER_KINDS = ("int", "wrap", "wrap", "text", "wrap", "int", "int", "wrap")
SUMMARY_WIDTHS = [14] + [9] * len(SUMMARY_COUNT_COLUMNS) + [11] * len(POLLUTANTS) * len(SUMMARY_CHECK_COLUMNS)
# 汇总 prints in blocks: the counts, then one pollutant a page, each with 县（市、区） on its left.
SUMMARY_PAGE_BREAKS = tuple(1 + len(SUMMARY_COUNT_COLUMNS) + i * len(SUMMARY_CHECK_COLUMNS)
                            for i in range(len(POLLUTANTS)))
SUMMARY_SHEET, LIST_SHEET, ORDER_SHEET = "汇总", "清单", "停限产企业"
NOTES_SHEET, NOTES_HEADERS, NOTES_WIDTHS = "说明", ("项目", "内容"), (24, 96)
SIGN_OFF, SIGN_OFF_HEIGHT = ("编制（签字）", "审核（签字）", "签发日期"), 30


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
                value, kind = check.status, "wrap"
            values.append(value)
            kinds.append(kind)
    return values, kinds


def running_texts(notes):
    """(page header, footer right) of every sheet: the issuing body and the version; the list's time."""
    found = dict(notes)
    header = "&L" + page_text(found.get("发布单位", "")) + "&R" + page_text(found.get("清单版本", ""))
    at = next((value for label, value in notes if label.endswith("时间")), "")
    return (header if notes else ""), page_text(at)


def write_list_workbook(fh, level, scope_name, records, accumulator, notes=()):
    """Write the list workbook from a stream of ``LineRecord`` (list order), feeding ``accumulator`` with the rows
    of ``level``; return its Summary.

    :param notes: (label, value) rows of the last sheet, 说明 (issuing body, season, version, time...).
    """
    return write_list_rows(fh, level, scope_name, list_workbook_rows(level, records, accumulator), notes)


def list_workbook_rows(level, records, accumulator):
    """The list workbook's cells: (sheet name, values, kinds, wrapped lines) per row, each sheet's rows in order,
    then (None, Summary, None, None). Plain values only, so that another process can compute them (and the rows'
    heights) while this one writes."""
    heights = {name: RowLines(widths) for name, widths in (
        (LIST_SHEET, LIST_WIDTHS), (ORDER_SHEET, ORDER_WIDTHS), (SUMMARY_SHEET, SUMMARY_WIDTHS),
        (NATIONAL_SHEET, NATIONAL_WIDTHS), (ENTERPRISE_SHEET, ENTERPRISE_WIDTHS))}

    def measured(name, values, kinds):
        return name, values, kinds, heights[name](values, kinds)

    national = NationalRows()
    current, orders = [], 0
    for number, record in enumerate(records, start=1):
        row = record.rows[level]
        accumulator.add(row)
        yield measured(LIST_SHEET, list_values(number, row), LIST_KINDS)
        for found in national.add(number, record):
            yield measured(*found)
        if current and current[0].enterprise_id != row.enterprise_id:
            if _gets_order(current):
                orders += 1
                yield measured(ORDER_SHEET, order_values(orders, current), ORDER_KINDS)
            current = []
        current.append(row)
    if current and _gets_order(current):
        yield measured(ORDER_SHEET, order_values(orders + 1, current), ORDER_KINDS)
    for found in national.finish():
        yield measured(*found)
    summary = accumulator.result()
    for totals in summary.counties + [summary.total]:
        yield measured(SUMMARY_SHEET, *summary_values(totals))
    yield None, summary, None, None


def write_list_rows(fh, level, scope_name, rows, notes=(), progress=None):
    """Write the list workbook from ``list_workbook_rows``; return its Summary.

    :param progress: optional ``progress(done)`` callback, called with the number of 清单 rows written so far.
    """
    title = f"晋城市重污染天气{LEVEL_LABELS[level]}预警应急减排清单（{scope_name}）"
    workbook = xlsxwriter.Workbook(fh, WORKBOOK_OPTIONS)
    formats, running = _formats(workbook), running_texts(notes)
    # Sheets are created in display order; 汇总 is filled last, once the totals are known.
    sheets = {
        SUMMARY_SHEET: Sheet(workbook, formats, SUMMARY_SHEET, SUMMARY_HEADERS, SUMMARY_WIDTHS, title + "汇总",
                             blocks=SUMMARY_PAGE_BREAKS, repeated=1, running=running),
        LIST_SHEET: Sheet(workbook, formats, LIST_SHEET, LIST_HEADERS, LIST_WIDTHS, title, blocks=LIST_PAGE_BREAKS,
                          repeated=LIST_REPEATED, running=running),
        ORDER_SHEET: Sheet(workbook, formats, ORDER_SHEET, ORDER_HEADERS, ORDER_WIDTHS, title + "停限产企业",
                           running=running),
        **national_sheets(workbook, formats, title, running),
    }
    listed, summary = 0, None
    with closed_on_failure(workbook):
        for name, values, kinds, lines in rows:
            if name is None:    # the last item: read on to the end, so that a producer process is joined
                summary = values
                continue
            sheets[name].append(values, kinds, lines)
            if progress is not None and name == LIST_SHEET:
                listed += 1
                if listed % 200 == 0:
                    progress(listed)
    # 说明 last, so that the first three sheets keep their places for anyone reading them by position.
    sheets[NOTES_SHEET] = _notes_sheet(workbook, formats, title + "说明", notes, running)
    for sheet in sheets.values():
        sheet.finish()
    workbook.close()
    if progress is not None:
        progress(listed)
    return summary


def _notes_sheet(workbook, formats, title, notes, running):
    sheet = Sheet(workbook, formats, NOTES_SHEET, NOTES_HEADERS, NOTES_WIDTHS, title, running=running)
    for label, value in notes:
        sheet.append((label, value), ("bold", "wrap"))
    # The sign-off block of a printed list: room to sign and date by hand.
    for label in SIGN_OFF:
        sheet.ws.set_row(sheet.next_row, SIGN_OFF_HEIGHT)
        sheet.append((label, None), ("bold", "wrap"))
    return sheet


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
    with closed_on_failure(workbook):
        for name, headers, widths, title, rows in sheets:
            sheet = Sheet(workbook, formats, name, headers, widths, title)
            for values in rows:
                sheet.append(values)
            sheet.finish()
    workbook.close()
