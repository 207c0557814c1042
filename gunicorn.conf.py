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
