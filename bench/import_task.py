"""Item 4 of `make bench`: import a registry workbook into a fresh, empty database, in a process of its own.

`python -m bench.import_task WORKBOOK N` prints the import against its floor with the targets beside it, the
verdict line ``VERDICT import: <ratio> (target ≤ 3×), <MB> (target < 500 MB) met|missed``, and, last, one JSON
line: seconds (read + check + commit, through the function the import-list command uses), cpu_seconds (this
process's CPU time for the same span; the reading child's own CPU is not in it), peak_mb (VmHWM: peak RSS of the
process), floor_seconds (the floor: pandas.read_excel with calamine of the same file, time only), ratio,
sandbox_ratio (reading the file's rows through the sandboxed child process over reading them in this process)
and a summary of what was created.
"""
import json
import os
import resource
import sys
import time
from pathlib import Path

from . import generate

OUT = Path(__file__).parent / "out"
PREFIX = "importbench_"
TARGET_RATIO = 3.0          # the import's time over the calamine floor's
TARGET_PEAK_MB = 500        # at 100,000 lines


def _peak_mb():
    from .tasks import peak_mb

    return peak_mb()


def fresh_database_url(n):
    """A new empty database for the import, named apart from the generated one it reads from."""
    return generate.fresh_database_url(n, prefix=PREFIX)


def import_workbook(url, path):
    """Migrate and seed the empty database, then time the import of ``path``; return (seconds, cpu seconds,
    report)."""
    from flask_migrate import upgrade

    from app import create_app
    from emergency.audit.trail import acting_as
    from emergency.importing.pipeline import commit_file
    from models import db
    from seed.load import load_reference

    size = os.path.getsize(path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "IMPORT_MAX_BYTES": max(size, 20 * 1024 * 1024)})
    with app.app_context():
        upgrade()
        load_reference()
        db.session.commit()
        started, cpu = time.perf_counter(), _cpu_all()
        with open(path, "rb") as fh:
            data = fh.read()
        with acting_as("cli:bench", f"import:{path.name}"):
            report = commit_file(data, path.name, username="cli:bench", source="cli")
            if not report.committed:
                raise SystemExit("\n".join(report.lines()[:20]))
            db.session.commit()
        seconds, cpu = time.perf_counter() - started, _cpu_all() - cpu
        db.session.remove()
        db.engine.dispose()
    return seconds, cpu, report


def _cpu(who=resource.RUSAGE_SELF):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _cpu_all():
    """CPU seconds of this process and its finished children (the sandboxed reader is one)."""
    return _cpu() + _cpu(resource.RUSAGE_CHILDREN)


def calamine_floor(path):
    import pandas

    started, cpu = time.perf_counter(), _cpu()
    pandas.read_excel(path, engine="calamine")
    return time.perf_counter() - started, _cpu() - cpu


def sandbox_ratio(path):
    """Seconds to read every row through the reading child process, over seconds to read them in-process."""
    from emergency.limits import defaults
    from emergency.spreadsheets.reader import XLSX, read_here, read_sheets

    data = path.read_bytes()
    limits = {key: value for key, value in defaults().items() if key.startswith("reader_")}
    started = time.perf_counter()
    sum(1 for sheet in read_here(data, XLSX, limits) for _ in sheet.rows)
    here = time.perf_counter() - started
    started = time.perf_counter()
    with read_sheets(data, XLSX, limits) as sheets:
        sum(1 for sheet in sheets for _ in sheet.rows)
    return (time.perf_counter() - started) / here


def main(argv):
    path, n = Path(argv[0]), int(argv[1])
    url = fresh_database_url(n)
    try:
        seconds, cpu, report = import_workbook(url, path)
        peak = _peak_mb()
    finally:
        generate.drop_database(url)
    floor, floor_cpu = calamine_floor(path)
    sandbox = sandbox_ratio(path)
    created = dict((label, c) for label, c, _, _ in report.table())
    summary = f"created {created['企业']} enterprises / {created['生产线']} lines ({path.stat().st_size / 1e6:.1f} MB)"
    # The ratio is of CPU seconds: on a shared machine wall time measures the neighbours (both are printed).
    ratio, wall_ratio = cpu / floor_cpu, seconds / floor
    print(f"import of the registry workbook: {seconds:.2f} s, CPU {cpu:.2f} s (with the reading child), "
          f"peak {peak:.0f} MB; {summary}")
    print(f"calamine floor {floor:.2f} s, CPU {floor_cpu:.2f} s → ratio {ratio:.2f}× CPU, {wall_ratio:.2f}× wall "
          f"(target ≤ {TARGET_RATIO:g}×); peak {peak:.0f} MB (target < {TARGET_PEAK_MB} MB at 100,000 lines; "
          f"{report.rows} rows here)")
    print(verdict(ratio, peak))
    print(json.dumps({"task": "import", "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                      "peak_mb": round(peak, 1), "floor_seconds": round(floor, 3),
                      "floor_cpu_seconds": round(floor_cpu, 3), "ratio": round(ratio, 2),
                      "wall_ratio": round(wall_ratio, 2),
                      "sandbox_ratio": round(sandbox, 2),
                      "rows": report.rows, "measures": created["减排措施"],
                      "summary": summary,
                      "database": url.split(":", 1)[0]}, ensure_ascii=False))


def verdict(ratio, peak):
    met = ratio <= TARGET_RATIO and peak < TARGET_PEAK_MB
    return (f"VERDICT import: {ratio:.2f}× (target ≤ {TARGET_RATIO:g}×), {peak:.0f} MB (target < {TARGET_PEAK_MB} MB) "
            f"{'met' if met else 'missed'}")


if __name__ == "__main__":
    main(sys.argv[1:])
