"""A job table plus a queue: long exports and imports report rows done out of rows total.

The web process creates the job row and enqueues its id (``job_queue``); a ``flask --app app jobs-worker``
process claims the row and runs it. State lives in the database, so the progress page works from any web
process or host and survives a reload.
Progress is written through its own short transactions on the engine, never the job's session, so a
streaming query in the job is not disturbed. A job that its process cannot finish is closed by
``job_lifecycle`` (heartbeats, interruption, limits on concurrent jobs, clean-up).
"""
import json
import time
import uuid

from flask import current_app
from sqlalchemy import update

from emergency.platform import job_lifecycle as lifecycle
from emergency.platform import job_queue
from models import Job, db
from models.base import utcnow
from models.job import JOB_KINDS

# Where a finished job's output is read from (a local file, or the database storage backend).
output_source, read_output = lifecycle.output_source, lifecycle.read_output

RUNNERS = {}
STATUS_LABELS = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败",
                 "interrupted": "失败（已中断）"}
FAILED_MESSAGE = "任务执行失败，请联系管理员。"
NOT_QUEUED_MESSAGE = "任务未能进入后台队列，请稍后重新发起；如持续出现请联系管理员。"


def runner(kind):
    """Register ``func(params, progress, out_path) -> (download filename, message)`` for a job kind."""
    if kind not in JOB_KINDS:
        raise ValueError(f"job kind {kind!r} is not in models.job.JOB_KINDS (the database refuses it)")

    def decorate(func):
        RUNNERS[kind] = func
        return func

    return decorate


def submit(kind, label, params, user):
    """Create a queued job for ``user``; flushes. Call ``start`` after the request commits.

    Raises ``emergency.errors.Busy`` when the user or the server runs as many jobs as allowed.
    """
    lifecycle.check_room(user)
    job = Job(id=uuid.uuid4().hex, kind=kind, label=label, user_id=user.id, params=json.dumps(params),
              heartbeat_at=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def start(job_id):
    """Put the committed job on the queue for a worker process (run it here and now when JOBS_SYNC, as the
    tests do). A queue that cannot be reached fails the job, so its page says so instead of waiting."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_SYNC"):
        run(app, job_id)
        return
    try:
        job_queue.enqueue(job_id, app)
    except Exception:  # noqa: BLE001 - Redis down or the queue file unwritable: the user must know
        app.logger.exception("Job %s could not be queued", job_id)
        _set(job_id, status="failed", message=NOT_QUEUED_MESSAGE)
        db.session.expire_all()          # the caller's copy of the job shows the failure


def _set(job_id, **values):
    with db.engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(updated_at=utcnow(), **values))


class Progress:
    """Callable given to runners: ``progress(done, total)``; writes at most twice a second."""

    def __init__(self, job_id):
        self.job_id, self.last = job_id, 0.0

    def __call__(self, done, total=None):
        now = time.monotonic()
        if now - self.last >= 0.5 or (total is not None and done >= total):
            self.last = now
            _set(self.job_id, done=done, **({"total": total} if total is not None else {}))

    def stage(self, label, total=0):
        """Start a named stage of a job: the page shows ``label`` as its title and counts from zero again."""
        self.last = time.monotonic()
        _set(self.job_id, label=label[:200], done=0, total=total)


def counted(rows, progress, total, every=200):
    """Pass rows through, reporting progress every ``every`` rows."""
    done = 0
    progress(0, total)
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            progress(done, total)
    progress(done, max(total, done))


def _claim(job_id, out):
    """Mark a queued job running in this process; False when it is not queued any more (a second delivery of
    the same job, or a job closed meanwhile). The row says who runs the job and where its output goes before
    anything large is written, so a process that dies, or a disk that fills, leaves a job that can be closed
    and cleaned up."""
    with db.engine.begin() as conn:
        claimed = conn.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
            status="running", path=str(out), worker=lifecycle.this_worker(), heartbeat_at=utcnow(),
            done=0, updated_at=utcnow())).rowcount
    return claimed == 1


def run(app, job_id):
    """Run a queued job in this process, inside its own app context; a job not queued any more is left alone."""
    with app.app_context():
        out = lifecycle.output_path(job_id)
        lifecycle.MINE.add(job_id)        # before the claim: this process's reaper must not find it dead
        if not _claim(job_id, out):
            lifecycle.MINE.discard(job_id)
            db.session.remove()
            return
        job = db.session.get(Job, job_id)
        heartbeat = lifecycle.Heartbeat(app, job_id).start()
        try:
            if not job.retries:    # test-only: hold a first run so that a test can kill its worker mid-job
                time.sleep(app.config.get("JOBS_TEST_PAUSE_SECONDS", 0))
            lifecycle.create_output(out)
            filename, message = RUNNERS[job.kind](json.loads(job.params), Progress(job_id), out)
            db.session.commit()
            lifecycle.publish_output(out)
            _set(job_id, status="done", filename=filename, message=message)
        except Exception as error:  # a failed job must report, never take the worker down
            db.session.rollback()
            app.logger.exception("Job %s (%s) failed", job_id, job.kind)
            _fail(app, job, str(getattr(error, "user_message", FAILED_MESSAGE)))
        finally:
            heartbeat.stop()
            db.session.remove()


def _fail(app, job, message):
    """Remove the partial output first (on a full disk that makes room), then record the failure; when even
    that write fails the job is closed as interrupted once its heartbeat stops."""
    lifecycle.remove_outputs(job)
    try:
        _set(job.id, status="failed", message=message[:500], path="")
    except Exception:  # noqa: BLE001 - the heartbeat has stopped: the job will be closed as interrupted
        app.logger.exception("Job %s: the failure could not be recorded", job.id)


def job_for(job_id, user):
    """The job if ``user`` started it (admins see all); None otherwise."""
    job = db.session.get(Job, job_id)
    if job is None or (job.user_id != user.id and user.role != "admin"):
        return None
    return job


def status_of(job, now=None):
    """The job's status, after queueing it again (or closing it as interrupted) when its process has died."""
    if lifecycle.is_dead(job, now):
        return lifecycle.settle(job)
    return job.status


def percent(job):
    return int(100 * job.done / job.total) if job.total else 0
