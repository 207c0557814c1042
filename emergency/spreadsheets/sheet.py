"""A printable xlsxwriter sheet (formats, header rows, row heights, page setup) and the formula-injection guard.

Workbooks are written in constant_memory mode, so each sheet's rows must arrive in order and are flushed as they
go; callers stream rows from generators.
"""
from contextlib import contextmanager, suppress

from emergency.spreadsheets.layout import LINE_HEIGHT, SMALL, decimals_for, number_formats, set_page, wrapped_lines
from emergency.spreadsheets.rowxml import RowWriter

YES, NO = "是", "否"

# Never turn text into formulas, numbers or links: a name like "=HYPERLINK(...)" must stay text (OWASP CSV
# injection). Text is written with write_string, which cannot produce a formula, and text that starts like a
# formula also gets Excel's quote prefix, so editing the cell in Excel does not turn it into one either.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                    "strings_to_urls": False}
# Header rows get a little air above and below their lines.
HEADER_PADDING = 4


@contextmanager
def closed_on_failure(workbook):
    """Close ``workbook`` when writing it fails (the error goes on): a constant_memory workbook holds a temporary
    file per sheet until it is closed. The output is then incomplete; the caller discards it."""
    try:
        yield workbook
    except BaseException:
        with suppress(Exception):
            workbook.close()
        raise


def yes_no(value):
    return YES if value else NO


class Sheet:
    """One printable sheet: optional title row, frozen header (one row, or two with ``groups``) with autofilter,
    rows appended in order with heights that follow their wrapped text.

    :param groups: (label, first column, last column) over a two-row header; other columns
        have their name in the lower row.
    :param blocks: the columns where a new printed block (page) starts; ``repeated`` leading columns repeat on each.
    :param running: (page header, footer right) texts, already escaped with ``layout.page_text``.
    """

    def __init__(self, workbook, formats, name, headers, widths=None, title=None, groups=(), blocks=(), repeated=0,
                 running=("", "")):
        self.ws, self.formats, self.width = workbook.add_worksheet(name), formats, len(headers)
        self.rows = RowWriter(self.ws)
        self.widths = list(widths or [14] * self.width)
        first = 1 if title else 0
        self.header_row = first + (1 if groups else 0)
        for col, width in enumerate(self.widths):
            self.ws.set_column(col, col, width)
        if title:
            self._write_title(title, blocks, repeated)
        self._write_headers(headers, groups, first)
        self.next_row = self.header_row + 1
        self.ws.freeze_panes(self.next_row, 0)
        set_page(self.ws, self.widths, self.header_row, blocks, repeated, *running)

    def _write_title(self, title, blocks, repeated):
        # A sheet printed in blocks has the title over each block, and none over the repeated columns (they
        # print on every page: a title there would show cut off beside the block's own).
        self.ws.set_row(0, 24)
        edges = [0, *blocks, self.width]
        for start, end in zip(edges, edges[1:]):
            start = max(start, repeated if blocks else 0)
            if end - 1 > start:
                self.ws.merge_range(0, start, 0, end - 1, title, self.formats["title"])
            elif end - 1 == start:
                self.ws.write_string(0, start, title, self.formats["title"])

    def _write_headers(self, headers, groups, first):
        # No vertical merges: constant_memory mode cannot go back to a row, so an ungrouped column's name sits
        # in the lower header row under an open cell, and the autofilter row holds every column's name. Row
        # heights are set before a row's cells, for the same reason.
        ws, fmt, grouped = self.ws, self.formats["header"], set()
        for _, start, end in groups:
            grouped.update(range(start, end + 1))
        if groups:
            lines = max(wrapped_lines(label, sum(self.widths[start:end + 1])) for label, start, end in groups)
            ws.set_row(first, LINE_HEIGHT * lines + HEADER_PADDING)
            for label, start, end in groups:
                ws.merge_range(first, start, first, end, label, fmt)
            for col in sorted(set(range(self.width)) - grouped):
                ws.write_blank(first, col, None, self.formats["header_open"])
        lines = max(wrapped_lines(header, width) for header, width in zip(headers, self.widths))
        ws.set_row(self.header_row, LINE_HEIGHT * lines + HEADER_PADDING)
        for col, header in enumerate(headers):
            under = groups and col not in grouped
            ws.write_string(self.header_row, col, header, self.formats["header_under"] if under else fmt)

    def append(self, values, kinds=None, lines=None):
        """Write one row; ``kinds`` names a format per column ("num", "pct", "text", "wrap", "bold", "int").

        :param lines: the row's wrapped-line count (``RowLines``), when whoever computed the values computed it.
        """
        # The hot loop of every export: formats are looked up once per kinds tuple, strings (the common case)
        # keep their column's format, and only formula-like text takes the quoted format.
        formats, wraps = self._row_formats(kinds)
        row, num = self.next_row, self.formats["num"]
        if lines is None:
            lines = _lines(values, wraps)
        if lines > 1:
            self.ws.set_row(row, LINE_HEIGHT * lines)
        cells = []
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str and value:
                if value.startswith(FORMULA_STARTS):
                    quoted = "wrap_quoted" if (kinds and kinds[col] == "wrap") else "text_quoted"
                    cells.append((value, self.formats[quoted]))
                else:
                    cells.append((value, formats[col]))
            elif kind is float:
                small = 0.0 < value < SMALL and formats[col] is num
                cells.append((value, self.formats["small"][decimals_for(value)] if small else formats[col]))
            elif kind is int or value is None:
                cells.append((value, formats[col]))
            else:
                cells.append((cell_value(value), formats[col]))
        self.rows.write(row, cells)
        self.next_row += 1

    def _row_formats(self, kinds):
        key = tuple(kinds) if kinds else ()
        cache = self.__dict__.setdefault("_format_cache", {})
        if key not in cache:
            formats = [self.formats[k] for k in kinds] if kinds else [self.formats["text"]] * 256
            cache[key] = formats, _wrap_columns(self.widths, key)
        return cache[key]

    def finish(self):
        self.ws.autofilter(self.header_row, 0, max(self.next_row - 1, self.header_row), self.width - 1)


