"""`make bench [N=20000]`: generate the registry, run each measurement in its own process, print one table, then
one verdict line per target (``bench.verdicts``).

Every figure with a floor is printed as a ratio against that floor, measured in the same run, with its target
beside it; absolute targets (page times, memory) are printed beside their figures.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import date

from sqlalchemy import create_engine, text

from . import load
from .export_tasks import export_rows
from .generate import OUT, drop_database, fresh_database_url, generate
from .side_jobs import prepare_import
from .verdicts import at_least, at_most, below, not_measured, report, verdict

# Page targets (p95, ms), from the issues that set them.
PAGE_TARGETS = {"registry, first page": 150, "registry, filtered": 150, "registry, search": 150,
                "enterprise page": 100, "red list, one county": 300, "red list, whole city": 300, "dashboard": 500}


def task(name, url, *args):
    """Run one task in a fresh process; return its JSON result."""
    out = subprocess.run([sys.executable, "-m", "bench.tasks", name, url, *args], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ratio(a, b):
    return f"{a / b:.2f}×" if b else "—"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--load-seconds", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the generated database after the run")
    parser.add_argument("--paces", default=",".join(str(p) for p in load.PACES),
                        help="seconds each client waits between requests, one load run each (comma-separated)")
    args = parser.parse_args()

    url = fresh_database_url(args.n)
    try:
        _run(args, url)
    finally:
        if not args.keep:
            drop_database(url)


def _run(args, url):
    seconds, enterprises, lines = generate(url, args.n)
    database = url.split(":", 1)[0]
    head = [f"# make bench — {date.today()} — {platform.node()} ({os.cpu_count()} cores) — {database}",
            f"generated {enterprises} enterprises / {lines} lines in {seconds:.1f} s", ""]
    print("\n".join(head))

    rows = []
    build = task("list_build", url)
    rows.append(("1. red list build + accounting (whole province)", f"{build['seconds']:.2f} s",
                 f"{build['peak_mb']:.0f} MB", f"{build['rows']} rows; target ≤ 5 s"))
    at_most("red list build", build["seconds"], 5.0, " s")
    export = task("export_list", url)
    floor = task("xlsxwriter_floor", url)
    rows.append(("2. red workbook export (all sheets)", f"{export['seconds']:.2f} s", f"{export['peak_mb']:.0f} MB",
                 f"floor {floor['seconds']:.2f} s → ratio {ratio(export['seconds'], floor['seconds'])}; "
                 "target ≤ 1.15×, < 150 MB"))
    zipped = task("export_counties", url)
    rows.append(("3. per-county ZIP export", f"{zipped['seconds']:.2f} s", f"{zipped['peak_mb']:.0f} MB",
                 f"{zipped['files']} workbooks"))
    registry = task("export_registry", url)
    rows.append(("   registry export (input of item 4)", f"{registry['seconds']:.2f} s",
                 f"{registry['peak_mb']:.0f} MB", f"{registry['rows']} rows"))
    # Exports against their floors, alternating in one process, with verdict lines (bench/export_tasks.py).
    ratios = task("export_ratios", url, "2")
    export_table, _ = export_rows(ratios, database, export)   # its verdicts are recorded for report()
    rows.extend(export_table)
    rows.extend(_import_rows(args.n))

    pages = task("pages", url, "60")["pages"]
    for name, page in pages.items():
        target = PAGE_TARGETS.get(name)
        rows.append((f"5. page: {name}", f"p50 {page['p50_ms']} ms", f"p95 {page['p95_ms']} ms",
                     f"{page['n']} requests, status {page['status']}, {page['statements']} SQL statements"
                     + (f"; target p95 ≤ {target} ms" if target else "")))
        if target:
            at_most(f"page p95: {name}", page["p95_ms"], target, " ms")
    small = _small_pages(args.n)
    rows.extend(_scaling_rows(args.n, pages, small))
    api = task("api", url, "30")
    for name, page in api["pages"].items():
        rows.append((f"5. {name}", f"p50 {page['p50_ms']} ms", f"p95 {page['p95_ms']} ms",
                     f"{page['n']} requests, CPU p50 {page['cpu_p50_ms']} ms, status {page['status']}"))
    rows.append(("7. API walk, red list, whole city", f"{api['walk_seconds']:.2f} s", f"{api['peak_mb']:.0f} MB",
                 f"{api['walk_rows']} rows in {api['walk_pages']} pages of 200 firms, CPU {api['walk_cpu_seconds']} s"))
    rows.extend(_power_rows(url))
    solved = task("solve", url)
    greedy = solved["greedy_cost"]
    rows.append(("9. target solver, red, whole city", f"{solved['seconds']:.2f} s", f"{solved['peak_mb']:.0f} MB",
                 f"read {solved['read_seconds']} s + solve {solved['solve_seconds']} s; {solved['eligible']} lines, "
                 f"{solved['options']} options, {solved['changes']} changes; without the ladder greedy/solver cost "
                 f"{ratio(greedy, solved['cost_without_ladder']) if greedy is not None else 'greedy stops short'}"
                 f"; ladder adds {ratio(solved['cost'], solved['cost_without_ladder'])}; target ≤ 10 s"))
    at_most("target solver, red, whole city", solved["seconds"], 10.0, " s")
    rows.append(("9. target solver, every target 10% harder", f"{solved['stress_solve_seconds']:.2f} s", "—",
                 f"{solved['stress_shortfalls']} county×pollutant gaps, {solved['stress_changes']} changes, "
                 f"{solved['stress_unreachable']} unreachable, {solved['stress_status']}, gap {solved['stress_gap']}"))
    loaded = _load_rows(url, args, pages, rows)

    width = max(len(r[0]) for r in rows)
    table = [f"{'measurement':<{width}} | {'time':>14} | {'memory / p95':>14} | notes", "-" * (width + 60)]
    table += [f"{name:<{width}} | {time_:>14} | {memory:>14} | {notes}" for name, time_, memory, notes in rows]
    body = table + [""] + report()
    print("\n".join(body))
    # What `make bench-readme` puts into the README's performance section (bench/readme.py).
    (OUT / f"report-{database.split('+')[0]}.txt").write_text("\n".join(head + body) + "\n", encoding="utf-8")
    (OUT / "results.json").write_text(json.dumps({"n": args.n, "database": database, "build": build,
                                                   "export": export, "floor": floor, "zip": zipped, "api": api,
                                                   "pages": pages, "small_pages": small, "load": loaded,
                                                   "solve": solved, "export_ratios": ratios, "verdicts": report()},
                                                  ensure_ascii=False, indent=1))


def _import_rows(n):
    """Item 4 (import of the registry workbook) runs once the import module exists."""
    try:
        out = subprocess.run([sys.executable, "-m", "bench.import_task", str(OUT / "registry.xlsx"), str(n)],
                             check=True, capture_output=True, text=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        not_measured("import / calamine floor", "≤ 3.00×", "the import task failed")
        why = (str(getattr(exc, "stderr", None) or exc).strip().splitlines() or [""])[-1]
        return [("4. import of the registry workbook", "—", "—", f"not run: {why[:160]}")]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # CPU seconds (the import with its reading child, against the floor's): wall time on a shared machine
    # measures the neighbours; bench/import_task.py prints both.
    at_most("import / calamine floor (CPU)", result["ratio"], 3.0, "×")
    below("import peak memory", round(result["peak_mb"]), 500, " MB")
    return [("4. import of the registry workbook", f"{result['seconds']:.2f} s", f"{result['peak_mb']:.0f} MB",
             f"calamine floor {result['floor_seconds']:.2f} s"
             f" → ratio {ratio(result['seconds'], result['floor_seconds'])}"
             f"; reading in the sandbox {result['sandbox_ratio']:.2f}× in-process"
             f"; {result['summary']}; target ≤ 3×, < 500 MB")]


def _small_pages(n):
    """The same pages on a registry a tenth the size: their SQL statements and the whole-city list's p95."""
    small_n = max(n // 10, 200)
    url = fresh_database_url(small_n, prefix="benchsmall_")
    try:
        generate(url, small_n)
        return dict(task("pages", url, "60")["pages"], n=small_n)
    finally:
        drop_database(url)


def _scaling_rows(n, pages, small):
    """Statements per page at N against N/10 (none may grow), and the whole-city list's p95 at both."""
    grown = {name: (small[name]["statements"], page["statements"]) for name, page in pages.items()
             if name in small and page["statements"] > small[name]["statements"]}
    counts = ", ".join(f"{name} {small[name]['statements']}→{page['statements']}" for name, page in pages.items()
                       if name in small)
    verdict(f"SQL statements per page at {n} vs {small['n']} firms", "none grows" if not grown else f"grown: {grown}",
            "none grows", not grown)
    city, city_small = pages["red list, whole city"]["p95_ms"], small["red list, whole city"]["p95_ms"]
    at_most(f"whole-city list p95 at {n} / at {small['n']} firms", city / city_small, 1.5, "×")
    return [(f"5. SQL statements per page, {small['n']} → {n} firms", "—", "—", counts),
            (f"5. whole-city list p95, {small['n']} → {n} firms", f"{city_small} ms", f"{city} ms",
             f"ratio {ratio(city, city_small)}; target ≤ 1.5×")]


def _edit_ids(url, clients=20):
    """One enterprise per client for its edits (none of the pages' own firms)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = list(conn.execute(text("SELECT id FROM enterprise ORDER BY id DESC LIMIT :n"), {"n": clients}).scalars())
    engine.dispose()
    return ids


def _load_rows(url, args, pages, rows):
    """Item 6: the gunicorn runs (``bench.load``), their rows and verdicts."""
    paths = [p["path"] for p in pages.values()] + ["/lists/orange?page=2"]
    workbook = prepare_import(max(args.n // 5, 200))
    paces = [float(p) for p in args.paces.split(",")]
    loaded = load.run(url, paths, _edit_ids(url), seconds=args.load_seconds, workbook=workbook, paces=paces,
                      step_seconds=max(args.load_seconds * 2 // 3, 3))

    def row(label, found):
        rows.append((f"6. {label}", f"{found['rps']} req/s", f"p95 {found['p95_ms']} ms",
                     f"p50 {found['p50_ms']} ms, p99 {found['p99_ms']} ms, max {found['max_ms']} ms; "
                     f"{found['requests']} requests in {found['seconds']} s, {found['errors']} errors; "
                     f"{found['edits']} edits ({found['edit_errors']} failed)"))

    row(f"warm-up: the new server's first {load.WARM_UP_SECONDS} s at 1 s pace (no target)", loaded["warm_up"])
    row("gunicorn 4 workers, 20 clients at 1 s pace, idle", loaded["idle"])
    at_most("load p95, idle", loaded["idle"]["p95_ms"], load.P95_TARGET_MS, " ms")
    at_most("load errors, idle", loaded["idle"]["errors"], 0)
    for step in loaded["steps"]:
        row(f"pace step: {step['think_s']} s between requests", step)
    rows.append(("6. highest request rate with p95 ≤ 300 ms", f"{loaded['best_rps'] or 'none'} req/s", "—",
                 "over the pace steps above, without errors"))
    row("saturated, read-only", loaded["read_only"])
    row("saturated, one edit per client every 10 s", loaded["with_edits"])
    kept = loaded["with_edits"]["rps"] / loaded["read_only"]["rps"]
    rows.append(("6. throughput with edits / read-only", f"{kept:.2f}", "—", "target ≥ 0.90"))
    at_least("throughput with edits / read-only", kept, 0.90)
    if "jobs" in loaded:
        jobs = loaded["jobs"]
        row("20 clients at 1 s pace, red export + import jobs running", jobs)
        side = jobs["side_jobs"]
        rows.append(("6. the side jobs", f"{side['export_seconds']} s", f"{side['import_seconds']} s",
                     f"export job {side['export_status']} {side['export_message']}; import exit "
                     f"{side['import_exit']}: {side['import_last_line']}"))
        at_most("load p95, export + import jobs running", jobs["p95_ms"], load.P95_TARGET_MS, " ms")
        at_most("load errors, export + import jobs running", jobs["errors"], 0)
    return loaded


def _power_rows(url, days=50):
    """Item 8: import one account per enterprise × ``days`` days, then time the city's supervision page."""
    out = subprocess.run([sys.executable, "-m", "bench.power_task", "import", url, str(days)], check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    out = subprocess.run([sys.executable, "-m", "bench.power_task", "board", url, "20"], check=True,
                         capture_output=True, text=True)
    board = json.loads(out.stdout.strip().splitlines()[-1])
    page = board["page"]
    at_most("power import", result["seconds"], 60.0, " s")
    at_most("page p95: supervision, one alert, city", page["p95_ms"], 500, " ms")
    return [("8. power import (account-days)", f"{result['seconds']:.2f} s", f"{result['peak_mb']:.0f} MB",
             f"{result['rows']} rows, csv.reader floor {result['floor_seconds']:.2f} s; target ≤ 60 s, < 1 GB"),
            ("8. page: supervision, one alert, city", f"p50 {page['p50_ms']} ms", f"p95 {page['p95_ms']} ms",
             f"{page['n']} requests after a first (cold) view of {board['cold_seconds']:.1f} s, status "
             f"{page['status']}; target p95 ≤ 500 ms")]


if __name__ == "__main__":
    main()
