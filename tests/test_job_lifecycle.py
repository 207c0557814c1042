"""Jobs outlive their process (issue 16): a killed or silent worker's job ends as 失败（已中断） with its partial
output gone, concurrent jobs are limited, old outputs are purged, and job, upload, backup and database files are
readable by the server's user (and group) only."""
import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

from emergency.importing import uploads
from emergency.platform import job_lifecycle, jobs, storage
from emergency.platform.backup import backup
from models import Job, db
from models.base import utcnow

ROOT = Path(__file__).resolve().parents[1]
# A job process that writes part of its output, says so, and waits to be killed.
SLOW_JOB = textwrap.dedent("""
    import sys, time
    from app import create_app
    from emergency.platform import jobs

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "JOBS_DIR": sys.argv[2]})

    def slow(params, progress, out):
        with open(out, "wb") as fh:
            fh.write(b"7,600 of 33,628 rows" * 100)
            fh.flush()
            print("ready", flush=True)
            time.sleep(600)

    jobs.RUNNERS["export_list"] = slow
    jobs.run(app, sys.argv[3])
""")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def refreshed(job_id):
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_a_job_whose_worker_is_killed_shows_interrupted_and_its_partial_file_is_gone(app, make_user, login):
    user = make_user("city")
    job = jobs.submit("export_list", "导出红色预警清单", {"level": "red"}, user)
    db.session.commit()
    url = db.engine.url.render_as_string(hide_password=False)
    worker = subprocess.Popen([sys.executable, "-c", SLOW_JOB, url, app.config["JOBS_DIR"], job.id], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "ready"
        partial = Path(app.config["JOBS_DIR"]) / f"{job.id}.out"
        running = refreshed(job.id)
        assert running.status == "running" and running.path == str(partial) and partial.stat().st_size == 2000
        assert running.worker.split(":")[1] == str(worker.pid)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker.stdout.close()
    page = login(user).get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "失败（已中断）" in page and "运行它的服务器进程已停止" in page and 'http-equiv="refresh"' not in page
    assert refreshed(job.id).status == "interrupted" and not partial.exists()


def test_a_job_whose_heartbeat_stops_is_interrupted_after_the_stale_time(app, make_user):
    user = make_user("city")
    job = jobs.submit("export_list", "导出", {"level": "red"}, user)
    partial = job_lifecycle.output_path(job.id)
    partial.write_bytes(b"partial")
    beat = utcnow()
    # A process on another server: only its heartbeat tells whether it still runs.
    job.status, job.worker, job.heartbeat_at, job.path = "running", "elsewhere:4242:1", beat, str(partial)
    db.session.commit()
    assert jobs.status_of(job, now=beat + timedelta(seconds=30)) == "running" and partial.exists()
    assert jobs.status_of(job, now=beat + timedelta(seconds=60)) == "interrupted"
    assert refreshed(job.id).status == "interrupted" and not partial.exists()


def test_the_stale_time_is_a_setting(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", 120)
    job = jobs.submit("export_list", "导出", {"level": "red"}, make_user("city"))
    job.status, job.worker = "running", "elsewhere:4242:1"
    db.session.commit()
    assert not job_lifecycle.is_dead(job, now=job.heartbeat_at + timedelta(seconds=100))
    assert job_lifecycle.is_dead(job, now=job.heartbeat_at + timedelta(seconds=121))


def test_an_interrupted_import_releases_its_claimed_upload(app, tmp_path, monkeypatch, make_user):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))
    user = make_user("city")
    token = uploads.save(b"data", "清单.csv", user.id)
    job = jobs.submit("import", "导入", {"token": token}, user)
    job.status, job.worker = "running", "elsewhere:4242:1"
    db.session.commit()
    assert sorted(os.path.splitext(name)[1] for name in uploads.kept()) == [".bin", ".json"]
    assert job_lifecycle.close_dead(now=job.heartbeat_at + timedelta(minutes=5)) == 1
    assert uploads.kept() == [] and refreshed(job.id).status == "interrupted"


