"""The jobs the second load run competes with: a whole-city red export through the app's job route, and an import
of a registry workbook of other firms through `flask import-list` in a process of its own, both on the bench
database."""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

OUT = Path(__file__).parent / "out"
IMPORT_SEED = 2020          # as the generated registry: importable as it is; at another size, other firms


def prepare_import(n):
    """Write ``bench/out/import_other.xlsx``: the registry workbook of ``n`` other synthetic firms (a SQLite
    database of its own, removed afterwards). Returns its path."""
    code = ("import sys; from bench.side_jobs import _write_import_workbook; "
            "_write_import_workbook(int(sys.argv[1]))")
    subprocess.run([sys.executable, "-c", code, str(n)], check=True, capture_output=True, text=True,
                   env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
    return OUT / "import_other.xlsx"


def _write_import_workbook(n):
    from flask_migrate import upgrade

    from app import create_app
    from bench.generate import _remove_sqlite
    from emergency.lists.exports import export_registry
    from emergency.lists.quality import run_checks
    from models import Enterprise, db
    from seed.demo import load_demo
    from seed.load import load_reference

    path = OUT / "import_other.sqlite"
    _remove_sqlite(path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        load_reference()
        load_demo(n=n, seed=IMPORT_SEED)
        db.session.commit()
        # The demo plants a 民生 firm in district heating on purpose; an import refuses that classification.
        refused = {f.enterprise_id for f in run_checks().findings if f.check == "classification"}
        for enterprise in db.session.query(Enterprise).filter(Enterprise.id.in_(refused)):
            db.session.delete(enterprise)
        db.session.commit()
        with open(OUT / "import_other.xlsx", "wb") as fh:
            export_registry(fh)
        db.session.remove()
        db.engine.dispose()
    _remove_sqlite(path)


class SideJobs:
    """Start both jobs; ``done()`` says whether both have ended; ``result()`` what each did and how long it took."""

    def __init__(self, url, request_export, workbook):
        self.url, self.started = url, time.monotonic()
        self.export_id = request_export()
        self.export_seconds = None
        env = dict(os.environ, DATABASE_URL=url, EMERGENCY_IMPORT_MAX_BYTES=str(1 << 30),
                   EMERGENCY_SECRET_KEY="bench-secret")
        # Its report goes to a file: a long one would fill a pipe nobody reads until the end, and block it.
        self.log = OUT / "import_other.log"
        with open(self.log, "w") as log:
            self.importer = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "import-list",
                                              str(workbook)], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.import_seconds, self.import_output = None, ""
        self.engine = create_engine(url)
        self._checked, self._lock = 0.0, threading.Lock()

    def export_status(self):
        if self.export_id is None:
            return "served without a job", ""
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT status, message FROM job WHERE id = :id"), {"id": self.export_id}).first()
        return row if row else ("missing", "")

    def done(self):
        """Whether both jobs have ended (looked up at most once a second, whichever client asks)."""
        with self._lock:
            if time.monotonic() - self._checked >= 1.0:
                self._checked = time.monotonic()
                self._update()
            return self.export_seconds is not None and self.import_seconds is not None

    def _update(self):
        now = time.monotonic() - self.started
        if self.export_seconds is None and self.export_status()[0] not in ("queued", "running"):
            self.export_seconds = now
        if self.import_seconds is None and self.importer.poll() is not None:
            self.import_seconds = now
            self.import_output = self.log.read_text(encoding="utf-8", errors="replace")

    def result(self):
        status, message = self.export_status()
        lines = [line for line in self.import_output.splitlines() if line.strip()]
        self.engine.dispose()
        return {"export_status": status, "export_message": message[:200],
                "export_seconds": round(self.export_seconds, 1) if self.export_seconds else None,
                "import_exit": self.importer.returncode,
                "import_seconds": round(self.import_seconds, 1) if self.import_seconds else None,
                "import_last_line": lines[-1][:200] if lines else ""}

    def stop(self):
        if self.importer.poll() is None:
            self.importer.terminate()
            self.importer.wait(timeout=30)


if __name__ == "__main__":
    print(json.dumps(str(prepare_import(int(sys.argv[1])))))
