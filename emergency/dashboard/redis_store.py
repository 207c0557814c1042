"""The dashboard's figures in Redis, shared by every process of every host (``FIGURES_BACKEND=redis``).

The same functions as ``shared_store`` (the database backend), so ``store`` picks either one the same way.
``REDIS_URL`` (``EMERGENCY_REDIS_URL``, the job queue's setting too) names the server, e.g. ``redis://10.0.0.5:6379/0``.

- Each scope's entry is one JSON string; the lease is a second key taken with ``SET NX PX``, which only one
  process can win, and it expires by itself after ``DASHBOARD_LEASE_SECONDS`` (default 120 s), so a process
  that dies holding it blocks nobody for longer.
- Only the holder releases the lease, and a write made under the lease lands only while no other process holds
  it (both one Lua script each): a process that outlived its lease cannot overwrite the figures of the process
  that took the scope over. The generation check itself is the caller's (``figures.cached_figures`` reads the
  entry again once it holds the lease), so each committed generation is computed once across hosts.
- Keys carry a digest of the database URL (without its password), so several databases can share one Redis:
  every host must spell the URL's host and database alike to share figures. Entries of another database never
  pass the generation check (tokens are random per commit), so a mismatch costs computations, not figures.
- Redis that does not answer costs only the sharing: the failure is logged, reads find nothing, writes are
  dropped and the caller computes on its own, as the file backend does without a usable lock file.
"""
import hashlib
import json
import os
import secrets
import socket
import time
from contextlib import contextmanager
from contextvars import ContextVar

import redis
from flask import current_app
from sqlalchemy import make_url

from emergency.platform import job_queue

DEFAULT_LEASE_SECONDS = 120
POLL_SECONDS = 0.05
CONNECT_TIMEOUT_SECONDS = 2
UNAVAILABLE = (redis.RedisError, OSError)
# The lease this context holds, per scope: a write under it is fenced by it.
_held = ContextVar("redis_figures_lease", default=None)

RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# Store the entry unless another holder has the scope's lease (ARGV[2] '' : written outside a lease).
FENCED_WRITE = """
local holder = redis.call('get', KEYS[2])
if holder and holder ~= ARGV[2] then return 0 end
redis.call('set', KEYS[1], ARGV[1])
return 1
"""


def _redis():
    """This app's client (one connection pool per app, and so per gunicorn worker)."""
    url = job_queue.redis_url(current_app)          # the queue's setting: one Redis URL for both
    if not url:
        raise ValueError("FIGURES_BACKEND=redis needs REDIS_URL (EMERGENCY_REDIS_URL), e.g. redis://127.0.0.1:6379/0")
    clients = current_app.extensions.setdefault("redis_figures", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                            socket_timeout=CONNECT_TIMEOUT_SECONDS, decode_responses=True)
    return clients[url]


def key_prefix(database_url):
    """The prefix of the keys holding the figures of ``database_url``'s database."""
    # Without the password, so that hosts whose URLs differ only in it (a rotation under way) still share.
    url = make_url(str(database_url)).render_as_string(hide_password=True)
    return f"emergency:figures:{hashlib.sha256(url.encode()).hexdigest()[:16]}:"


def _prefix():
    return key_prefix(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _entry_key(scope):
    return f"{_prefix()}{scope}"


def _lease_key(scope):
    return f"{_prefix()}lease:{scope}"


def _lease_ms():
    return int(float(current_app.config.get("DASHBOARD_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)) * 1000)


def _unshared(what, exc):
    current_app.logger.warning("Dashboard figures not shared (Redis %s): %s", what, exc)


def read(scope):
    """The stored entry (a dict) of ``scope``, or None when there is none, it cannot be read or Redis is down."""
    try:
        payload = _redis().get(_entry_key(scope))
    except UNAVAILABLE as exc:
        _unshared("read", exc)
        return None
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        return None


def write(scope, entry):
    """Store ``entry`` (JSON-serialisable) for ``scope``, unless another process has taken the scope over."""
    payload = json.dumps(entry, ensure_ascii=False)
    holder = (_held.get() or {}).get(scope, "")
    try:
        client = _redis()
        client.eval(FENCED_WRITE, 2, _entry_key(scope), _lease_key(scope), payload, holder)
    except UNAVAILABLE as exc:
        _unshared("write", exc)


def _take(client, scope, holder):
    return bool(client.set(_lease_key(scope), holder, nx=True, px=_lease_ms()))


@contextmanager
def computing(scope, wait):
    """Hold the scope's lease and yield True; yield False at once if another holds it and not ``wait``.

    When Redis does not answer, yields True: this process computes on its own.
    """
    holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    try:
        client = _redis()
        while not (ours := _take(client, scope, holder)) and wait:
            time.sleep(POLL_SECONDS)
    except UNAVAILABLE as exc:
        _unshared("lease", exc)
        ours = None
    if not ours:
        yield ours is None          # taken by another: False; Redis down: True, compute here
        return
    token = _held.set({**(_held.get() or {}), scope: holder})
    try:
        yield True
    finally:
        _held.reset(token)
        try:
            client.eval(RELEASE, 1, _lease_key(scope), holder)
        except UNAVAILABLE as exc:
            _unshared("release", exc)       # the lease expires by itself


def clear():
    """Delete this database's stored entries (not the leases, which another process may hold)."""
    client = _redis()
    lease = _lease_key("")
    doomed = [key for key in client.scan_iter(match=f"{_prefix()}*", count=500) if not key.startswith(lease)]
    if doomed:
        client.delete(*doomed)
