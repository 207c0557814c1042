"""The registry generation: a token that changes with every committed change to what the list is made of.

Figures computed from the registry (the dashboard) are cached under it. A session notes when a flush or a
DML statement touches a watched table; just before that session commits, it stores a fresh random token in
the ``setting`` row ``registry_generation``. Written at commit time, in the same transaction, the token
becomes visible exactly when the change does, in every worker; and the row lock is held only for the
instant before COMMIT, after every other write of the transaction, so it cannot deadlock with them.
"""
import uuid
from itertools import chain

from sqlalchemy import event, inspect, select, update
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
# Two narrower tokens, renewed with the registry's, for what most edits leave alone:
# - "reference": what the rules read besides the rows (``RuleInputs``): every watched table but the registry's own;
# - "order": the list's order and membership (``lists.page.listed_ids``): firms added, deleted, renamed or moved,
#   lines added or deleted, counties changed. An edit of a phone number or a measure renews neither.
KEYS = {"registry": KEY, "reference": "reference_generation", "order": "list_order_generation"}
REGISTRY_TABLES = frozenset({"enterprise", "production_line", "line_measure"})
ORDER_TABLES = frozenset({"enterprise", "production_line", "county"})
# The columns whose update moves a firm or a line in the list (any change of a county does).
ORDER_COLUMNS = {"enterprise": ("name", "name_sort", "county_id", "county"),
                 "production_line": ("enterprise_id", "enterprise")}
_CHANGED = "registry_changed"


def _aspects(table, moved=True):
    """The tokens a change to ``table`` renews; ``moved=False``: an ORM update that left its ``ORDER_COLUMNS`` alone."""
    found = {"registry"} if table in REGISTRY_TABLES else {"registry", "reference"}
    if table in ORDER_TABLES and moved:
        found.add("order")
    return found


def _moves(obj):
    """Whether an updated row changed a column of the list's order (any update of a county does)."""
    columns = ORDER_COLUMNS.get(obj.__tablename__)
    if columns is None:
        return True
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def _note(session, aspects):
    session.info.setdefault(_CHANGED, set()).update(aspects)


def _watched(obj):
    if isinstance(obj, Setting):
        return obj.key in LIST_SETTINGS
    return getattr(obj, "__tablename__", None) in WATCHED


def _after_flush(session, flush_context):
    for obj in chain(session.new, session.dirty, session.deleted):
        if _watched(obj):
            _note(session, _aspects(obj.__tablename__, obj not in session.dirty or _moves(obj)))


def _on_execute(state):
    table = getattr(state.statement, "table", None)
    if (state.is_insert or state.is_update or state.is_delete) and getattr(table, "name", None) in WATCHED:
        _note(state.session, _aspects(table.name))


def _upsert(session, key, token, replace=True):
    """Store ``token`` under ``key``; with ``replace`` off, only where the key has no token yet."""
    dialect = session.get_bind().dialect.name
    module = {"postgresql": postgresql, "sqlite": sqlite}.get(dialect)
    if module is None:
        if not replace and session.execute(select(Setting.key).where(Setting.key == key)).first():
            return
        if not session.execute(update(Setting).where(Setting.key == key).values(value=token)).rowcount:
            session.execute(Setting.__table__.insert().values(key=key, value=token))
        return
    stmt = module.insert(Setting.__table__).values(key=key, value=token)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": token}) if replace
                    else stmt.on_conflict_do_nothing(index_elements=["key"]))


def _before_commit(session):
    # The commit's own flush comes after this event: flush first, so its changes are noted too.
    if session.new or session.dirty or session.deleted:
        session.flush()
    changed = session.info.pop(_CHANGED, None)
    if changed:
        # A token the change leaves alone is still created where there is none, so that a narrower cache has a
        # key from the first committed change on (a database loaded without the ORM has none).
        for aspect, key in KEYS.items():
            _upsert(session, key, uuid.uuid4().hex, replace=aspect in changed)


def _forget(session, *args):
    session.info.pop(_CHANGED, None)


def install():
    """Hook the generation into every ORM session (idempotent)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _forget)


def current(aspect="registry"):
    """The committed token of ``aspect`` ("registry", "reference" or "order"; None before the first change)."""
    return db.session.execute(select(Setting.value).where(Setting.key == KEYS[aspect])).scalar()
