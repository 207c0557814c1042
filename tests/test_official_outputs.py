"""The suite-wide check that no order page or dispatched workbook carries 待核定 or 【错误 (tests/official.py) works."""
import io
from dataclasses import replace

import xlsxwriter

from emergency.lists import orders
from emergency.spreadsheets.writer import write_table_workbook
from models import DispatchFile, db
from tests.official import ORDER_TEMPLATES, dispatched_markers, workbook_markers, workbook_texts

CLEAN_CELL = "措施复核中，暂不下达（另行通知）"
MARKED_CELL = "【错误：低于行业措施底线（底线：停产）】"


def table_workbook(*cells):
    """A workbook written as the app writes them (constant memory: inline strings)."""
    buffer = io.BytesIO()
    write_table_workbook(buffer, [("清单", ("减排措施",), None, None, [(cell,) for cell in cells])])
    return buffer.getvalue()


def shared_strings_workbook(*cells):
    """A workbook whose text sits in the shared strings table, as Excel itself saves it."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    sheet = workbook.add_worksheet("说明")
    for row, cell in enumerate(cells):
        sheet.write_string(row, 0, cell)
    workbook.close()
    return buffer.getvalue()


def test_the_scan_finds_a_marker_in_inline_and_shared_strings():
    for write in (table_workbook, shared_strings_workbook):
        clean = write("停产", CLEAN_CELL)
        assert CLEAN_CELL in set(workbook_texts(clean)) and workbook_markers(clean) == [], write.__name__
        marked = write(CLEAN_CELL, MARKED_CELL, "1#窑：待核定")
        assert workbook_markers(marked) == [("【错误", MARKED_CELL), ("待核定", "1#窑：待核定")], write.__name__


def test_the_scan_reads_every_stored_dispatched_file():
    good = DispatchFile(sha256="0" * 64, size=1, content=table_workbook(CLEAN_CELL))
    bad = DispatchFile(sha256="1" * 64, size=1, content=table_workbook(MARKED_CELL))
    db.session.add_all([good, bad])
    db.session.flush()
    assert dispatched_markers() == [(bad.id, "【错误", MARKED_CELL)]
    # Never committed: the suite's own check after this test finds nothing.
    db.session.rollback()
    assert dispatched_markers() == []


def test_an_order_page_with_a_marker_is_caught(official_outputs, monkeypatch, make_enterprise, make_line, make_user,
                                               login):
    enterprise = make_enterprise(name="通知单企业")
    make_line(enterprise, name="1#窑")
    client = login(make_user("city"))
    clean = client.get(f"/lists/red/orders/{enterprise.id}").get_data(as_text=True)
    assert "晋城市重污染天气红色预警停限产通知单" in clean and official_outputs.found == []

    def old_order(found, level):
        # What orders printed before the gate: the verdict where the measure should be.
        order = orders.build_order(found, level)
        return replace(order, items=tuple(replace(item, measure_label="待核定：低于行业措施底线")
                                          for item in order.items))

    monkeypatch.setattr("emergency.web.lists.build_order", old_order)
    marked = client.get(f"/lists/red/orders/{enterprise.id}").get_data(as_text=True)
    assert "待核定：低于行业措施底线" in marked
    assert official_outputs.found == [("lists/order.html", "待核定")]
    official_outputs.found.clear()      # caught on purpose: this test must not fail for it


def test_every_watched_template_exists(app):
    for name in ORDER_TEMPLATES:
        assert app.jinja_env.get_template(name).name == name
