"""The registry generation: a token that changes with every committed change to what the list is made of.

Figures computed from the registry (the dashboard) are cached under it. A session notes when a flush or a
DML statement touches a watched table; just before that session commits, it stores a fresh random token in
the ``setting`` row ``registry_generation``. Written at commit time, in the same transaction, the token
becomes visible exactly when the change does, in every worker; and the row lock is held only for the
instant before COMMIT, after every other write of the transaction, so it cannot deadlock with them.
"""
import uuid
from itertools import chain

from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from emergency.lists.policy import RULE_SETTINGS
from models import Setting, db

KEY = "registry_generation"
# What the list, its totals and the quality check read. Which season is in force also moves with the date:
# cached figures follow it within DASHBOARD_CACHE_SECONDS.
WATCHED = frozenset({"enterprise", "production_line", "line_measure", "measure_floor", "measure_type",
                     "season", "whole_society_emission", "non_industrial_reduction", "target_ratio", "grade",
                     "grade_scheme", "category", "category_reason", "industry", "county",
                     # A season's staggering rules decide what its firms take off the list (错峰生产已减).
                     "stagger_rule"})
LIST_SETTINGS = frozenset(RULE_SETTINGS)
_CHANGED = "registry_changed"


def _watched(obj):
    if isinstance(obj, Setting):
        return obj.key in LIST_SETTINGS
    return getattr(obj, "__tablename__", None) in WATCHED


def _after_flush(session, flush_context):
    if any(_watched(obj) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


def _on_execute(state):
    table = getattr(state.statement, "table", None)
    if (state.is_insert or state.is_update or state.is_delete) and getattr(table, "name", None) in WATCHED:
        state.session.info[_CHANGED] = True


def _upsert(session, token):
    dialect = session.get_bind().dialect.name
    module = {"postgresql": postgresql, "sqlite": sqlite}.get(dialect)
    if module is None:
        if not session.execute(update(Setting).where(Setting.key == KEY).values(value=token)).rowcount:
            session.execute(Setting.__table__.insert().values(key=KEY, value=token))
        return
    stmt = module.insert(Setting.__table__).values(key=KEY, value=token)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": token}))


def _before_commit(session):
    # The commit's own flush comes after this event: flush first, so its changes are noted too.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(_CHANGED, False):
        _upsert(session, uuid.uuid4().hex)


def _forget(session, *args):
    session.info.pop(_CHANGED, None)


def install():
    """Hook the generation into every ORM session (idempotent)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _forget)


def current():
    """The committed generation token (None before the first change)."""
    return db.session.execute(select(Setting.value).where(Setting.key == KEY)).scalar()
