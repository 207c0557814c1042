"""Item 4 of `make bench`: import a registry workbook into a fresh, empty database, in a process of its own.

`python -m bench.import_task WORKBOOK N` prints one JSON line: seconds (read + check + commit, through the
function the import-list command uses), peak_mb (peak RSS of the process), floor_seconds (the floor:
pandas.read_excel with calamine of the same file, time only), sandbox_ratio (reading the file's rows through the
sandboxed child process over reading them in this process) and a summary of what was created.
"""
import json
import os
import sys
import time
from pathlib import Path

from . import generate

OUT = Path(__file__).parent / "out"
PREFIX = "importbench_"


def _peak_mb():
    from .tasks import peak_mb

    return peak_mb()


def fresh_database_url(n):
    """A new empty database for the import, named apart from the generated one it reads from."""
    return generate.fresh_database_url(n, prefix=PREFIX)


def import_workbook(url, path):
    """Migrate and seed the empty database, then time the import of ``path``; return (seconds, report)."""
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
        started = time.perf_counter()
        with open(path, "rb") as fh:
            data = fh.read()
        with acting_as("cli:bench", f"import:{path.name}"):
            report = commit_file(data, path.name, username="cli:bench", source="cli")
            if not report.committed:
                raise SystemExit("\n".join(report.lines()[:20]))
            db.session.commit()
        seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return seconds, report


def calamine_floor(path):
    import pandas

    started = time.perf_counter()
    pandas.read_excel(path, engine="calamine")
    return time.perf_counter() - started


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
        seconds, report = import_workbook(url, path)
        peak = _peak_mb()
    finally:
        generate.drop_database(url)
    floor = calamine_floor(path)
    sandbox = sandbox_ratio(path)
    created = dict((label, c) for label, c, _, _ in report.table())
    summary = f"created {created['企业']} enterprises / {created['生产线']} lines ({path.stat().st_size / 1e6:.1f} MB)"
    print(json.dumps({"task": "import", "seconds": round(seconds, 3), "peak_mb": round(peak, 1),
                      "floor_seconds": round(floor, 3), "sandbox_ratio": round(sandbox, 2),
                      "rows": report.rows, "measures": created["减排措施"],
                      "summary": summary,
                      "database": url.split(":", 1)[0]}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