def _wrap_columns(widths, kinds):
    """(column, width, the longest text that surely fits: ``layout.wrapped_lines``' own quick test) of each
    wrapped column."""
    return [(col, widths[col], max(widths[col] - 2, 1) // 2) for col, kind in enumerate(kinds) if kind == "wrap"]


def _lines(values, wraps):
    lines = 1
    for col, width, fits in wraps:
        value = values[col]
        # Most wrapped text fits on one line even if every character is wide: no need to measure it.
        if type(value) is str and (len(value) > fits or "\n" in value):
            lines = max(lines, wrapped_lines(value, width))
    return lines


class RowLines:
    """The wrapped-line count of rows of a sheet ``widths`` wide, as ``Sheet.append`` would compute it: lets the
    process computing the values also settle the heights, so the writing process only writes."""

    def __init__(self, widths):
        self.widths, self.wraps = list(widths), {}

    def __call__(self, values, kinds):
        key = tuple(kinds)
        if key not in self.wraps:
            self.wraps[key] = _wrap_columns(self.widths, key)
        return _lines(values, self.wraps[key])


def cell_value(value):
    """A value as a cell holds it: None (blank) for None and "", 是/否 for bools, numbers as numbers (ints and floats),
    anything else as its text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _formats(workbook):
    base = {"font_name": "SimSun", "font_size": 10, "border": 1, "valign": "top"}
    header = {**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center", "valign": "vcenter"}
    formats = {
        "title": workbook.add_format({"font_name": "SimHei", "font_size": 14, "bold": True, "align": "center"}),
        "header": workbook.add_format(header),
        # An ungrouped column of a two-row header: an open cell above its name.
        "header_open": workbook.add_format({**header, "bottom": 0}),
        "header_under": workbook.add_format({**header, "top": 0}),
        "text": workbook.add_format(base),
        "text_quoted": workbook.add_format({**base, "quote_prefix": True}),
        "wrap": workbook.add_format({**base, "text_wrap": True}),
        "wrap_quoted": workbook.add_format({**base, "text_wrap": True, "quote_prefix": True}),
        "num": workbook.add_format({**base, "num_format": "0.0000"}),
        "int": workbook.add_format({**base, "num_format": "0"}),
        "coord": workbook.add_format({**base, "num_format": "0.000000"}),
        "pct": workbook.add_format({**base, "num_format": "0.00%"}),
        "bold": workbook.add_format({**base, "bold": True}),
        "small": number_formats(workbook, base),
    }
    # Each format takes its style number now, in this order, rather than when a cell first uses it: the styles
    # then do not depend on the order rows are flushed in (``rowxml`` writes a row at once, xlsxwriter one later).
    for cell_format in [*(f for key, f in formats.items() if key != "small"), *formats["small"].values()]:
        cell_format._get_xf_index()
    return formats


