"""Job worker processes: ``jobs-worker`` runs queued jobs; ``with-jobs-worker`` runs a server beside one."""
import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from emergency.limits import lower_priority
from emergency.platform import job_queue
from emergency.platform.launcher import run_together, worker_command


@click.command("jobs-worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="How many jobs this process runs at once.")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), default="thread", show_default=True,
              help="Run the jobs in threads of this process, or in child processes (for CPU-bound work).")
@with_appcontext
def jobs_worker_command(workers, worker_type):
    """Run queued jobs (large exports and imports) until Ctrl-C or SIGTERM."""
    app = current_app._get_current_object()
    # Huey's own lines (task received, executed) and the reaper's; the app's logger keeps its own handlers.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    for name in ("huey", job_queue.__name__):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    niceness = lower_priority()
    click.echo(f"后台任务进程已启动：同时运行 {workers} 个任务，队列：{job_queue.describe(app)}，"
               f"调度优先级 nice {niceness}", err=True)
    job_queue.consume(app, workers, worker_type)


@click.command("with-jobs-worker", context_settings={"ignore_unknown_options": True})
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="--workers of the job worker.")
@click.argument("server", nargs=-1, required=True, type=click.UNPROCESSED)
@with_appcontext
def with_jobs_worker_command(workers, server):
    """Run SERVER (e.g. `flask --app app run`) and one job worker; Ctrl-C stops both."""
    root = Path(current_app.root_path)
    raise SystemExit(run_together(list(server), worker_command(workers), root, say=click.echo))


COMMANDS = [jobs_worker_command, with_jobs_worker_command]
