"""The job queue: Huey (https://github.com/coleifer/huey), run by ``flask --app app jobs-worker`` processes.

The web process only enqueues a job's id; a worker process claims the job row and runs it with an app context
(``jobs.run``). The queue is a SQLite file in the instance folder (``JOBS_QUEUE_FILE``, default
``instance/jobs-queue.sqlite``), so ``make run`` needs no other server; with ``REDIS_URL`` set (or the
environment's ``EMERGENCY_REDIS_URL`` / ``REDIS_URL``) it is Redis, which workers on several hosts share.

Huey drops a task once a worker takes it, so a worker that dies mid-job loses it: every worker therefore also
runs a reaper thread that every ``job_reap_seconds`` retries or fails the jobs whose process has died
(``job_lifecycle.close_dead``). The job table stays the only record users see.
"""
import logging
import os
import threading
from pathlib import Path

from flask import current_app

from emergency.limits import limit

QUEUE_NAME = "emergency-jobs"
TASK_NAME = "run_job"
# How long an idle worker on the SQLite queue waits, at most, before looking again (Redis blocks instead).
POLL_MAX_SECONDS = 1.0
log = logging.getLogger(__name__)


def redis_url(app):
    """The Redis URL the queue uses, or "" for the embedded SQLite queue."""
    return app.config.get("REDIS_URL") or os.environ.get("REDIS_URL", "")


def queue_file(app):
    return Path(app.config.get("JOBS_QUEUE_FILE") or Path(app.instance_path) / "jobs-queue.sqlite")


def describe(app):
    """Where the queue is, for the worker's start-up line (no password)."""
    url = redis_url(app)
    if url:
        from redis.connection import parse_url

        parts = parse_url(url)
        return f"Redis {parts.get('host', '')}:{parts.get('port', 6379)}/{parts.get('db', 0)}"
    return f"SQLite {queue_file(app)}"


def _build(app):
    from huey import RedisHuey, SqliteHuey

    url = redis_url(app)
    if url:
        huey = RedisHuey(QUEUE_NAME, url=url, results=False)
    else:
        path = queue_file(app)
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(QUEUE_NAME, filename=str(path), results=False)

    @huey.task(name=TASK_NAME)
    def run_job(job_id):
        from emergency.platform import jobs

        jobs.run(app, job_id)

    @huey.on_startup()
    def fresh_connections():
        # A forked worker process must not share the parent's database connections.
        with app.app_context():
            from models import db

            db.engine.dispose(close=False)

    return huey, run_job


def queue(app=None):
    """(huey, run_job task) of ``app``, built once per app."""
    app = app or current_app._get_current_object()
    if "job_queue" not in app.extensions:
        app.extensions["job_queue"] = _build(app)
    return app.extensions["job_queue"]


def enqueue(job_id, app=None):
    """Put the job on the queue; a worker process runs it."""
    queue(app)[1](job_id)


def pending(app=None):
    """How many jobs wait on the queue (for ``jobs-worker --status``)."""
    return queue(app)[0].pending_count()


class Reaper:
    """A thread of every worker process: retries or fails the jobs whose process has died, every
    ``job_reap_seconds``; any worker may do it for any other (the row updates are conditional)."""

    def __init__(self, app):
        self.app, self.stopped = app, threading.Event()
        with app.app_context():
            self.every = limit("job_reap_seconds")
        self.thread = threading.Thread(target=self._loop, name="job-reaper", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stopped.set()

    def sweep(self):
        from emergency.platform.job_lifecycle import close_dead
        from models import db

        with self.app.app_context():
            try:
                closed = close_dead()
                db.session.commit()
                if closed:
                    log.warning("Retried or closed %d job(s) whose process had died", closed)
            except Exception:  # noqa: BLE001 - a locked or unreachable database: try again next round
                db.session.rollback()
                log.exception("Dead jobs not checked")
            finally:
                db.session.remove()

    def _loop(self):
        while not self.stopped.wait(self.every):
            self.sweep()


def consume(app, workers=1, worker_type="thread"):
    """Run Huey's consumer with ``workers`` threads or processes, and the reaper, until SIGINT/SIGTERM."""
    huey, _ = queue(app)
    reaper = Reaper(app)
    reaper.sweep()
    reaper.start()
    consumer = huey.create_consumer(workers=workers, worker_type=worker_type, periodic=False,
                                    max_delay=POLL_MAX_SECONDS, check_worker_health=True)
    try:
        consumer.run()
    finally:
        reaper.stop()
