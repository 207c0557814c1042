"""Record every change to audited records, whatever made it: web edits, imports and CLI commands alike.

A session ``after_flush`` hook reads SQLAlchemy's attribute history, so operations need not remember to
log. Rows are written on the flush's own connection, inside the same transaction: a rolled-back change
leaves no log, and a committed change always has one.
"""
import contextvars
import json
from contextlib import contextmanager
from datetime import date, datetime
from types import SimpleNamespace

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from models import AuditLog, Enterprise, LineMeasure, ProductionLine, User
from models.audit import LOG_IS_APPEND_ONLY
from models.base import utcnow
from models.line import LEVEL_LABELS

_cli_actor = contextvars.ContextVar("audit_cli_actor", default=("system", None, "cli"))
# Never copy secrets into the log; say only that they changed.
REDACTED = {"password_hash", "secret_hash"}
NOISE = {"version", "updated_at", "name_sort"}
AUDITED = {}
TYPE_LABELS = {}
# Which rows of a registered class are audited, where not all are (settings: only the rules' own).
AUDITED_WHEN = {}


def _always(obj):
    return True


def register(cls, entity_type, label, enterprise_of, summary_of, when=None):
    """Audit ``cls`` as ``entity_type``; ``enterprise_of(obj, conn)`` and ``summary_of(obj)`` describe a row,
    and ``when(obj)``, if given, says whether a row is audited at all."""
    AUDITED[cls] = (entity_type, enterprise_of, summary_of)
    TYPE_LABELS[entity_type] = label
    if when is not None:
        AUDITED_WHEN[cls] = when


def _measure_enterprise(measure, conn):
    line = inspect(measure).attrs.line.loaded_value
    if line is not NO_VALUE and line is not None:
        return line.enterprise_id
    return conn.execute(select(ProductionLine.enterprise_id).where(ProductionLine.id == measure.line_id)).scalar()


register(Enterprise, "enterprise", "企业", lambda o, c: o.id, lambda o: f"{o.name}（{o.credit_code}）")
register(ProductionLine, "line", "生产线", lambda o, c: o.enterprise_id, lambda o: o.name)
register(LineMeasure, "measure", "减排措施", _measure_enterprise,
         lambda o: f"{LEVEL_LABELS.get(o.level, o.level)}预警措施")
register(User, "user", "用户", lambda o, c: o.enterprise_id, lambda o: o.username)


@contextmanager
def acting_as(username, source, user_id=None):
    """Attribute changes made outside a request (CLI commands, background jobs) to ``username``."""
    token = _cli_actor.set((username, user_id, source))
    try:
        yield
    finally:
        _cli_actor.reset(token)


def set_request_source(source):
    """Label this request's changes, e.g. ``import:清单.xlsx``."""
    g.audit_source = source


def current_actor():
    """(username, user id, source) of whoever is making the current change."""
    return _actor()


def _actor():
    if has_request_context():
        source = g.get("audit_source", "web")
        if current_user and current_user.is_authenticated:
            return current_user.username, current_user.id, source
        return "anonymous", None, source
    return _cli_actor.get()


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _columns(obj):
    return [c.key for c in inspect(obj).mapper.column_attrs]


def _snapshot(obj, keys):
    return {k: ("***" if k in REDACTED else _plain(getattr(obj, k))) for k in keys}


def _changes(obj):
    """Return (before, after) of the columns that changed in this flush."""
    state = inspect(obj)
    before, after = {}, {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.added or history.deleted:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            before[key] = "***" if key in REDACTED else _plain(old)
            after[key] = "***" if key in REDACTED else _plain(new)
    for key in NOISE:
        before.pop(key, None), after.pop(key, None)
    return before, after


def _dump(values):
    return json.dumps(values, ensure_ascii=False, sort_keys=True) if values else None


def _iso(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# The text of _dump(_snapshot(...)), made by one encoder for all rows: a bulk import logs 400,000 of them.
_BULK_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_iso)


def created_rows(cls, records, enterprise_ids=None, at=None):
    """Audit rows for ``records`` of ``cls`` inserted in bulk by Core statements, which the flush hook never sees.

    Each record is a dict of every column, id included. The rows have the hook's shape for a "create": actor,
    source, summary and the after-snapshot. ``enterprise_ids`` (parallel to ``records``) replaces the
    registered look-up, which for measures needs an ORM object.
    """
    entity_type, enterprise_of, summary_of = AUDITED[cls]
    username, user_id, source = _actor()
    at = at or utcnow()
    keys = [c.key for c in inspect(cls).column_attrs]
    hidden = [k for k in keys if k in REDACTED]
    ids = iter(enterprise_ids) if enterprise_ids is not None else None
    for values in records:
        obj = SimpleNamespace(**values)
        after = {k: values[k] for k in keys}
        after.update((k, "***") for k in hidden)
        yield {
            "at": at, "username": username, "user_id": user_id, "source": source[:200], "entity_type": entity_type,
            "entity_id": values["id"], "enterprise_id": next(ids) if ids else enterprise_of(obj, None),
            "action": "create", "summary": str(summary_of(obj) or "")[:300], "before": None,
            "after": _BULK_JSON.encode(after),
        }


def write_rows(session, rows):
    """Insert audit rows (from ``created_rows``) in the session's transaction, with one executemany."""
    rows = list(rows)
    if rows:
        session.execute(AuditLog.__table__.insert(), rows)


def _entries(session, conn):
    username, user_id, source = _actor()
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            spec = AUDITED.get(type(obj))
            if spec is None or not AUDITED_WHEN.get(type(obj), _always)(obj):
                continue
            entity_type, enterprise_of, summary_of = spec
            if action == "create":
                before, after = None, _snapshot(obj, _columns(obj))
            elif action == "delete":
                before, after = _snapshot(obj, _columns(obj)), None
            else:
                before, after = _changes(obj)
                if not after:
                    continue
            yield {
                "username": username, "user_id": user_id, "source": source[:200], "entity_type": entity_type,
                "entity_id": getattr(obj, "id", None), "enterprise_id": enterprise_of(obj, conn),
                "action": action, "summary": str(summary_of(obj) or "")[:300],
                "before": _dump(before), "after": _dump(after),
            }


def _record(session, flush_context):
    conn = session.connection()
    rows = list(_entries(session, conn))
    if rows:
        conn.execute(AuditLog.__table__.insert(), rows)


def _append_only(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditLog):
            raise PermissionError(LOG_IS_APPEND_ONLY)


def install():
    """Hook the audit trail into every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _record):
        event.listen(Session, "after_flush", _record)
        event.listen(Session, "before_flush", _append_only)
