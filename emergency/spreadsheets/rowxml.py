"""Rows written straight into a constant_memory worksheet's sheet XML: the exports' hot loop.

xlsxwriter stores each cell as a tuple and serialises it one element at a time when the next row starts (several
regular expressions, an attribute list and a file write per cell): at 86,000 lines that is most of an export's CPU.
``RowWriter`` writes a whole row as one string with the same bytes xlsxwriter would write for these cell kinds
(strings, numbers, formatted blanks), and keeps the worksheet's own bookkeeping (dimensions, pending row, row
heights) as xlsxwriter's writes would. ``tests/test_rowxml.py`` compares the two byte for byte.

One difference on purpose: xlsxwriter writes a string that starts with ``<r>`` and ends with ``</r>`` as raw rich
text XML, so a firm name of that shape would break the sheet (or inject markup into it); here it is text, escaped
like any other.
"""
import math
import re

from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name

# Excel writes control characters as _xHHHH_, and a literal "_xHHHH_" with its underscore escaped: strings with
# either take xlsxwriter's own (slower) escaping; other strings need only &, < and >.
NEEDS_ESCAPES = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")


def escape_text(string):
    """A cell text as xlsxwriter's inline-string path escapes it (control characters, then XML)."""
    if NEEDS_ESCAPES.search(string):
        string = ESCAPED_ESCAPE.sub(r"_x005F\1", string)
        string = CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", string)
        string = string.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = bool(string) and (string[0].isspace() or string[-1].isspace())
    if "&" in string or "<" in string or ">" in string:
        string = string.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return string, preserve


class RowWriter:
    """Writes rows of (value, format) cells, in order, into ``ws`` (a constant_memory worksheet).

    A value is a non-empty str, an int or a float, or None for a blank cell that carries its format.
    """

    def __init__(self, ws):
        self.ws, self.columns, self.string_max = ws, [], ws.xls_strmax

    def write(self, row, cells):
        ws = self.ws
        if row >= ws.xls_rowmax or row < ws.previous_row or ws.table.get(row):
            # Outside the sheet, or a row xlsxwriter already holds cells of: its own per-cell path decides.
            return write_cells(ws, row, cells)
        if row > ws.previous_row:
            ws._write_single_row(row)       # the pending row (a header) goes out first, as xlsxwriter would
        written = [col for col, (value, cell_format) in enumerate(cells)
                   if value is not None or cell_format is not None]
        if not written:
            return None
        ws._check_dimensions(row, written[0])
        ws._check_dimensions(row, written[-1])
        ws._write_row(row, None, ws.row_info.get(row))
        columns = self._columns(len(cells))
        number = str(row + 1)
        parts = []
        for col, (value, cell_format) in enumerate(cells):
            style = f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""
            kind = type(value)
            if kind is str:
                parts.append(self._string(columns[col] + number, style, value))
            elif kind is float or kind is int:
                if kind is float and not math.isfinite(value):
                    raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors' "
                                    "Workbook() option")
                parts.append(f'<c r="{columns[col]}{number}"{style}><v>{value:.16G}</v></c>')
            elif value is None:
                if cell_format is not None:
                    parts.append(f'<c r="{columns[col]}{number}"{style}/>')
            else:
                raise TypeError(f"unexpected cell value {kind.__name__}")
        parts.append("</row>")
        ws.fh.write("".join(parts))
        # The row is out: nothing is pending, and xlsxwriter's next flush starts after it.
        ws.previous_row = row + 1
        return None

    def _string(self, ref, style, string):
        if len(string) > self.string_max // 2 and _utf16_len(string) > self.string_max:
            string = _utf16_truncate(string, self.string_max)
        text, preserve = escape_text(string)
        space = ' xml:space="preserve"' if preserve else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'

    def _columns(self, width):
        while len(self.columns) < width:
            self.columns.append(xl_col_to_name(len(self.columns)))
        return self.columns


def write_cells(ws, row, cells):
    """The same cells through xlsxwriter's per-cell calls (the reference ``RowWriter`` is tested against)."""
    for col, (value, cell_format) in enumerate(cells):
        if type(value) is str:
            ws.write_string(row, col, value, cell_format)
        elif value is None:
            ws.write_blank(row, col, None, cell_format)
        else:
            ws.write_number(row, col, value, cell_format)
