"""Exports against their floors, measured in one process, alternately (the machine is shared: runs far apart are
not comparable): `python -m bench.tasks export_ratios URL [REPEATS]`.

- red list workbook: the export as the app runs it (rows read and judged in a forked producer when the list is
  large) against its floor, xlsxwriter writing the same cells (every data sheet's values, computed beforehand by
  the export's own ``list_workbook_rows``) with no formats, heights or page setup; and, for the profile, the
  floor with each cell's format as the export gives it (what the formats alone cost);
- registry workbook: the export against xlsxwriter writing the same rows (``iter_registry_rows``, read beforehand);
- per-county zip: the pool of forked workers against one process writing the same workbooks (checked identical).

Wall seconds decide the ratios (the export uses two processes where the floor uses one); CPU seconds (this process
and its children) are reported beside them.
"""
import io
import os
import re
import statistics
import time
import zipfile

import xlsxwriter

from bench.generate import OUT
from bench.verdicts import at_most, below

RED_TARGET, REGISTRY_TARGET = 1.15, 1.5
# The red export's memory: what it adds to its process (the app alone, numpy and all, starts at about 200 MB).
RED_MEMORY_TARGET_MB = 150


def _clock():
    times = os.times()
    return time.perf_counter(), times.user + times.system, times.children_user + times.children_system


def _timed(func):
    """(wall seconds, CPU seconds of this process, CPU seconds of its children, the result) of ``func()``."""
    start = _clock()
    result = func()
    end = _clock()
    return *(b - a for a, b in zip(start, end)), result


def floor_write(path, sheets):
    """xlsxwriter in constant_memory mode writing ``sheets`` ({name: rows of values}), unformatted."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    workbook.close()


def floor_write_formatted(path, sheets):
    """``floor_write`` with each cell's format as the export gives it (``sheets``: {name: [(values, kinds)]}), still
    with no row heights, page setup or headers: the share of the export's excess that the formats themselves cost."""
    from emergency.spreadsheets.sheet import _formats

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    formats = _formats(workbook)
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, (values, kinds) in enumerate(rows):
            for c, value in enumerate(values):
                sheet.write(r, c, value, formats[kinds[c]] if kinds else formats["text"])
    workbook.close()


def red_floor_cells(level="red", kinds=False):
    """The red workbook's data cells by sheet, as the export computes them (not timed)."""
    from emergency.lists.accounting import accumulator_for
    from emergency.lists.listing import counties
    from emergency.lists.records import iter_line_records
    from emergency.spreadsheets.writer import list_workbook_rows

    sheets = {}
    for name, values, row_kinds, _ in list_workbook_rows(level, iter_line_records(),
                                                         accumulator_for(level, counties())):
        if name is not None:
            sheets.setdefault(name, []).append((values, row_kinds) if kinds else values)
    return sheets


def _red_export():
    from emergency.lists.exports import export_list

    with open(OUT / "red.xlsx", "wb") as fh:
        export_list(fh, "red")


def _registry_export():
    from emergency.lists.exports import export_registry

    with open(OUT / "registry.xlsx", "wb") as fh:
        return export_registry(fh)


def _zip(parallel):
    from flask import current_app

    from emergency.lists.exports import export_counties

    buffer = io.BytesIO()
    current_app.config["EXPORT_FORK"] = parallel   # off: one process, no producer, no pool
    try:
        export_counties(buffer, "red")
    finally:
        current_app.config["EXPORT_FORK"] = True
    return buffer.getvalue()


