"""Exports written with a second process: the list and registry rows read and judged in a forked producer, the
per-county zip written by a pool of forked workers. Cell by cell (values, formats, wrapping, heights, sheets) they
are the workbooks one process writes, and the list is still the per-level path's workbook it replaced."""
import io
import zipfile
from datetime import datetime

import pytest

from emergency.lists import exports
from emergency.lists.exports import export_counties, export_list, export_registry
from emergency.platform import forked
from models import County, db
from tests.test_list_export_shared import reference
from tests.test_registry_export_stream import cells, demo_like

AT = datetime(2026, 12, 2, 8, 30)


@pytest.fixture
def demo(make_enterprise, make_line, monkeypatch):
    demo_like(make_enterprise, make_line)
    # One export time for every workbook of a test (说明 and the footers print it to the minute).
    monkeypatch.setattr("emergency.lists.notes.utcnow", lambda: AT)


@pytest.fixture
def produced_calls(monkeypatch):
    """Counts the exports that really ran a forked producer."""
    calls = []
    original = forked.produced

    def spy(make_items, *args, **kwargs):
        calls.append(make_items)
        return original(make_items, *args, **kwargs)

    monkeypatch.setattr(forked, "produced", spy)
    return calls


def one_process(app, monkeypatch, write):
    monkeypatch.setitem(app.config, "EXPORT_FORK", False)
    buffer = io.BytesIO()
    result = write(buffer)
    monkeypatch.setitem(app.config, "EXPORT_FORK", True)
    return buffer.getvalue(), result


def test_the_forked_list_workbook_is_the_one_process_workbook_cell_by_cell(app, demo, monkeypatch, produced_calls):
    monkeypatch.setitem(app.config, "EXPORT_FORK_ROWS", 0)
    county = db.session.query(County).filter_by(name="泽州县").one()
    for level, scope in (("red", None), ("orange", county)):
        single, single_summary = one_process(app, monkeypatch, lambda out, lv=level, c=scope: export_list(out, lv, c))
        assert len(produced_calls) == 0
        buffer, done = io.BytesIO(), []
        summary = export_list(buffer, level, scope, lambda now, total, seen=done: seen.append((now, total)))
        assert len(produced_calls) == 1
        produced_calls.clear()
        got = cells(buffer.getvalue())
        assert got == cells(single)
        assert got == cells(reference(level, scope))    # the path before the shared read, too
        assert list(got) == ["汇总", "清单", "停限产企业", "全国格式清单", "企业基本信息", "说明"]
        assert summary == single_summary and summary.total.lines == len(got["清单"][0]) - 2 > 20
        assert done[-1] == (summary.total.lines, summary.total.lines)
        # The special rows arrived: a formula-like name stays quoted text, a long address makes a tall row.
        if scope is None:
            firms = got["企业基本信息"]
            row = next(i for i, r in enumerate(firms[0]) if r[1][0] == "甲企业")
            assert firms[1][row + 1] > 15


def test_small_exports_are_written_in_one_process(app, demo, monkeypatch, produced_calls):
    monkeypatch.setitem(app.config, "EXPORT_FORK_ROWS", 10**9)
    monkeypatch.setattr(forked, "pool", lambda workers: pytest.fail("a pool for a small zip"))
    buffer = io.BytesIO()
    summary = export_list(buffer, "red")
    assert produced_calls == [] and summary.total.lines > 20
    assert cells(buffer.getvalue())["清单"][0][2][2][0]
    zipped = io.BytesIO()
    assert len(export_counties(zipped, "red")) == len(members(zipped.getvalue())) > 1


def test_the_forked_registry_workbook_is_the_one_process_workbook(app, demo, monkeypatch, produced_calls):
    monkeypatch.setitem(app.config, "EXPORT_FORK_ROWS", 0)
    single, single_rows = one_process(app, monkeypatch, export_registry)
    buffer = io.BytesIO()
    rows = export_registry(buffer)
    assert len(produced_calls) == 1
    assert rows == single_rows > 60
    got = cells(buffer.getvalue())
    assert got == cells(single)
    assert any(row[0][0] == "=HYPERLINK(\"x\")无生产线企业" for row in got["企业名录"][0])


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: cells(archive.read(name)) for name in archive.namelist()}


def test_the_pooled_zip_holds_the_one_process_workbooks(app, demo, monkeypatch):
    submitted = []
    original = forked.pool

    def pool(workers):
        submitted.append(workers)
        return original(workers)

    monkeypatch.setattr(forked, "pool", pool)
    monkeypatch.setattr(forked, "cores", lambda: 2)   # the pool even on a one-core machine
    monkeypatch.setitem(app.config, "EXPORT_FORK_ROWS", 0)
    single, single_names = one_process(app, monkeypatch, lambda out: export_counties(out, "red"))
    assert submitted == []
    buffer, done = io.BytesIO(), []
    names = export_counties(buffer, "red", progress=lambda now, total: done.append((now, total)))
    assert submitted == [2]
    assert names == single_names and len(names) == db.session.query(County).count()
    got = members(buffer.getvalue())
    assert list(got) == names                                   # county order kept
    assert got == members(single)
    assert sum(len(book["清单"][0]) - 2 for book in got.values()) == done[-1][0] == done[-1][1] > 20


def test_a_failing_producer_fails_the_export(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_FORK_ROWS", 0)

    def broken(*args, **kwargs):
        yield from ()
        raise ValueError("读取失败")

    monkeypatch.setattr(exports, "iter_line_records", broken)
    with pytest.raises(forked.ChildFailed, match="读取失败"):
        export_list(io.BytesIO(), "red")
    # The app keeps working in this process after the child's failure.
    buffer = io.BytesIO()
    monkeypatch.undo()
    assert export_list(buffer, "red").total.lines > 20


def test_a_failing_write_ends_the_producer(app, demo, monkeypatch, produced_calls):
    import multiprocessing

    from emergency.spreadsheets.sheet import Sheet

    monkeypatch.setitem(app.config, "EXPORT_FORK_ROWS", 0)
    monkeypatch.setitem(app.config, "EXPORT_FORK", True)
    original, written = Sheet.append, []

    def append(self, *args, **kwargs):
        written.append(1)
        if len(written) > 5:
            raise OSError("磁盘已满")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Sheet, "append", append)
    with pytest.raises(OSError, match="磁盘已满"):
        export_list(io.BytesIO(), "red")
    assert len(produced_calls) == 1 and len(written) == 6
    assert multiprocessing.active_children() == []
