"""Batch work's queries at the batch priority: a process that lowered its priority (``limits.lower_priority``) has the
PostgreSQL backends serving it lowered too, when the server runs on this host; the web's own backends keep theirs."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from emergency.platform.backend_priority import lower_backend
from models import db
from tests.database import postgres_base

ROOT = Path(__file__).resolve().parents[1]
on_postgres = pytest.mark.skipif(postgres_base() is None, reason="PostgreSQL backends")
# A batch process: a connection before it lowers its priority, then its priority lowered, then a query; it prints
# its niceness and the pid of the backend each query ran in, and waits to be stopped.
BATCH = """
import sys, time
from sqlalchemy import text
from app import create_app
from emergency.limits import lower_priority
from models import db
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "JOB_NICENESS": 6})
with app.app_context():
    before = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    db.session.commit()
    niceness = lower_priority()
    after = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    db.session.commit()
    print(niceness, before, after, flush=True)
    time.sleep(60)
"""


def niceness(pid):
    return os.getpriority(os.PRIO_PROCESS, pid)


@on_postgres
def test_the_backends_of_a_lowered_process_run_at_its_niceness_and_the_webs_keep_theirs(app):
    own = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    db.session.commit()
    if not lower_backend(own, niceness(own)):
        pytest.skip("the PostgreSQL server is not on this host, or its processes are another user's")
    batch = subprocess.Popen([sys.executable, "-c", BATCH, app.config["SQLALCHEMY_DATABASE_URI"]], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        lowered, before, after = (int(v) for v in batch.stdout.readline().split())
        assert lowered == min(niceness(os.getpid()) + 6, 19)
        # The pooled connection opened before the process lowered itself is lowered at its next checkout.
        assert before == after and niceness(after) == lowered
        assert niceness(own) == 0 and lowered > 0
    finally:
        batch.kill()
        batch.wait()
        batch.stdout.close()


def test_a_pid_that_is_not_a_postgresql_process_here_is_left_alone():
    # What a backend pid of another host or a container would name: some unrelated process of this host.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert niceness(sleeper.pid) == niceness(os.getpid())
        assert lower_backend(sleeper.pid, 15) is False
        assert niceness(sleeper.pid) == niceness(os.getpid())
        assert lower_backend(2**22 + 12345, 15) is False        # no such process
    finally:
        sleeper.kill()
        sleeper.wait()
