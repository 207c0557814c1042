"""The row writer (``spreadsheets.rowxml``) against xlsxwriter's own per-cell path: byte for byte the same workbook
parts, for the list, registry and table workbooks of a demo-like registry and for hostile texts; the one difference
on purpose (text shaped like rich-text XML stays text)."""
import io
import math
import zipfile
from datetime import datetime

import openpyxl
import pytest
import xlsxwriter

from emergency.lists.exports import export_list, export_registry
from emergency.spreadsheets import rowxml
from emergency.spreadsheets.sheet import WORKBOOK_OPTIONS, Sheet, _formats
from emergency.spreadsheets.writer import write_table_workbook
from models import County, db
from tests.test_registry_export_stream import demo_like

AT = datetime(2026, 12, 2, 8, 30)
# Control characters, Excel's own escapes, whitespace Excel would trim, XML's specials, formula starts, a text
# over Excel's 32,767 limit (in UTF-16 units: the emoji count twice), numbers of every size.
HOSTILE = [
    ("名称\x01\x1f中\x0b", "_x0041_ 已转义", " 前导空格", "尾随空格\u3000", "甲&乙<丙>丁\"戊'", "换行\n第二行"),
    ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\t制表", "\r回车"),
    ("长" * 40000, "😀" * 20000, "\ufffe\uffff", "_x005F_", "a" * 16383, ""),
    (0.0, -1.5, 1e-7, 123456789012345.67, 10 ** 17, 0.000123),
    (None, True, False, 7, 3.25, "末"),
]


def parts(data):
    """Every part of an xlsx but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


@pytest.fixture
def per_cell(monkeypatch):
    """Makes every Sheet write its rows through xlsxwriter's per-cell calls, as before the row writer."""
    def use_per_cell():
        monkeypatch.setattr(rowxml.RowWriter, "write", lambda self, row, cells: rowxml.write_cells(self.ws, row, cells))
    return use_per_cell


@pytest.fixture
def demo(make_enterprise, make_line, monkeypatch):
    demo_like(make_enterprise, make_line)
    monkeypatch.setattr("emergency.lists.notes.utcnow", lambda: AT)


def both_ways(per_cell, write):
    fast = io.BytesIO()
    write(fast)
    per_cell()
    slow = io.BytesIO()
    write(slow)
    return parts(fast.getvalue()), parts(slow.getvalue())


def test_list_workbooks_are_byte_for_byte_the_per_cell_workbooks(app, demo, per_cell, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_FORK", False)
    county = db.session.query(County).filter_by(name="泽州县").one()
    fast, slow = both_ways(per_cell, lambda out: (export_list(out, "red"), export_list(out, "orange", county)))
    assert fast == slow
    sheet = fast["xl/worksheets/sheet2.xml"].decode()
    assert sheet.count("<row ") > 3 and 't="inlineStr"' in sheet and "<v>" in sheet


def test_the_registry_workbook_is_byte_for_byte_the_per_cell_workbook(app, demo, per_cell, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_FORK", False)
    fast, slow = both_ways(per_cell, export_registry)
    assert fast == slow
    assert fast["xl/worksheets/sheet1.xml"].count(b"<row ") > 3


def hostile_workbook(out):
    write_table_workbook(out, [("表", [f"列{i}" for i in range(6)], None, "标题", HOSTILE)])


def test_hostile_texts_and_numbers_are_written_as_xlsxwriter_writes_them(app, per_cell):
    fast, slow = both_ways(per_cell, hostile_workbook)
    assert fast == slow
    book = openpyxl.load_workbook(io.BytesIO(written_bytes(hostile_workbook)))
    rows = list(book["表"].iter_rows(min_row=3, values_only=True))
    # Excel's escapes (openpyxl reads them as written; Excel and LibreOffice show 名称 and _x0041_).
    assert rows[0][:2] == ("名称_x0001__x001F_中_x000B_", "_x005F_x0041_ 已转义")
    assert rows[0][2] == " 前导空格" and rows[0][4] == "甲&乙<丙>丁\"戊'"
    assert '<t xml:space="preserve"> 前导空格</t>' in fast["xl/worksheets/sheet1.xml"].decode()
    assert rows[1][0] == "=HYPERLINK(\"http://x\")"
    assert len(rows[2][0]) == 32767 and rows[2][5] is None
    assert rows[3][:3] == (0, -1.5, 1e-7) and rows[3][4] == 10 ** 17
    assert rows[4] == (None, "是", "否", 7, 3.25, "末")


def test_text_shaped_like_rich_text_xml_stays_text(app):
    shaped = "<r><t>乙</t></r>"
    out = io.BytesIO()
    write_table_workbook(out, [("表", ["名称", "备注"], None, None, [(shaped, "<r>x</r>")])])
    sheet = parts(out.getvalue())["xl/worksheets/sheet1.xml"].decode()
    assert "&lt;r&gt;&lt;t&gt;乙&lt;/t&gt;&lt;/r&gt;" in sheet and "<r><t>" not in sheet
    assert [c.value for c in openpyxl.load_workbook(out)["表"][2]] == [shaped, "<r>x</r>"]


def test_a_number_that_is_not_finite_is_refused_as_xlsxwriter_refuses_it(app):
    for value in (math.nan, math.inf):
        with pytest.raises(TypeError, match="NAN/INF"):
            write_table_workbook(io.BytesIO(), [("表", ["数"], None, None, [(1.0,), (value,)])])


def test_rows_after_a_per_cell_row_and_set_heights_keep_their_order(app):
    # A row xlsxwriter already holds cells of goes its own way; the rows around it keep their order and heights.
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    sheet = Sheet(workbook, _formats(workbook), "表", ["甲", "乙"], [4, 4])
    sheet.append(("一", 1))
    sheet.ws.write_string(sheet.next_row, 1, "先写")
    sheet.rows.write(sheet.next_row, [("二", None)])
    sheet.next_row += 1
    sheet.append(("很长的文字需要换行显示", 3), ("wrap", "int"))
    sheet.finish()
    workbook.close()
    ws = openpyxl.load_workbook(out)["表"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [["一", 1], ["二", "先写"],
                                                                          ["很长的文字需要换行显示", 3]]
    assert ws.row_dimensions[4].height > 15 and ws.auto_filter.ref == "A1:B4"


def test_the_import_templates_hidden_lists_are_the_per_cell_workbooks(app, per_cell):
    from emergency.importing.template import LIST_SHEET, write_import_template

    fast, slow = both_ways(per_cell, write_import_template)
    assert fast == slow
    lists = openpyxl.load_workbook(io.BytesIO(written_bytes(write_import_template)))[LIST_SHEET]
    assert "泽州县" in [c.value for c in lists["A"]] and lists.max_column > 3


def written_bytes(write):
    out = io.BytesIO()
    write(out)
    return out.getvalue()


def test_bare_rows_of_texts_without_formats_empty_ones_included(app, per_cell):
    def bare(out):
        workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
        ws = workbook.add_worksheet("表")
        writer = rowxml.RowWriter(ws)
        writer.write(0, [("", None), (" 甲", None), (None, None), (7, None)])
        writer.write(1, [(None, None), (None, None)])
        writer.write(2, [("乙", None)])
        workbook.close()

    fast, slow = both_ways(per_cell, bare)
    assert fast == slow
    sheet = fast["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="A1" t="inlineStr"><is><t></t></is></c>' in sheet and '<t xml:space="preserve"> 甲</t>' in sheet
    assert '<c r="D1"><v>7</v></c>' in sheet and 'r="C1"' not in sheet and '<row r="3">' in sheet
