"""Jobs on the queue (issue 18): real `flask jobs-worker` processes run them, a job whose worker is killed with
SIGKILL is run again by another worker (or closed) within 60 s (a first run is held 15 s by a test-only
setting, so that the test sees it running), a dead job is retried once and then closed,
and `with-jobs-worker` (make run, make serve) stops the server and the worker together."""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from emergency.platform import job_lifecycle, job_queue, jobs
from models import Job, db
from models.base import utcnow

ROOT = Path(__file__).resolve().parents[1]
FLASK = [sys.executable, "-m", "flask", "--app", "app"]
# Creates the schema and one user in the workers' own database file, or submits a job and puts it on the queue.
SCRIPT = textwrap.dedent("""
    import sys
    from app import create_app
    from emergency.platform import jobs
    from models import User, db
    from seed.load import load_reference

    app = create_app()
    with app.app_context():
        if sys.argv[1] == "setup":
            db.create_all()
            load_reference()
            db.session.add(User(username="worker-test", role="city", password_hash="x"))
        else:
            user = db.session.query(User).filter_by(username="worker-test").one()
            job = jobs.submit("export_list", "导出红色预警清单", {"level": "red"}, user)
            db.session.commit()
            jobs.start(job.id)
            print(job.id)
        db.session.commit()
""")


