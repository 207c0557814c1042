"""Exports: query the list or registry and hand the rows to the spreadsheet writers (shared by web and CLI)."""
from sqlalchemy import func

from emergency.lists.accounting import accumulator_for
from emergency.lists.listing import counties
from emergency.lists.notes import live_notes
from emergency.lists.records import iter_line_records
from emergency.lists.registry_rows import count_registry_rows, iter_registry_rows
from emergency.platform.jobs import counted
from emergency.registry.operations import measure_types
from emergency.spreadsheets.registry import write_registry_workbook
from emergency.spreadsheets.writer import write_list_workbook, write_zip
from models import LEVEL_LABELS, Enterprise, ProductionLine, db

CITY_NAME = "晋城市"


def scope_name(county=None):
    return county.name if county else CITY_NAME


def list_filename(level, county=None):
    """E.g. "泽州县_红色预警减排清单.xlsx"."""
    return f"{scope_name(county)}_{LEVEL_LABELS[level]}预警减排清单.xlsx"


def counties_filename(level, county=None):
    return f"{scope_name(county)}_{LEVEL_LABELS[level]}预警减排清单_分县.zip"


def registry_filename(county=None):
    return f"{scope_name(county)}_应急减排企业名录.xlsx"


def export_list(fh, level, county=None, progress=None):
    """Write the list workbook of the city (or one county) at ``level`` to ``fh``; return the Summary.

    :param progress: optional ``progress(done, total)`` callback, counted in list rows.
    """
    county_id = county.id if county else None
    accumulator = accumulator_for(level, counties(county_id))
    name = county.name if county else "全市"
    records = iter_line_records(county_id)
    if progress is not None:
        records = counted(records, progress, count_lines(county_id))
    return write_list_workbook(fh, level, name, records, accumulator, live_notes(level, county))


def export_counties(fh, level, county=None, progress=None):
    """Write a zip with one list workbook per county (only ``county`` when given); return the file names."""
    scope = counties(county.id if county else None)
    offsets, total = {}, 0
    for c in scope:
        offsets[c.id], total = total, total + (count_lines(c.id) if progress else 0)

    def workbook(out, c):
        # Each county's rows count on from where the previous county's stopped.
        step = (lambda done, _total=None: progress(offsets[c.id] + done, total)) if progress else None
        return export_list(out, level, c, step)

    members = [(list_filename(level, c), lambda out, c=c: workbook(out, c)) for c in scope]
    write_zip(fh, members)
    return [name for name, _ in members]


def export_registry(fh, county=None, progress=None):
    """Write the registry of the city (or one county) to ``fh``; return the number of rows."""
    county_id = county.id if county else None
    rows = iter_registry_rows(measure_types().labels, county_id)
    if progress is not None:
        rows = counted(rows, progress, count_registry_rows(county_id))
    return write_registry_workbook(fh, rows)


def count_lines(county_id=None):
    """How many production lines the list of this scope has (what progress counts)."""
    query = db.session.query(func.count(ProductionLine.id)).join(Enterprise)
    if county_id:
        query = query.filter(Enterprise.county_id == county_id)
    return query.scalar()