def _zip_members(data):
    """Each workbook's data sheets as written (xlsxwriter's sheet XML), 说明 and the footers' export time left out
    (they differ from minute to minute)."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            with zipfile.ZipFile(io.BytesIO(archive.read(name))) as book:
                found[name] = {part: re.sub(rb"<oddFooter>.*?</oddFooter>", b"", book.read(part))
                               for part in book.namelist()
                               if part.startswith("xl/worksheets/sheet") and part != "xl/worksheets/sheet6.xml"}
    return found


def _median(samples):
    return round(statistics.median(samples), 3)


def export_ratios(app, repeats="2"):
    """Red export, registry export and per-county zip against their floors, alternating, ``repeats`` times each."""
    from emergency.lists.registry_rows import iter_registry_rows
    from emergency.registry.operations import measure_types

    red_cells = red_floor_cells()
    red_formatted = red_floor_cells(kinds=True)
    registry_rows = list(iter_registry_rows(measure_types().labels))
    samples = {key: [] for key in ("red", "red_floor", "red_formatted", "registry", "registry_floor", "zip",
                                   "zip_serial")}
    cpu, own = {key: [] for key in samples}, {key: [] for key in samples}
    zips = {}
    for _ in range(int(repeats)):
        for key, run in (("red", _red_export),
                         ("red_floor", lambda: floor_write(OUT / "red_floor.xlsx", red_cells)),
                         ("red_formatted", lambda: floor_write_formatted(OUT / "red_formatted.xlsx", red_formatted)),
                         ("registry", _registry_export),
                         ("registry_floor", lambda: floor_write(OUT / "registry_floor.xlsx",
                                                                {"企业名录": registry_rows})),
                         ("zip", lambda: _zip(True)), ("zip_serial", lambda: _zip(False))):
            wall, used, children, result = _timed(run)
            samples[key].append(wall)
            own[key].append(used)
            cpu[key].append(used + children)
            if key.startswith("zip"):
                zips[key] = result
    walls = {key: _median(values) for key, values in samples.items()}
    return {"walls": walls, "cpu": {key: _median(values) for key, values in cpu.items()},
            # The writing process alone: what the wall time tends to when the producer runs on a core of its own.
            "own_cpu": {key: _median(values) for key, values in own.items()},
            "red_ratio": round(walls["red"] / walls["red_floor"], 3),
            "red_formatted_ratio": round(walls["red_formatted"] / walls["red_floor"], 3),
            "registry_ratio": round(walls["registry"] / walls["registry_floor"], 3),
            "zip_ratio": round(walls["zip"] / walls["zip_serial"], 3),
            "zip_identical": _zip_members(zips["zip"]) == _zip_members(zips["zip_serial"]),
            "lines": len(red_cells.get("清单", [])), "registry_rows": len(registry_rows),
            "cores": os.cpu_count(), "repeats": int(repeats)}


def verdict(name, ratio, target):
    return at_most(name, ratio, target, "×").line()


def export_rows(result, database, export=None):
    """The bench table's rows and the verdict lines of ``export_ratios``' result (and of the ``export_list`` task's
    memory, when given)."""
    walls, cpu, own = result["walls"], result["cpu"], result["own_cpu"]
    rows = [
        ("2. red workbook export / its floor", f"{walls['red']:.2f} s", f"floor {walls['red_floor']:.2f} s",
         f"ratio {result['red_ratio']:.2f}× (target ≤ {RED_TARGET}×); CPU: writer {own['red']:.2f} s, both "
         f"processes {cpu['red']:.2f} s, floor {cpu['red_floor']:.2f} s; {result['lines']} lines, "
         f"median of {result['repeats']}"),
        ("   the floor with the export's cell formats / the floor", f"{walls['red_formatted']:.2f} s",
         f"floor {walls['red_floor']:.2f} s", f"ratio {result['red_formatted_ratio']:.2f}×: what the formats alone "
         "cost on xlsxwriter's per-cell path (no heights, page setup or headers); the export writes its rows "
         "itself (spreadsheets.rowxml)"),
        ("3. per-county ZIP, forked pool / one process", f"{walls['zip']:.2f} s", f"{walls['zip_serial']:.2f} s",
         f"ratio {result['zip_ratio']:.2f}× on {result['cores']} cores; same workbooks: {result['zip_identical']}"),
        ("   registry export / its floor", f"{walls['registry']:.2f} s", f"floor {walls['registry_floor']:.2f} s",
         f"ratio {result['registry_ratio']:.2f}× (target ≤ {REGISTRY_TARGET}×); CPU: writer {own['registry']:.2f} s, "
         f"both {cpu['registry']:.2f} s, floor {cpu['registry_floor']:.2f} s; {result['registry_rows']} rows"),
    ]
    verdicts = [verdict(f"red export / floor ({database})", result["red_ratio"], RED_TARGET),
                verdict(f"registry export / floor ({database})", result["registry_ratio"], REGISTRY_TARGET)]
    if export is not None:
        grown = export["peak_mb"] - export["baseline_mb"]
        verdicts.append(below(f"red export memory above the process's start ({database}; peak "
                              f"{export['peak_mb']:.0f} MB)", round(grown), RED_MEMORY_TARGET_MB, " MB").line())
    return rows, verdicts

