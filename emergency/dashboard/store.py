"""The dashboard's figures shared between processes: files on this host (default), the database or Redis.

``FIGURES_BACKEND=database`` shares them between hosts (``emergency.dashboard.shared_store``), and so does
``FIGURES_BACKEND=redis`` with ``REDIS_URL`` (``emergency.dashboard.redis_store``, the same functions); the default,
``files``, shares them between the worker processes of one host, as described below. The functions here pick
the backend on every call, so each app follows its own configuration.

Above every backend, ``recompute_due`` throttles the computing: after a scope is computed, a newer generation
is computed only once ``dashboard_recompute_seconds`` (seed/data/server_limits.csv, default 30; the config key
``DASHBOARD_RECOMPUTE_SECONDS`` overrides it) have passed; meanwhile the previous figures are shown as updating.

Files: a JSON file per database and scope.

One process at a time computes a scope: it holds an exclusive ``flock`` on the scope's lock file while it
does, and the kernel releases the lock if that process dies, so a crash never leaves a scope locked. Files
are replaced atomically (a temporary file, then ``os.replace``), so a reader never sees half a file. The
folder is ``DASHBOARD_CACHE_DIR``, by default ``<instance>/dashboard``; file names carry a digest of the
database URL, so several databases can share it.
"""
import fcntl
import functools
import hashlib
import json
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

import emergency
import models
from emergency.dashboard import redis_store, shared_store
from emergency.limits import limit

BACKENDS = ("files", "database", "redis")


@functools.cache
def code_version():
    """A digest of the application's Python source: figures stored by other code (an older deploy) differ."""
    digest = hashlib.sha256()
    for package in (emergency, models):
        root = Path(package.__file__).resolve().parent
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def backend():
    """The configured figure store: "files" (default), "database" or "redis"."""
    name = current_app.config.get("FIGURES_BACKEND") or "files"
    if name not in BACKENDS:
        raise ValueError(f"FIGURES_BACKEND must be one of {BACKENDS}, not {name!r}")
    return name


def recompute_seconds():
    """The least time between two computations of one scope (seconds)."""
    return limit("dashboard_recompute_seconds")


def recompute_due(computed_at):
    """Whether figures computed at ``computed_at`` (epoch seconds) may be replaced by a new computation now.

    Within the window, a newer generation waits: every edit would otherwise start a full pass over the
    registry, and under steady editing the workers would do little else.
    """
    return time.time() - computed_at >= recompute_seconds()


def _folder():
    folder = Path(current_app.config.get("DASHBOARD_CACHE_DIR") or Path(current_app.instance_path) / "dashboard")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _prefix():
    url = str(current_app.config["SQLALCHEMY_DATABASE_URI"])
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _path(scope, suffix):
    return _folder() / f"{_prefix()}-{scope}{suffix}"


def read(scope):
    """The stored entry (a dict) of ``scope``, or None when there is none or it cannot be read."""
    if backend() == "redis":
        return redis_store.read(scope)
    if backend() == "database":
        return shared_store.read(scope)
    try:
        with open(_path(scope, ".json"), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def write(scope, entry):
    """Store ``entry`` (JSON-serialisable) for ``scope``, replacing the previous one atomically.

    A folder that cannot be written only costs the sharing: the failure is logged, not raised.
    """
    if backend() == "redis":
        redis_store.write(scope, entry)
        return
    if backend() == "database":
        shared_store.write(scope, entry)
        return
    temporary = None
    try:
        path = _path(scope, ".json")
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entry, fh, ensure_ascii=False)
        os.replace(temporary, path)
    except OSError as exc:
        current_app.logger.warning("Dashboard figures not shared: %s", exc)
        if temporary:
            Path(temporary).unlink(missing_ok=True)


@contextmanager
def computing(scope, wait):
    """Hold the scope's compute lock and yield True; yield False at once if another holds it and not ``wait``.

    Without a usable lock file, yields True: this process computes on its own.
    """
    if backend() != "files":
        with (redis_store if backend() == "redis" else shared_store).computing(scope, wait) as ours:
            yield ours
        return
    try:
        fh = open(_path(scope, ".lock"), "a")
    except OSError as exc:
        current_app.logger.warning("Dashboard compute lock unavailable: %s", exc)
        yield True
        return
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def clear():
    """Delete this database's stored entries (not the lock files, which another process may hold)."""
    if backend() == "redis":
        redis_store.clear()
        return
    if backend() == "database":
        shared_store.clear()
        return
    for path in _folder().glob(f"{_prefix()}-*.json"):
        path.unlink(missing_ok=True)
