"""gunicorn settings for `make serve`: several workers on the loopback address."""
import os
from pathlib import Path

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WORKERS", "4"))
threads = int(os.environ.get("THREADS", "2"))
timeout = 120
accesslog = "-"

# While the server runs, `flask restore` sees it through this file and refuses (emergency/platform/restore_checks.py).
PID_FILE = Path(__file__).parent / "instance" / "server.pid"


def when_ready(server):
    PID_FILE.parent.mkdir(exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))


def on_exit(server):
    PID_FILE.unlink(missing_ok=True)


def on_starting(server):
    """Once, before the workers start: close the jobs a previous run left running, remove their partial outputs
    and orphaned uploads, and delete outputs past their keeping days (as `flask purge-jobs` does)."""
    from app import create_app
    from emergency.platform.job_lifecycle import purge
    from models import db

    app = create_app()
    with app.app_context():
        try:
            counts = purge()
            db.session.commit()
            server.log.info("Jobs at start: %s", counts)
        except Exception:  # noqa: BLE001 - a database not created yet must not stop the server
            server.log.warning("Jobs not cleaned up at start", exc_info=True)
        finally:
            db.session.remove()
            db.engine.dispose()
