"""Under gunicorn, as deployed (issue 16) with a job worker beside it (issue 18): eight uploads in a row of each
hostile workbook leave every worker process alive with the same PID, and an export job running meanwhile
completes."""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from emergency.platform import jobs
from models import Job, db
from models.base import utcnow
from seed.demo import load_demo
from tests.conftest import PASSWORD
from tests.hostile_books import far_cell, far_cell_within_rows, whole_sheet_merge

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
LIMIT = "超过处理上限（200000 行 × 200 列）"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid):
    """PIDs of the processes whose parent is ``pid`` (gunicorn's workers, for its master)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[1] == str(pid) and fields[0] not in ("Z", "X"):
                found.add(int(entry.name))
    return found


class Client:
    """A logged-in browser of a kind: one connection, the session cookie, the form's CSRF token."""

    def __init__(self, port, username):
        self.port, self.cookie = port, ""
        page = self.request("GET", "/login")[2]
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": CSRF.search(page).group(1).decode()})
        status = self.request("POST", "/login", body, "application/x-www-form-urlencoded")[0]
        assert status == 302
        self.csrf = CSRF.search(self.request("GET", "/import")[2]).group(1).decode()

    def request(self, method, path, body=None, content_type=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("Location"), data

    def upload(self, data, filename):
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{self.csrf}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", "/import", body, f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def left_over(tmp_path, make_user):
    """A job a previous server left "running" (its heartbeat 5 minutes old), with its partial output."""
    job = jobs.submit("export_list", "导出", {"level": "red"}, make_user("city"))
    partial = tmp_path / "jobs" / f"{job.id}.out"
    partial.parent.mkdir()
    partial.write_bytes(b"partial")
    job.status, job.worker, job.path = "running", "elsewhere:4242:1", str(partial)
    job.heartbeat_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    return job.id, partial


@pytest.fixture
def server(app, tmp_path, make_user, left_over):
    load_demo(n=300, lines=5)
    make_user("city", username="gunicorn-city")
    db.session.commit()
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db.engine.url.render_as_string(hide_password=False),
               BIND=f"127.0.0.1:{port}", WORKERS="2", THREADS="2", EMERGENCY_SECRET_KEY="gunicorn-test",
               EMERGENCY_JOBS_DIR=str(tmp_path / "jobs"), EMERGENCY_IMPORT_FOLDER=str(tmp_path / "imports"),
               EMERGENCY_JOB_THRESHOLD_ROWS="1", EMERGENCY_JOBS_QUEUE_FILE=str(tmp_path / "queue.sqlite"))
    env.pop("TEST_DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    master = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs-worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(children(master.pid)) < 2 or not _answers(port):
            assert master.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield master, port
    finally:
        for process in (master, worker):
            process.send_signal(signal.SIGTERM)
        master.wait(timeout=60)
        worker.wait(timeout=60)


def _answers(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/login")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def test_the_server_queues_again_the_jobs_a_previous_run_left_at_start(server, left_over):
    job_id, partial = left_over
    deadline = time.monotonic() + 60
    while True:                        # the job worker runs it again, from the start
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.status not in ("queued", "running") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job.status == "done" and job.retries == 1
    assert jobs.read_output(job).startswith(b"PK")     # a whole workbook, not the partial output


def test_hostile_uploads_leave_every_worker_alive_and_an_export_completes(server):
    master, port = server
    workers = children(master.pid)
    client = Client(port, "gunicorn-city")
    status, location, _ = client.request("GET", "/lists/red/export.xlsx")
    assert status == 302 and "/jobs/" in location
    job_path = urllib.parse.urlparse(location).path
    answered, done = [], threading.Event()

    def other_requests():        # another visitor's page, meanwhile
        while not done.is_set():
            answered.append(_answers(port))

    other = threading.Thread(target=other_requests)
    other.start()
    try:
        for book, message in ((far_cell(), LIMIT), (whole_sheet_merge(), LIMIT),
                              (far_cell_within_rows(), "文件超出处理上限或已损坏")):
            for _ in range(8):
                status, _, page = client.upload(book, "清单.xlsx")
                assert status == 400 and message in page.decode()
    finally:
        done.set()
        other.join()
    assert len(answered) >= 3 and set(answered) == {True}
    assert children(master.pid) == workers and master.poll() is None
    deadline = time.monotonic() + 120
    while "已完成" not in (page := client.request("GET", job_path)[2].decode()):
        assert ("进行中" in page or "排队中" in page) and time.monotonic() < deadline, page
        time.sleep(0.5)
    status, _, data = client.request("GET", job_path + "/download")
    assert status == 200 and data.startswith(b"PK") and len(data) > 10000
    assert children(master.pid) == workers