def test_a_failure_on_a_full_disk_frees_the_partial_file_and_is_still_shown(app, make_user, login, monkeypatch):
    user = make_user("city")
    job = jobs.submit("export_list", "导出", {"level": "red"}, user)
    db.session.commit()
    seen = {}

    def fills_the_disk(params, progress, out):
        out.write_bytes(b"x" * 4096)
        seen["partial"] = out
        raise OSError(errno.ENOSPC, "No space left on device")

    real_set = jobs._set

    def full_database(job_id, **values):
        if values.get("status") == "failed":
            raise OSError(errno.ENOSPC, "database or disk is full")
        real_set(job_id, **values)

    monkeypatch.setitem(jobs.RUNNERS, "export_list", fills_the_disk)
    monkeypatch.setattr(jobs, "_set", full_database)
    jobs.run(app, job.id)
    assert not seen["partial"].exists() and refreshed(job.id).status == "running"
    monkeypatch.setattr(jobs, "_set", real_set)
    page = login(user).get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "失败（已中断）" in page and refreshed(job.id).status == "interrupted"


def test_concurrent_jobs_are_limited_per_user_and_in_total(app, make_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", -1)
    monkeypatch.setitem(app.config, "JOBS_PER_USER", 1)
    monkeypatch.setitem(app.config, "JOBS_TOTAL", 2)
    first, second, third = make_user("city"), make_user("city"), make_user("city")
    jobs.submit("export_list", "导出", {"level": "red"}, first)
    db.session.commit()
    response = login(first).get("/lists/red/export.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "您已有 1 个后台任务正在进行（每人最多 1 个）" in page
    jobs.submit("export_list", "导出", {"level": "red"}, second)
    db.session.commit()
    response = login(third).get("/lists/red/export.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "服务器当前有 2 个后台任务正在进行（上限 2 个）" in page
    assert db.session.query(Job).count() == 2


def test_purge_jobs_deletes_old_outputs_orphans_and_closes_dead_jobs(app, make_user, runner):
    folder = job_lifecycle.jobs_dir()
    old, fresh, dead = (jobs.submit("export_list", "导出", {"level": "red"}, make_user("city")) for _ in range(3))
    for job in (old, fresh):
        job.status, job.path = "done", str(folder / f"{job.id}.out")
        Path(job.path).write_bytes(b"list")
    old.updated_at = utcnow() - timedelta(days=8)
    dead.status, dead.worker, dead.heartbeat_at = "running", "elsewhere:1:1", utcnow() - timedelta(minutes=5)
    orphan = folder / "0123456789abcdef0123456789abcdef.out"
    orphan.write_bytes(b"left behind")
    db.session.commit()
    result = runner.invoke(args=["purge-jobs"])
    assert result.exit_code == 0 and "已关闭中断的任务 1 个，删除过期结果 1 个" in result.output
    assert not Path(folder / f"{old.id}.out").exists() and not orphan.exists() and Path(fresh.path).exists()
    assert refreshed(old.id).path == "" and "已超过保存期限（7 天）" in refreshed(old.id).message
    assert refreshed(dead.id).status == "interrupted"


def test_files_are_created_for_the_server_user_only(app, make_user, tmp_path, monkeypatch):
    previous = os.umask(0o022)
    try:
        monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))
        token = uploads.save(b"data", "清单.csv", 1)
        if storage.backend() == "local":
            assert {mode(p) for p in (tmp_path / "imports").iterdir()} == {0o600} and token
        else:                                  # kept in the database: nothing on this host's disk
            assert not any((tmp_path / "imports").iterdir()) and len(uploads.kept()) == 2
        user = make_user("city")
        job = jobs.submit("export_list", "导出", {"level": "red"}, user)
        db.session.commit()
        jobs.run(app, job.id)
        done = refreshed(job.id)
        assert done.status == "done"
        if storage.backend() == "local":
            assert mode(done.path) == 0o640
        else:                                  # kept in the database: the local file is gone
            assert not Path(done.path).exists() and jobs.read_output(done).startswith(b"PK")
        if db.engine.dialect.name == "sqlite":
            assert backup(tmp_path / "backup.sqlite") > 0 and mode(tmp_path / "backup.sqlite") == 0o600
            assert mode(db.engine.url.database) == 0o640
    finally:
        os.umask(previous)


def test_job_outputs_are_made_0640_even_over_an_old_file(tmp_path):
    path = tmp_path / "job.out"
    path.write_bytes(b"old")
    path.chmod(0o644)
    job_lifecycle.create_output(path)
    assert mode(path) == 0o640 and path.read_bytes() == b""
