"""The registry export streams one tuple query; its workbook matches, cell by cell, the one written from ORM objects
(the path it replaced, kept here as the reference)."""
import io

from openpyxl import load_workbook

from emergency.lists.exports import export_registry
from emergency.lists.listing import enterprise_ids, iter_enterprises
from emergency.registry.operations import measure_types
from emergency.spreadsheets.registry import REGISTRY_COLUMNS, write_registry_workbook
from models import db
from seed.demo import load_demo
from tests.import_support import registry_values


def cells(data):
    """Every cell's value and number format, and every row's height, of each sheet."""
    book = load_workbook(io.BytesIO(data))
    return {ws.title: ([[(c.value, c.number_format, c.alignment.wrap_text) for c in row] for row in ws.iter_rows()],
                       {r: d.height for r, d in ws.row_dimensions.items()}, ws.auto_filter.ref, ws.freeze_panes)
            for ws in book.worksheets}


def demo_like(make_enterprise, make_line):
    load_demo(n=60)
    make_enterprise(name="=HYPERLINK(\"x\")无生产线企业", grade=None, category="LIVELIHOOD", small_micro=True)
    firm = make_enterprise(name="甲企业", address="很长的地址" * 12, contact_phone="+86 356 1234567")
    make_line(firm, name="-1#窑", measures={"red": ("stop", None, None)}, can_stop_quickly=None, vocs_t_yr=0.0004)
    db.session.commit()


def orm_reference(county_id=None):
    """The registry as the ORM path built it: every enterprise with its lines and measures, one row per line."""
    labels = measure_types().labels
    return [[registry_values(e, line, labels).get(key) for key, _ in REGISTRY_COLUMNS]
            for e in iter_enterprises(enterprise_ids(county_id, with_lines=False)) for line in e.lines or [None]]


def test_the_streamed_registry_workbook_is_the_orm_workbook_cell_by_cell(make_enterprise, make_line):
    demo_like(make_enterprise, make_line)
    streamed = io.BytesIO()
    rows = export_registry(streamed)
    reference = io.BytesIO()
    assert write_registry_workbook(reference, orm_reference()) == rows
    assert rows > 60
    got = cells(streamed.getvalue())
    assert got == cells(reference.getvalue())
    sheet = got["企业名录"][0]
    assert any(row[0][0] == "=HYPERLINK(\"x\")无生产线企业" and row[REGISTRY_COLUMNS.index(("line_name", "生产线"))][0]
               is None for row in sheet)
