"""The cheap look before a workbook is read: how far each .xlsx sheet says it reaches.

A sheet's XML declares its used range (``<dimension ref="A1:T5000"/>``), its rows (``<row r="5000">``) and its
merged ranges (``<mergeCell ref="A2:T2"/>``). A 5 KB file can declare a cell at XFD1048576 or a merge over the
whole sheet, which would make the reader allocate hundreds of gigabytes or fill 17 billion cells. These
attributes are found by a byte search in the inflated XML, chunk by chunk (no XML parser, so no entities),
and a sheet reaching past the row or column limit is refused with a message that names the limit.
"""
import re

from emergency.spreadsheets.problems import FileProblem

SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# Bounded repetitions: a hostile run of "mergeCell " without a closing ">" costs a few hundred bytes each.
# Each pattern starts with a literal word, which the regex engine finds at memchr speed.
DIMENSION = re.compile(rb'dimension\s[^>]{0,200}?\bref="([A-Za-z$0-9:]{1,40})"')
MERGE = re.compile(rb'mergeCell\s[^>]{0,200}?\bref="([A-Za-z$0-9:]{1,40})"')
ROW = re.compile(rb'<row\s[^>]{0,200}?\br="(\d{1,12})"')
CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,12})$")
OVERLAP = 512


def is_sheet(name):
    return bool(SHEET_PART.match(name))


def corner(ref):
    """The bottom-right (row, column), both counted from 1, of a reference such as "A2:XFD1048576" or "B7"."""
    match = CELL.match(ref.split(":")[-1])
    if match is None:
        return 0, 0
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def limit_text(limits):
    return f"处理上限（{limits['reader_max_rows']} 行 × {limits['reader_max_cols']} 列）"


def check_reach(rows, columns, what, limits):
    """Refuse ``what`` (a Chinese description) reaching row ``rows`` or column ``columns`` past the limits."""
    if rows > limits["reader_max_rows"] or columns > limits["reader_max_cols"]:
        raise FileProblem(f"{what}达到第 {rows} 行、第 {columns} 列，超过{limit_text(limits)}，已拒绝："
                          "请删除多余的行、列和合并单元格后另存，再导入")


class SheetScan:
    """Fed a sheet part's inflated bytes chunk by chunk; refuses a declared range or merge past the limits."""

    def __init__(self, limits):
        self.limits, self.tail = limits, b""

    def feed(self, chunk):
        window, self.tail = self.tail + chunk, chunk[-OVERLAP:]
        for match in DIMENSION.finditer(window):
            ref = match.group(1).decode()
            check_reach(*corner(ref), f"工作表声明的数据范围 {ref} ", self.limits)
        for match in MERGE.finditer(window):
            ref = match.group(1).decode()
            check_reach(*corner(ref), f"合并单元格 {ref} ", self.limits)
        last = max((int(row) for row in ROW.findall(window)), default=0)
        check_reach(last, 0, "工作表的行号", self.limits)
