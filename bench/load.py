"""The gunicorn load runs of `make bench`: 4 workers on 127.0.0.1 and 20 clients at a person's pace.

Each client waits ``think`` seconds between requests (1 s: a person reading), walks a mix of registry, list,
enterprise and dashboard pages, and every ``edit_every`` seconds (10 s) edits its own enterprise through the real
form (GET the form, POST it with one field changed, CSRF on). Runs, all on one server:
- warm-up: the server's first 10 s at a person's pace (reported, no target);
- idle: at a person's pace;
- pace steps: the same with shorter waits, to find the highest request rate at which p95 stays ≤ 300 ms;
- read-only against with edits, both without waits (the server saturated): what edits cost in throughput;
- jobs: at a person's pace while a whole-city red export job and an import of other firms run.
Latencies are measured by the clients, from sending the request to the end of the body.
"""
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager

from .generate import OUT
from .side_jobs import SideJobs
from .webform import filled

PORT = int(os.environ.get("BENCH_PORT", "5099"))
PASSWORD = "Demo-2020!"
THINK_SECONDS = 1.0
EDIT_EVERY_SECONDS = 10.0
PACES = (1.0, 0.5, 0.25, 0.1, 0.0)      # seconds each client waits between requests, one run each
P95_TARGET_MS = 300
MAX_JOB_RUN_SECONDS = 600
WARM_UP_SECONDS = 10


def _request(conn, method, path, body=None, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.getheader("Set-Cookie"), response.getheader("Location"), response.read()


def _connection():
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)


def login(username="city"):
    """Log in through the real form (CSRF on) and return the session cookie."""
    conn = _connection()
    _, cookie, _, page = _request(conn, "GET", "/login")
    cookie = cookie.split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
    status, new_cookie, _, _ = _request(conn, "POST", "/login", body, cookie)
    conn.close()
    if status != 302:
        raise RuntimeError(f"login failed with {status}")
    return new_cookie.split(";", 1)[0]


class Tally:
    """What the clients of one run saw."""

    def __init__(self):
        self.lock, self.latencies, self.errors, self.edits, self.edit_errors = threading.Lock(), [], 0, 0, 0
        self.failures = {}

    def add(self, seconds, ok, what):
        with self.lock:
            self.latencies.append(seconds)
            if not ok:
                self.errors += 1
                self.failures[what] = self.failures.get(what, 0) + 1

    def summary(self, elapsed):
        ordered = sorted(self.latencies) or [0.0]

        def pct(q):
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

        return {"requests": len(self.latencies), "seconds": round(elapsed, 1),
                "rps": round(len(self.latencies) / elapsed, 1), "errors": self.errors,
                "p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
                "max_ms": round(ordered[-1] * 1000, 1), "edits": self.edits, "edit_errors": self.edit_errors,
                "failures": self.failures}


def _timed(conn, tally, method, path, cookie, body=None, expect=200):
    started = time.perf_counter()
    try:
        status, _, _, page = _request(conn, method, path, body, cookie)
    except (OSError, http.client.HTTPException) as exc:
        tally.add(time.perf_counter() - started, False, f"{method} {path}: {type(exc).__name__}")
        conn.close()            # a timed-out request leaves the connection mid-request: start the next afresh
        return None, None
    tally.add(time.perf_counter() - started, status == expect, f"{method} {path}: {status}")
    if status != expect and os.environ.get("BENCH_DEBUG"):
        print(status, method, path, page[:300], file=sys.stderr)
    return status, page


def _edit(conn, tally, cookie, enterprise_id, number):
    """Change the firm's 联系电话 through its edit form: a committed edit, so a new registry generation."""
    path = f"/enterprises/{enterprise_id}/edit"
    status, page = _timed(conn, tally, "GET", path, cookie)
    ok = False
    if status == 200:
        body = filled(page, contact_phone=f"0356-{number:07d}")
        ok = _timed(conn, tally, "POST", path, cookie, body, expect=302)[0] == 302
    with tally.lock:
        tally.edits += 1
        tally.edit_errors += not ok


