"""Jobs that outlive the process that ran them: heartbeats, retrying or closing dead jobs, room for new ones,
and clean-up.

A running job's process writes ``heartbeat_at`` every ``job_heartbeat_seconds`` from a thread of its own, and
the job row names that process (``worker`` = "<host>:<pid>:<start time>"). A running job is dead when its
process is gone from this host, or when its heartbeat is older than ``job_stale_seconds`` and its process is
not known to be alive here. A queued job is never dead: the queue (``job_queue``) holds it whatever became of
the process that submitted it. A dead job goes back on the queue while it has been retried fewer than
``job_retries`` times (``retries`` counts them), and is recorded as "interrupted" (shown 失败（已中断）) after
that, its partial output and claimed upload removed, by whoever looks first: the reaper thread of every job
worker (every ``job_reap_seconds``), its progress page, a new job's submission, the start of the server
(gunicorn.conf.py) or ``flask purge-jobs``. The functions take ``now`` so that tests move the clock.
"""
import io
import json
import os
import socket
import threading
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, update

from emergency.errors import Busy
from emergency.limits import limit
from emergency.platform import job_queue, storage
from models import Job, db
from models.base import utcnow

ACTIVE = ("queued", "running")
JOB_AREA = "jobs"           # job outputs in emergency.platform.storage (the database backend only)
# The jobs this process has submitted or runs and not finished: one of its own that is not here has ended
# without recording how (its thread could not write), and is dead.
MINE = set()
INTERRUPTED_MESSAGE = "任务已中断（运行它的服务器进程已停止），未产生结果，请重新发起。"
EXPIRED_MESSAGE = "结果文件已超过保存期限（{days} 天），已删除；如需要请重新发起。"


def this_worker():
    """This process as a job's ``worker``: host, pid and the process's start time (so a reused pid is told apart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid()) or ''}"[:100]


def _started(pid):
    """The start time of a running process in clock ticks since boot (Linux /proc), or None when it is gone or
    a zombie (killed, not yet reaped by its parent)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def jobs_dir():
    folder = Path(current_app.config.get("JOBS_DIR") or Path(current_app.instance_path) / "jobs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def output_path(job_id):
    return jobs_dir() / f"{job_id}.out"


def create_output(path):
    """Create the job's (empty) output file readable by its owner and group only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    os.close(fd)
    os.chmod(path, 0o640)      # O_CREAT's mode is masked by the umask, and an old file keeps its own


def publish_output(path):
    """On the database storage backend, move a finished job's output into the database, so that any host
    serves it, and commit; on the local backend the file stays where the job wrote it."""
    if storage.backend() == "database":
        storage.put_file(JOB_AREA, Path(path).name, path)
        db.session.commit()
        Path(path).unlink(missing_ok=True)


def output_source(job):
    """What a download of a finished job sends: its local file's path, or its bytes from the database."""
    if storage.backend() == "database":
        return io.BytesIO(storage.get(JOB_AREA, Path(job.path).name))
    return job.path


def read_output(job):
    """The bytes of a finished job's output, wherever they are kept."""
    source = output_source(job)
    return source.getvalue() if isinstance(source, io.BytesIO) else Path(source).read_bytes()


def _process_state(worker):
    """True when the worker process runs on this host, False when it is gone, None when that cannot be told."""
    host, pid, started = (worker.split(":") + ["", ""])[:3]
    if host != socket.gethostname() or not pid.isdigit() or not started:
        return None
    return _started(int(pid)) == started


def is_dead(job, now=None):
    """Whether a running job's process has stopped (see the module docstring)."""
    if job.status != "running":
        return False
    if job.worker == this_worker():
        return job.id not in MINE
    alive = _process_state(job.worker or "")
    if alive is not None:
        return not alive
    last = job.heartbeat_at or job.updated_at
    return (now or utcnow()) - last > timedelta(seconds=limit("job_stale_seconds"))


def remove_outputs(job):
    """Delete a job's output file and the upload it claimed, if any; never raises."""
    paths = [output_path(job.id)] + ([Path(job.path)] if job.path else [])
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            current_app.logger.warning("Could not remove %s", path)
    if storage.backend() == "database":
        storage.discard_now(JOB_AREA, output_path(job.id).name)
    token = json.loads(job.params or "{}").get("token")
    if token:
        from emergency.importing import uploads

        uploads.discard(token)


def interrupt(job):
    """Record a dead job as interrupted, after removing what it left (which makes room on a full disk);
    commits in its own transaction. When the database refuses the write it is tried again at the next look."""
    remove_outputs(job)
    try:
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job.id, Job.status.in_(ACTIVE))
                         .values(status="interrupted", message=INTERRUPTED_MESSAGE, path="", updated_at=utcnow()))
    except Exception:  # noqa: BLE001 - a full or locked database: the page still shows the job interrupted
        current_app.logger.exception("Job %s: the interruption could not be recorded", job.id)
        return
    db.session.expire(job)