@pytest.fixture(scope="module")
def worker_env(tmp_path_factory):
    """The environment of processes that use their own SQLite database and queue file, never the suite's."""
    tmp_path = tmp_path_factory.mktemp("workers")
    env = {key: value for key, value in os.environ.items()
           if key not in ("REDIS_URL", "TEST_DATABASE_URL") and not key.startswith("EMERGENCY_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'workers.sqlite'}",
               EMERGENCY_JOBS_QUEUE_FILE=str(tmp_path / "queue.sqlite"),
               EMERGENCY_JOBS_DIR=str(tmp_path / "jobs"),
               EMERGENCY_JOBS_TEST_PAUSE_SECONDS="15")
    subprocess.run([sys.executable, "-c", SCRIPT, "setup"], cwd=ROOT, env=env, check=True)
    return env


def submit(env):
    done = subprocess.run([sys.executable, "-c", SCRIPT, "submit"], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


def row(env, job_id):
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path, timeout=30) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM job WHERE id = ?", (job_id,)).fetchone())


def poll(env, job_id, until, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = row(env, job_id)
        if until(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {row(env, job_id)['status']} after {seconds} s")


def pid_of(job):
    return int(job["worker"].split(":")[1])


def test_two_workers_run_jobs_and_a_killed_workers_job_is_run_by_the_other(worker_env):
    workers = [subprocess.Popen(FLASK + ["jobs-worker"], cwd=ROOT, env=worker_env, stderr=subprocess.DEVNULL)
               for _ in range(2)]
    try:
        first = poll(worker_env, submit(worker_env), lambda job: job["status"] not in ("queued", "running"))
        assert first["status"] == "done" and first["filename"].endswith(".xlsx") and first["retries"] == 0
        assert Path(first["path"]).stat().st_size > 0 and pid_of(first) in {w.pid for w in workers}

        job_id = submit(worker_env)
        running = poll(worker_env, job_id, lambda job: job["status"] == "running")
        victim = next(w for w in workers if w.pid == pid_of(running))
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        survivor = next(w for w in workers if w is not victim)
        finished = poll(worker_env, job_id, lambda job: job["status"] not in ("queued", "running"))
        assert finished["status"] == "done" and finished["retries"] == 1, finished
        assert pid_of(finished) == survivor.pid and Path(finished["path"]).stat().st_size > 0
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()


def launch(env, server):
    launcher = subprocess.Popen(FLASK + ["with-jobs-worker", "--", sys.executable, "-c", server], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, text=True, start_new_session=True)
    line = launcher.stdout.readline()
    pids = [int(pid) for pid in re.findall(r"进程 (\d+)", line)]
    assert "已启动网页服务" in line and len(pids) == 2, line
    return launcher, pids


def gone(pid):
    return not Path(f"/proc/{pid}").exists()


def niceness(pid):
    """The niceness of process ``pid`` (field 19 of /proc/PID/stat, after the command in parentheses)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


@pytest.mark.parametrize("configured, expected", [(None, 10), ("3", 3), ("0", 0)])
def test_the_job_worker_runs_below_the_web_workers_priority(worker_env, configured, expected):
    """Jobs (large exports and imports) yield the cores to the pages: the worker lowers its priority by
    job_niceness (seed/data/server_limits.csv: 10), or by what the installation sets."""
    env = dict(worker_env) if configured is None else dict(worker_env, EMERGENCY_JOB_NICENESS=configured)
    worker = subprocess.Popen(FLASK + ["jobs-worker"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    lowered = min(niceness(os.getpid()) + expected, 19)         # the kernel's ceiling
    try:
        banner = worker.stderr.readline()
        assert "后台任务进程已启动" in banner and f"调度优先级 nice {lowered}" in banner
        assert niceness(worker.pid) == lowered
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        worker.stderr.close()


def test_a_command_line_import_runs_at_the_job_workers_priority(app, monkeypatch, tmp_path):
    """`flask import-list` is batch work too: it lowers its priority as the job worker does, before it reads."""
    from emergency.cli import imports

    calls = []
    monkeypatch.setattr(imports, "lower_priority", lambda: calls.append("lowered"))
    sheet = tmp_path / "空表.csv"
    sheet.write_text("统一社会信用代码,企业名称\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(imports.import_list_command, [str(sheet), "--dry-run"])
    assert calls == ["lowered"] and "空表.csv" in result.output


def test_ctrl_c_stops_the_server_and_the_worker_of_make_run(worker_env):
    launcher, pids = launch(worker_env, "import time; time.sleep(600)")
    try:
        assert not any(gone(pid) for pid in pids)
        os.killpg(launcher.pid, signal.SIGINT)          # what Ctrl-C in a terminal does
        launcher.wait(60)
    finally:
        launcher.stdout.close()
    assert all(gone(pid) for pid in pids)


def test_a_server_that_exits_stops_the_worker_and_gives_its_exit_code(worker_env):
    launcher, pids = launch(worker_env, "import time, sys; time.sleep(2); sys.exit(3)")
    try:
        assert launcher.wait(60) == 3
    finally:
        launcher.stdout.close()
    assert all(gone(pid) for pid in pids)


@pytest.fixture
def queued(monkeypatch):
    """Jobs put on the queue, recorded instead of run."""
    ids = []
    monkeypatch.setattr(job_queue, "enqueue", lambda job_id, app=None: ids.append(job_id))
    return ids


def dead_job(user, retries=0):
    job = jobs.submit("export_list", "导出", {"level": "red"}, user)
    job.status, job.worker, job.retries = "running", "elsewhere:4242:1", retries
    job.heartbeat_at = utcnow() - job_lifecycle.timedelta(minutes=5)
    db.session.commit()
    return job


def test_a_dead_job_is_queued_again_once_then_closed(app, make_user, login, monkeypatch, queued):
    monkeypatch.setitem(app.config, "JOB_RETRIES", 1)
    user = make_user("city")
    job = dead_job(user)
    page = login(user).get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "排队中" in page and 'http-equiv="refresh"' in page and queued == [job.id]
    db.session.expire_all()
    again = db.session.get(Job, job.id)
    assert again.status == "queued" and again.retries == 1 and again.worker == ""

    again.status, again.worker = "running", "elsewhere:4343:1"
    again.heartbeat_at = utcnow() - job_lifecycle.timedelta(minutes=5)
    db.session.commit()
    assert job_lifecycle.close_dead() == 1
    page = login(user).get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "失败（已中断）" in page and queued == [job.id]


def test_a_dead_job_is_queued_again_by_one_process_only(app, make_user, monkeypatch, queued):
    monkeypatch.setitem(app.config, "JOB_RETRIES", 1)
    job = dead_job(make_user("city"))
    stale = Job(id=job.id, status="running", worker=job.worker, retries=0)   # another reaper's earlier read
    assert job_lifecycle.requeue(job) is True
    assert job_lifecycle.requeue(stale) is False
    db.session.expire_all()
    assert queued == [job.id] and db.session.get(Job, job.id).retries == 1


def test_a_queued_job_waits_however_old_and_whoever_submitted_it(app, make_user, queued):
    job = jobs.submit("export_list", "导出", {"level": "red"}, make_user("city"))
    job.worker, job.heartbeat_at = "elsewhere:4242:1", utcnow() - job_lifecycle.timedelta(hours=2)
    db.session.commit()
    assert job_lifecycle.close_dead() == 0 and db.session.get(Job, job.id).status == "queued"
    running = dead_job(make_user("city"))
    assert job_lifecycle.close_dead() == 1 and db.session.get(Job, running.id).status == "interrupted"


def test_a_second_delivery_of_a_job_does_not_run_it_again(app, make_user, monkeypatch):
    job = jobs.submit("export_list", "导出", {"level": "red"}, make_user("city"))
    db.session.commit()
    jobs.run(app, job.id)
    db.session.expire_all()
    first = db.session.get(Job, job.id)
    assert first.status == "done"
    monkeypatch.setitem(jobs.RUNNERS, "export_list", lambda *args: pytest.fail("ran twice"))
    jobs.run(app, job.id)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "done"


def test_a_queue_that_cannot_be_reached_fails_the_job_with_a_message(app, make_user, login, monkeypatch):
    monkeypatch.delitem(app.config, "JOBS_SYNC")
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", -1)

    def unreachable(job_id, app=None):
        raise ConnectionError("redis down")

    monkeypatch.setattr(job_queue, "enqueue", unreachable)
    user = make_user("city")
    response = login(user).get("/lists/red/export.xlsx")
    assert response.status_code == 302
    page = login(user).get(response.headers["Location"]).get_data(as_text=True)
    assert "任务未能进入后台队列" in page and "失败" in page
    assert db.session.query(Job).one().status == "failed"


def test_the_queue_is_a_sqlite_file_unless_redis_is_configured(app, tmp_path, monkeypatch):
    from huey import RedisHuey, SqliteHuey

    from app import create_app

    monkeypatch.delenv("REDIS_URL", raising=False)
    local = create_app({"TESTING": True, "JOBS_QUEUE_FILE": str(tmp_path / "q.sqlite"),
                        "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert isinstance(job_queue.queue(local)[0], SqliteHuey)
    assert job_queue.describe(local) == f"SQLite {tmp_path / 'q.sqlite'}"
    shared = create_app({"TESTING": True, "REDIS_URL": "redis://127.0.0.1:6379/2", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert isinstance(job_queue.queue(shared)[0], RedisHuey)
    assert job_queue.describe(shared) == "Redis 127.0.0.1:6379/2"
