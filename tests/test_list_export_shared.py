"""The list workbook reads each line's facts once and judges them at the three levels; cell by cell it is the
workbook written from one list query per level (the path it replaced, rebuilt here as the reference)."""
import io
from datetime import datetime

from emergency.lists.accounting import accumulator_for
from emergency.lists.exports import export_list
from emergency.lists.listing import counties, iter_list_rows
from emergency.lists.notes import live_notes
from emergency.lists.records import DETAIL_KEYS, LineRecord, _details_select
from emergency.spreadsheets.writer import write_list_workbook
from models import LEVELS, County, db
from tests.test_registry_export_stream import cells, demo_like


def per_level_records(county_id=None):
    details = db.session.execute(_details_select(county_id)).all()
    levels = [list(iter_list_rows(level, county_id)) for level in LEVELS]
    for found, *rows in zip(details, *levels, strict=True):
        assert all(row.line_id == found[0] for row in rows)
        yield LineRecord(dict(zip(LEVELS, rows)), dict(zip(DETAIL_KEYS, found[1:])))


def reference(level, county=None):
    buffer = io.BytesIO()
    county_id = county.id if county else None
    write_list_workbook(buffer, level, county.name if county else "全市", per_level_records(county_id),
                        accumulator_for(level, counties(county_id)), live_notes(level, county))
    return buffer.getvalue()


def test_the_list_workbook_is_the_per_level_workbook_cell_by_cell(make_enterprise, make_line, monkeypatch):
    demo_like(make_enterprise, make_line)
    # One export time for both workbooks (说明 prints it to the minute, and a minute may turn between them).
    monkeypatch.setattr("emergency.lists.notes.utcnow", lambda: datetime(2026, 12, 2, 8, 30))
    county = db.session.query(County).filter_by(name="泽州县").one()
    for level, scope in (("red", None), ("yellow", None), ("orange", county)):
        buffer = io.BytesIO()
        summary = export_list(buffer, level, scope)
        got = cells(buffer.getvalue())
        assert got == cells(reference(level, scope))
        national = got["全国格式清单"][0]
        assert len(national) > 20 and summary.total.lines > 20
