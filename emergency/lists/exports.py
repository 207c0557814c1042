"""Exports: query the list or registry and hand the rows to the spreadsheet writers (shared by web and CLI)."""
import io
from contextlib import closing

from sqlalchemy import func

from emergency.lists.accounting import accumulator_for
from emergency.lists.listing import counties
from emergency.lists.notes import live_notes
from emergency.lists.records import iter_line_records
from emergency.lists.registry_rows import count_registry_rows, iter_registry_rows
from emergency.platform import forked
from emergency.platform.jobs import counted
from emergency.registry.operations import measure_types
from emergency.spreadsheets.registry import write_registry_workbook
from emergency.spreadsheets.writer import list_workbook_rows, write_list_rows, write_zip
from models import LEVEL_LABELS, County, Enterprise, ProductionLine, db

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

    A large list is read and judged in a second process (``platform.forked``) while this one writes: the same
    cells, in the same order, as when one process does both.

    :param progress: optional ``progress(done, total)`` callback, counted in list rows.
    """
    county_id = county.id if county else None
    total = count_lines(county_id)

    def rows():
        records = iter_line_records(county_id)
        return list_workbook_rows(level, records, accumulator_for(level, counties(county_id)))

    step = None
    if progress is not None:
        progress(0, total)
        step = lambda done: progress(done, max(total, done))  # noqa: E731
    found = forked.produced(rows) if forked.available(total) else rows()
    name = county.name if county else "全市"
    with closing(found):   # a failed write ends the producer process at once
        return write_list_rows(fh, level, name, found, live_notes(level, county), step)


def export_counties(fh, level, county=None, progress=None):
    """Write a zip with one list workbook per county (only ``county`` when given); return the file names.

    With two cores or more the counties' workbooks are written by a pool of forked processes, one per core; the
    zip holds them in county order either way.
    """
    scope = counties(county.id if county else None)
    sizes = {c.id: count_lines(c.id) for c in scope}
    total, done = sum(sizes.values()), 0
    names = [list_filename(level, c) for c in scope]
    if progress is not None:
        progress(0, total)
    workers = min(forked.cores(), len(scope))
    if workers < 2 or not forked.available(total):
        def workbook(out, c):
            # Each county's rows count on from where the previous county's stopped.
            step = (lambda now, _total=None: progress(offsets[c.id] + now, total)) if progress else None
            return export_list(out, level, c, step)

        offsets, running = {}, 0
        for c in scope:
            offsets[c.id], running = running, running + sizes[c.id]
        write_zip(fh, [(name, lambda out, c=c: workbook(out, c)) for name, c in zip(names, scope)])
        return names
    with forked.pool(workers) as pool:
        pending = [pool.submit(forked.in_app, county_workbook, level, c.id) for c in scope]
        members = []
        for name, c, future in zip(names, scope, pending):
            members.append((name, future.result()))
            done += sizes[c.id]
            if progress is not None:
                progress(done, total)
    write_zip(fh, [(name, lambda out, data=data: out.write(data)) for name, data in members])
    return names


def county_workbook(level, county_id):
    """One county's list workbook as bytes (the per-county zip's pool workers run this)."""
    buffer = io.BytesIO()
    export_list(buffer, level, db.session.get(County, county_id))
    return buffer.getvalue()


def export_registry(fh, county=None, progress=None):
    """Write the registry of the city (or one county) to ``fh``; return the number of rows.

    Like the list, a large registry is read in a second process while this one writes.
    """
    county_id = county.id if county else None
    total = count_registry_rows(county_id)
    labels = measure_types().labels

    def read():
        return iter_registry_rows(labels, county_id)

    produced = forked.produced(read) if forked.available(total) else read()
    rows = counted(produced, progress, total) if progress is not None else produced
    with closing(produced):
        return write_registry_workbook(fh, rows)


def count_lines(county_id=None):
    """How many production lines the list of this scope has (what progress counts)."""
    query = db.session.query(func.count(ProductionLine.id)).join(Enterprise)
    if county_id:
        query = query.filter(Enterprise.county_id == county_id)
    return query.scalar()
