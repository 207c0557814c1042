"""Two app hosts and two job workers as real processes on one PostgreSQL database and one Redis.

Each "host" is a gunicorn server on a port of its own and a job worker, both with an instance data folder of
their own, so nothing one host keeps on its disk can be served by the other. The database is a sibling of the
suite's (``<name>_twohost``, or ``TEST_TWO_HOST_DATABASE_URL``), created here and dropped afterwards; it is never
the database ``DATABASE_URL`` or ``TEST_DATABASE_URL`` names.
"""
import functools
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from tests.database import create_database, drop_database, postgres_base, sibling

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


def database_url():
    """(URL of the two-host database, why not) — the URL is None when no PostgreSQL is configured or answers."""
    base = os.environ.get("TEST_TWO_HOST_DATABASE_URL") or postgres_base()
    if base is None:
        return None, ("needs PostgreSQL: run with DATABASE_URL or TEST_DATABASE_URL naming a postgresql database "
                      "(.ci/run's PostgreSQL pass does)")
    name = make_url(base).database if os.environ.get("TEST_TWO_HOST_DATABASE_URL") else \
        f"{make_url(base).database}_twohost"
    taken = {make_url(os.environ[key]).database for key in ("DATABASE_URL", "TEST_DATABASE_URL")
             if os.environ.get(key)}
    if name in taken:
        return None, f"the two-host database {name!r} is the one DATABASE_URL or TEST_DATABASE_URL names"
    engine = create_engine(sibling(base, "postgres"), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means: skip, saying why
        return None, f"PostgreSQL at {make_url(base).host} did not answer ({exc.__class__.__name__})"
    finally:
        engine.dispose()
    return sibling(base, name), None


def fresh_database(url):
    name = make_url(url).database
    drop_database(url, name)
    create_database(url, name)


def remove_database(url):
    drop_database(url, make_url(url).database)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def host_env(url, redis_url, folder, extra=None):
    """The environment of one host's processes: the shared backends on, its own folders."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("EMERGENCY_") and key not in ("DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL")}
    env.update({
        "DATABASE_URL": url, "EMERGENCY_SECRET_KEY": "two-host-test", "EMERGENCY_REDIS_URL": redis_url,
        "EMERGENCY_STORAGE_BACKEND": "database", "EMERGENCY_FIGURES_BACKEND": "redis",
        "EMERGENCY_INSTANCE_DATA": str(folder), "EMERGENCY_JOBS_DIR": str(folder / "jobs"),
        "EMERGENCY_ATTACHMENT_DIR": str(folder / "attachments"), "EMERGENCY_IMPORT_FOLDER": str(folder / "imports"),
        "EMERGENCY_DASHBOARD_CACHE_DIR": str(folder / "dashboard"),
        "EMERGENCY_JOBS_QUEUE_FILE": str(folder / "jobs-queue.sqlite"),
        # Every export goes through a job, and each job's first run waits a moment so that its progress and a
        # kill can be seen while it runs, even on a loaded machine.
        "EMERGENCY_JOB_THRESHOLD_ROWS": "0", "EMERGENCY_JOBS_TEST_PAUSE_SECONDS": "5",
        # Figures follow each edit at once here, computed by the request that needs them; the recompute window
        # and the forked child that computes them in production are tested in test_dashboard_window (Redis too).
        "EMERGENCY_DASHBOARD_RECOMPUTE_SECONDS": "0", "EMERGENCY_FIGURES_IN_BACKGROUND": "false",
    })
    env.update(extra or {})
    return env


def flask(env, *args):
    """Run a flask command of the app and return its output; raise with it when the command fails."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def has_jobs_worker(env):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "jobs-worker", "--help"], cwd=ROOT,
                          env=env, capture_output=True, timeout=120).returncode == 0


@functools.cache
def can_rename_host():
    """Whether processes can run under a host name of their own (a UTS namespace: root, or CAP_SYS_ADMIN)."""
    try:
        return subprocess.run(["unshare", "--uts", "hostname", "probe"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def as_host(hostname, command):
    """``command`` run under ``hostname`` when the machine allows it, so a job's worker on the other "host" is
    told alive or dead by its heartbeat, as across machines, not by its pid. ``unshare`` and ``sh`` exec: the
    pid stays the program's."""
    if not hostname or not can_rename_host():
        return command
    return ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', hostname, *command]


class Process:
    """A child process whose output goes to a log file; stopped by its own pid."""

    def __init__(self, name, command, env, logs, hostname=None):
        self.name, self.log = name, logs / f"{name}.log"
        with open(self.log, "wb") as out:
            self.popen = subprocess.Popen(as_host(hostname, command), cwd=ROOT, env=env, stdout=out,
                                          stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.popen.pid

    def tail(self, lines=40):
        return f"--- {self.name} ---\n" + "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def kill(self):
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self, grace=15):
        if self.popen.poll() is None:
            self.popen.terminate()
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()


def stop_all(processes, grace=40):
    """SIGTERM to every process first, then wait for each (and SIGKILL what outlives the grace: a gunicorn master
    takes 6-10 s after its workers have gone, and its exit removes instance/server.pid)."""
    for process in processes:
        if process.popen.poll() is None:
            process.popen.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.stop(max(0.1, deadline - time.monotonic()))


def web_server(name, port, env, logs, hostname=None):
    """gunicorn with the deployment's own settings file (its start-up purge of dead jobs included), 2 x 2, and a
    control socket in the host's folder: by default every gunicorn of a machine shares ~/.gunicorn/gunicorn.ctl."""
    folder = Path(env["EMERGENCY_INSTANCE_DATA"])
    folder.mkdir(parents=True, exist_ok=True)
    env = {**env, "BIND": f"127.0.0.1:{port}", "WORKERS": "2", "THREADS": "2"}
    return Process(name, [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--control-socket",
                          str(folder / "gunicorn.ctl"), "app:create_app()"], env, logs, hostname)


def jobs_worker(name, env, logs, hostname=None):
    return Process(name, [sys.executable, "-m", "flask", "--app", "app", "jobs-worker"], env, logs, hostname)


class Client:
    """A browser on one host: cookies, CSRF tokens, no automatic redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  self._NoRedirect)

    def request(self, path, data=None, files=None):
        """(status, headers, body bytes) of a GET, or of a POST when ``data`` is given."""
        headers, body = {}, None
        if files:
            body, headers["Content-Type"] = _multipart(data, files)
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, body, headers), timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, path):
        return self.request(path)

    def page(self, path):
        status, _, body = self.get(path)
        assert status == 200, (path, status, body[:500])
        return body.decode()

    def csrf(self, path):
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', self.page(path)).group(1)

    def post(self, path, data, form_path=None, files=None):
        return self.request(path, {**data, "csrf_token": self.csrf(form_path or path)}, files)

    def login(self, username, password):
        status, headers, body = self.post("/login", {"username": username, "password": password})
        assert status == 302, (status, body[:800])

    def wait_until_up(self, process):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited ({process.popen.returncode})\n{process.tail()}")
            try:
                if self.get("/login")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{process.name} did not answer within {START_SECONDS} s\n{process.tail()}")


def _multipart(data, files):
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in data.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for key, (filename, content, kind) in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                     f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
