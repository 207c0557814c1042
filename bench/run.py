"""`make bench [N=20000]`: generate the registry, run each measurement in its own process, print one table."""
import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import date

from . import load
from .export_tasks import export_rows
from .generate import OUT, drop_database, fresh_database_url, generate


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
    print(f"# make bench — {date.today()} — {platform.node()} ({os.cpu_count()} cores) — {database}")
    print(f"generated {enterprises} enterprises / {lines} lines in {seconds:.1f} s\n")

    rows = []
    build = task("list_build", url)
    rows.append(("1. red list build + accounting (whole province)", f"{build['seconds']:.2f} s",
                 f"{build['peak_mb']:.0f} MB", f"{build['rows']} rows; target ≤ 5 s"))
    export = task("export_list", url)
    floor = task("xlsxwriter_floor", url)
    rows.append(("2. red workbook export (all sheets)", f"{export['seconds']:.2f} s", f"{export['peak_mb']:.0f} MB",
                 f"floor {floor['seconds']:.2f} s → ratio {ratio(export['seconds'], floor['seconds'])}; "
                 "target ≤ 1.3×, < 600 MB"))
    zipped = task("export_counties", url)
    rows.append(("3. per-county ZIP export", f"{zipped['seconds']:.2f} s", f"{zipped['peak_mb']:.0f} MB",
                 f"{zipped['files']} workbooks"))
    registry = task("export_registry", url)
    rows.append(("   registry export (input of item 4)", f"{registry['seconds']:.2f} s",
                 f"{registry['peak_mb']:.0f} MB", f"{registry['rows']} rows"))
    # Exports against their floors, alternating in one process, with verdict lines (bench/export_tasks.py).
    ratios = task("export_ratios", url, "2")
    export_table, export_verdicts = export_rows(ratios, database, export)
    rows.extend(export_table)
    rows.extend(_import_rows(args.n))

    pages = task("pages", url, "60")["pages"]
    for name, page in pages.items():
        rows.append((f"5. page: {name}", f"p50 {page['p50_ms']} ms", f"p95 {page['p95_ms']} ms",
                     f"{page['n']} requests, status {page['status']}"))
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
    rows.append(("9. target solver, every target 10% harder", f"{solved['stress_solve_seconds']:.2f} s", "—",
                 f"{solved['stress_shortfalls']} county×pollutant gaps, {solved['stress_changes']} changes, "
                 f"{solved['stress_unreachable']} unreachable, {solved['stress_status']}, gap {solved['stress_gap']}"))
    loaded = load.run(url, [p["path"] for p in pages.values()], seconds=args.load_seconds)
    rows.append(("6. gunicorn 4 workers, 20 clients", f"{loaded['rps']} req/s", f"p95 {loaded['p95_ms']} ms",
                 f"{loaded['requests']} requests in {loaded['seconds']} s, {loaded['errors']} errors"))

    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}} | {'time':>14} | {'memory / p95':>14} | notes")
    print("-" * (width + 60))
    for name, time_, memory, notes in rows:
        print(f"{name:<{width}} | {time_:>14} | {memory:>14} | {notes}")
    print()
    for line in export_verdicts:
        print(line)
    (OUT / "results.json").write_text(json.dumps({"n": args.n, "database": database, "build": build,
                                                   "export": export, "floor": floor, "zip": zipped, "api": api,
                                                   "pages": pages, "load": loaded,
                                                   "solve": solved, "export_ratios": ratios},
                                                  ensure_ascii=False, indent=1))


def _import_rows(n):
    """Item 4 (import of the registry workbook) runs once the import module exists."""
    try:
        out = subprocess.run([sys.executable, "-m", "bench.import_task", str(OUT / "registry.xlsx"), str(n)],
                             check=True, capture_output=True, text=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        return [("4. import of the registry workbook", "—", "—", f"not run: {getattr(exc, 'stderr', exc)!s:.80}")]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return [("4. import of the registry workbook", f"{result['seconds']:.2f} s", f"{result['peak_mb']:.0f} MB",
             f"calamine floor {result['floor_seconds']:.2f} s"
             f" → ratio {ratio(result['seconds'], result['floor_seconds'])}"
             f"; reading in the sandbox {result['sandbox_ratio']:.2f}× in-process"
             f"; {result['summary']}; target ≤ 90 s, < 1.5 GB")]


def _power_rows(url, days=50):
    """Item 8: import one account per enterprise × ``days`` days, then time the city's supervision page."""
    out = subprocess.run([sys.executable, "-m", "bench.power_task", "import", url, str(days)], check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    out = subprocess.run([sys.executable, "-m", "bench.power_task", "board", url, "20"], check=True,
                         capture_output=True, text=True)
    board = json.loads(out.stdout.strip().splitlines()[-1])
    page = board["page"]
    return [("8. power import (account-days)", f"{result['seconds']:.2f} s", f"{result['peak_mb']:.0f} MB",
             f"{result['rows']} rows, csv.reader floor {result['floor_seconds']:.2f} s; target ≤ 60 s, < 1 GB"),
            ("8. page: supervision, one alert, city", f"p50 {page['p50_ms']} ms", f"p95 {page['p95_ms']} ms",
             f"{page['n']} requests after a first (cold) view of {board['cold_seconds']:.1f} s, status "
             f"{page['status']}; target p95 ≤ 500 ms")]


if __name__ == "__main__":
    main()
