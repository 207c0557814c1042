"""The dashboard's figures in the database, shared by every process of every host (``FIGURES_BACKEND=database``).

One row per scope holds the figures (JSON) and a lease: the process computing the scope writes its holder id
and an expiry into the row with one conditional UPDATE, which only one process can win. A process that dies
while holding the lease blocks nobody for longer than ``DASHBOARD_LEASE_SECONDS`` (default 120 s): an expired
lease is taken over. Every read and write is its own short transaction on its own connection, never the
request's, so a page that rolls back keeps the figures it stored and a figure write never commits a request.
"""
import json
import os
import secrets
import socket
import time
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from models import db
from models.base import utcnow
from models.shared import SharedFigure

DEFAULT_LEASE_SECONDS = 120
POLL_SECONDS = 0.05
TABLE = SharedFigure.__table__


def _lease_seconds():
    return float(current_app.config.get("DASHBOARD_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def _ensure_row(conn, scope):
    if conn.execute(select(TABLE.c.scope).where(TABLE.c.scope == scope)).first() is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(TABLE).values(scope=scope))
        except IntegrityError:
            pass                 # another process inserted it first


def read(scope):
    """The stored entry (a dict) of ``scope``, or None when there is none or it cannot be read."""
    with db.engine.connect() as conn:
        payload = conn.execute(select(TABLE.c.payload).where(TABLE.c.scope == scope)).scalar()
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        return None


def write(scope, entry):
    """Store ``entry`` (JSON-serialisable) for ``scope``, replacing the previous one in one transaction."""
    payload = json.dumps(entry, ensure_ascii=False)
    with db.engine.begin() as conn:
        _ensure_row(conn, scope)
        conn.execute(update(TABLE).where(TABLE.c.scope == scope)
                     .values(payload=payload, generation=str(entry.get("generation") or "")))


def _take(scope, holder):
    now = utcnow()
    with db.engine.begin() as conn:
        _ensure_row(conn, scope)
        taken = conn.execute(
            update(TABLE).where(TABLE.c.scope == scope,
                                or_(TABLE.c.lease_until.is_(None), TABLE.c.lease_until < now))
            .values(lease_holder=holder, lease_until=now + timedelta(seconds=_lease_seconds())))
        return taken.rowcount == 1


def _release(scope, holder):
    with db.engine.begin() as conn:
        conn.execute(update(TABLE).where(TABLE.c.scope == scope, TABLE.c.lease_holder == holder)
                     .values(lease_holder=None, lease_until=None))


@contextmanager
def computing(scope, wait):
    """Hold the scope's lease and yield True; yield False at once if another holds it and not ``wait``."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:100]
    while not _take(scope, holder):
        if not wait:
            yield False
            return
        time.sleep(POLL_SECONDS)
    try:
        yield True
    finally:
        _release(scope, holder)


def clear():
    """Delete the stored entries (rows no process leases; a leased row keeps its lease and loses its figures)."""
    with db.engine.begin() as conn:
        conn.execute(delete(TABLE).where(TABLE.c.lease_holder.is_(None)))
        conn.execute(update(TABLE).values(payload=None, generation=None))