def _client(index, paths, cookie, edit_id, think, edit_every, running, tally):
    conn, rng = _connection(), random.Random(index)
    position = index % len(paths)
    next_edit = time.monotonic() + (rng.uniform(0, edit_every) if edit_every else float("inf"))
    edits = 0
    while running():
        if time.monotonic() >= next_edit:
            edits += 1
            _edit(conn, tally, cookie, edit_id, index * 100000 + edits)
            next_edit += edit_every
        else:
            _timed(conn, tally, "GET", paths[position], cookie)
            position = (position + 1) % len(paths)
        if think:
            time.sleep(think)
    conn.close()


def measure(paths, cookie, edit_ids, seconds, think=THINK_SECONDS, edit_every=EDIT_EVERY_SECONDS, until=None):
    """One run of ``len(edit_ids)`` clients for ``seconds`` (and, given ``until``, until it returns True)."""
    tally, started = Tally(), time.monotonic()
    deadline = started + seconds

    def running():
        now = time.monotonic()
        if until is None:
            return now < deadline
        return now < started + MAX_JOB_RUN_SECONDS and (now < deadline or not until())

    threads = [threading.Thread(target=_client, args=(i, paths, cookie, edit_id, think, edit_every, running, tally))
               for i, edit_id in enumerate(edit_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally.summary(time.monotonic() - started)


def wait_until_up(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/login")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


@contextmanager
def server(url, workers=4):
    # As `make serve` runs it: the web server and one job worker beside it (the export job runs there), on a
    # queue file of the bench's own.
    env = dict(os.environ, DATABASE_URL=url, BIND=f"127.0.0.1:{PORT}", WORKERS=str(workers), THREADS="1",
               EMERGENCY_SECRET_KEY="bench-secret", EMERGENCY_JOBS_QUEUE_FILE=str(OUT / "jobs-queue.sqlite"))
    quiet = dict(stdout=subprocess.DEVNULL, stderr=None if os.environ.get("BENCH_DEBUG") else subprocess.DEVNULL)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile",
                                "/dev/null", "app:create_app()"], env=env, **quiet)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs-worker"], env=env, **quiet)
    try:
        wait_until_up()
        yield
    finally:
        for child in (process, worker):
            child.send_signal(signal.SIGTERM)
        for child in (process, worker):
            child.wait(timeout=60)


def _request_export(cookie):
    """Ask for the whole city's red workbook as a user would: the app answers with its job's progress page (or,
    for a registry too small to need a job, with the workbook: None)."""
    conn = _connection()
    status, _, location, _ = _request(conn, "GET", "/lists/red/export.xlsx", cookie=cookie)
    conn.close()
    if status == 200:
        return None
    if status != 302 or "/jobs/" not in (location or ""):
        raise RuntimeError(f"the red export did not start a job: {status} {location}")
    return location.rstrip("/").rsplit("/", 1)[1]


def run(url, paths, edit_ids, seconds=30, step_seconds=20, workbook=None, paces=PACES):
    """Every load run on one server; returns {run name: summary} plus the pace steps and the side jobs."""
    paths = [urllib.parse.quote(p, safe="/?=&:") for p in paths]
    found = {}
    with server(url):
        cookie = login()
        # A new server's first seconds (each worker compiling its templates, reading its first figures and ids)
        # are a run of their own, reported but not held to the target: the idle run meets the server warmed.
        found["warm_up"] = measure(paths, cookie, edit_ids, WARM_UP_SECONDS)
        found["idle"] = measure(paths, cookie, edit_ids, seconds)
        found["steps"] = [dict(measure(paths, cookie, edit_ids, step_seconds, think=think), think_s=think)
                          for think in paces]
        found["read_only"] = measure(paths, cookie, edit_ids, seconds, think=0, edit_every=None)
        found["with_edits"] = measure(paths, cookie, edit_ids, seconds, think=0)
        if workbook is not None:
            jobs = SideJobs(url, lambda: _request_export(cookie), workbook)
            try:
                found["jobs"] = measure(paths, cookie, edit_ids, seconds, until=jobs.done)
            finally:
                jobs.stop()
            found["jobs"]["side_jobs"] = jobs.result()
    within = [s for s in found["steps"] if s["p95_ms"] <= P95_TARGET_MS and not s["errors"]]
    found["best_rps"] = max((s["rps"] for s in within), default=None)
    return found