def requeue(job):
    """Put a dead job back on the queue, counting the retry; False when another process got there first (the
    update is conditional on the row still naming the dead process). The partial output goes; a claimed
    upload stays for the next run."""
    now = utcnow()
    with db.engine.begin() as conn:
        won = conn.execute(update(Job).where(Job.id == job.id, Job.status == "running", Job.worker == job.worker)
                           .values(status="queued", retries=Job.retries + 1, worker="", path="", done=0,
                                   heartbeat_at=now, updated_at=now)).rowcount == 1
    if won:
        try:
            output_path(job.id).unlink(missing_ok=True)
        except OSError:
            current_app.logger.warning("Could not remove the partial output of job %s", job.id)
        current_app.logger.warning("Job %s: its process %s died; queued again", job.id, job.worker)
        try:
            job_queue.enqueue(job.id)
        except Exception:  # noqa: BLE001 - the queue is unreachable: close the job rather than leave it queued
            current_app.logger.exception("Job %s could not be queued again", job.id)
            interrupt(job)
    if job in db.session:
        db.session.expire(job)
    return won


def settle(job):
    """Retry a dead job while it has retries left (when another process retried it first, leave it to that
    one), else interrupt it; return its status now."""
    if (job.retries or 0) < limit("job_retries"):
        requeue(job)
        return job.status
    interrupt(job)
    return "interrupted"


def close_dead(now=None):
    """Retry or interrupt every dead job; return how many. Safe to run from any process at any time."""
    dead = [job for job in db.session.query(Job).filter(Job.status == "running") if is_dead(job, now)]
    for job in dead:
        settle(job)
    return len(dead)


def check_room(user):
    """Refuse a new job when ``user`` or the whole server runs as many as the limits allow."""
    close_dead()
    active = db.session.query(Job.user_id, func.count()).filter(Job.status.in_(ACTIVE)).group_by(Job.user_id).all()
    mine, total = dict(active).get(user.id, 0), sum(count for _, count in active)
    if mine >= limit("jobs_per_user"):
        raise Busy(f"您已有 {mine} 个后台任务正在进行（每人最多 {limit('jobs_per_user')} 个），"
                         "请等待其完成后再发起新的任务。")
    if total >= limit("jobs_total"):
        raise Busy(f"服务器当前有 {total} 个后台任务正在进行（上限 {limit('jobs_total')} 个），请稍后再试。")


class Heartbeat:
    """A thread writing the job's heartbeat until ``stop``; a failed write (a locked or full database) is
    skipped, as the process's own liveness still shows on this host."""

    def __init__(self, app, job_id):
        self.app, self.job_id, self.stopped = app, job_id, threading.Event()
        self.every = limit("job_heartbeat_seconds")
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def start(self):
        MINE.add(self.job_id)
        self.thread.start()
        return self

    def stop(self):
        self.stopped.set()
        MINE.discard(self.job_id)

    def _beat(self):
        with self.app.app_context():
            while not self.stopped.wait(self.every):
                try:
                    with db.engine.begin() as conn:
                        conn.execute(update(Job).where(Job.id == self.job_id).values(heartbeat_at=utcnow()))
                except Exception:  # noqa: BLE001 - a missed beat must never end the job
                    self.app.logger.warning("Heartbeat of job %s not written", self.job_id)


def purge(now=None):
    """Close dead jobs, delete outputs past ``job_keep_days`` and files no live job owns; return counts."""
    now = now or utcnow()
    closed = close_dead(now)
    days = limit("job_keep_days")
    cutoff = now - timedelta(days=days)
    expired = (db.session.query(Job).filter(Job.status == "done", Job.path != "", Job.updated_at < cutoff).all())
    for job in expired:
        remove_outputs(job)
        job.path, job.message = "", EXPIRED_MESSAGE.format(days=days)
    db.session.flush()
    kept = {Path(path).name for (path,) in db.session.query(Job.path).filter(Job.path != "")}
    kept |= {f"{job_id}.out" for (job_id,) in db.session.query(Job.id).filter(Job.status.in_(ACTIVE))}
    orphans = [path for path in jobs_dir().iterdir() if path.is_file() and path.name not in kept]
    for path in orphans:
        path.unlink(missing_ok=True)
    if storage.backend() == "database":
        stale = [name for name in storage.names(JOB_AREA) if name not in kept]
        for name in stale:
            storage.discard_now(JOB_AREA, name)
        orphans += stale
    from emergency.importing import uploads

    # A claimed upload of a dead job went with it (``interrupt``); what is left past a day is an orphan.
    return {"closed": closed, "expired": len(expired), "orphans": len(orphans) + uploads.purge(in_session=True)}
