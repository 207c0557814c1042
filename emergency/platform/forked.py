"""Run Python work in forked child processes of this app: a producer feeding this process through a bounded queue,
and a pool of workers for independent pieces (one workbook each).

Reading and judging the list's rows is Python work, and so is writing the workbook: on two cores they overlap only
in two processes. Children are forked, not spawned: a fork starts in milliseconds with the app already imported,
where a spawned child would import it again (over three seconds). A forked child must not touch the connections
it inherits (they are the parent's sockets), so it first forgets the engine's pool and opens its own.
"""
import multiprocessing
import os
import queue as queues
from concurrent.futures import ProcessPoolExecutor

from flask import current_app

from emergency.limits import lower_priority
from models import db

# Items travel in batches (one pickle each); at most QUEUED batches wait, so memory stays flat whatever the size.
BATCH, QUEUED = 500, 8
_in_child = False


class ChildFailed(RuntimeError):
    """The producer process failed or died; ``args[0]`` is what it reported."""


def available(rows=None):
    """Whether work of ``rows`` rows is worth a second process here: ``EXPORT_FORK`` on (the config, default on),
    two cores or more, fork available, a database a child can open (not an in-memory SQLite), not already inside a
    child, and at least ``EXPORT_FORK_ROWS`` rows (below it the fork and the pickling cost more than they save)."""
    url = str(db.engine.url)
    if not current_app.config.get("EXPORT_FORK", True) or _in_child or cores() < 2:
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if url.startswith("sqlite") and (url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url):
        return False
    return rows is None or rows >= current_app.config.get("EXPORT_FORK_ROWS", 2000)


def _enter_child(app):
    global _in_child
    _in_child = True
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)   # the parent's pooled connections stay the parent's


def produced(make_items, batch=BATCH, queued=QUEUED):
    """Yield the items of ``make_items()``, run in a forked child inside an app context of this app.

    The items must pickle. An error in the child is raised here as ``ChildFailed``; when this side stops early (an
    error while writing) the child is ended.
    """
    app = current_app._get_current_object()
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=queued)
    child = context.Process(target=_produce, args=(app, make_items, channel, batch), daemon=True)
    child.start()
    finished = False
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=1)
            except queues.Empty:
                if child.exitcode is not None:   # killed (out of memory, a signal) before it could say why
                    raise ChildFailed(f"the producer process ended with code {child.exitcode}") from None
                continue
            if kind == "error":
                raise ChildFailed(payload)
            if kind == "done":
                finished = True
                return
            yield from payload
    finally:
        if not finished:
            child.terminate()
        child.join()
        channel.close()


def _produce(app, make_items, channel, batch):
    _enter_child(app)
    try:
        with app.app_context():
            items = []
            for item in make_items():
                items.append(item)
                if len(items) >= batch:
                    channel.put(("items", items))
                    items = []
            channel.put(("items", items))
            channel.put(("done", None))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
        channel.put(("error", f"{type(error).__name__}: {error}"))
    finally:
        channel.close()
        channel.join_thread()


def pool(workers):
    """A pool of ``workers`` forked processes, each with this app ready (submit module-level functions that
    call ``in_app``)."""
    app = current_app._get_current_object()
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(app,))


_worker_app = None


def _start_worker(app):
    global _worker_app
    _worker_app = app
    _enter_child(app)


def in_app(func, *args):
    """Run ``func(*args)`` in a pool worker inside a fresh app context; its session is removed afterwards."""
    with _worker_app.app_context():
        try:
            return func(*args)
        finally:
            db.session.remove()


def cores():
    return os.cpu_count() or 1


def background(func, *args):
    """Run ``func(*args)`` in a forked child inside an app context of this app, at the job workers' lowered priority
    (``job_niceness``), and return the child at once. A finished child is reaped by the next ``is_alive()`` on it
    or the next child started (multiprocessing polls its children then); it is a daemon, so it ends with this
    process (work that may be lost: a cache refresh, not a job)."""
    app = current_app._get_current_object()
    child = multiprocessing.get_context("fork").Process(target=_background, args=(app, func, args), daemon=True)
    child.start()
    return child


def _background(app, func, args):
    _enter_child(app)
    with app.app_context():
        lower_priority()
        try:
            func(*args)
        except Exception:  # noqa: BLE001 - a child's failure is logged; the parent goes on with what it has
            app.logger.exception("Background work %s failed", getattr(func, "__name__", func))
        finally:
            db.session.remove()
