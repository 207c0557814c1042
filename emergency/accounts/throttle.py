"""Login throttling an attacker cannot turn against the bureau.

Two counters limit the attempts on a username: one per (address, username) and one per username over every
address. There is no counter per address alone: behind the bureau's proxy or NAT every user shares an address,
and bad logins with random names from it must not lock out a colleague who types their own correct password.

An attempt is *claimed* before its password is checked: a conditional UPDATE (``count < limit``) that the
database serialises (a row lock on PostgreSQL, the write lock on SQLite), committed at once. Parallel attempts
therefore cannot pass the limit. A successful login resets the username's counters.
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from models import LoginThrottle, db
from models.base import utcnow

DEFAULTS = {"LOGIN_WINDOW_MINUTES": 15, "LOGIN_SLOW_AFTER": 3, "LOGIN_LOCK_AFTER": 5,
            "LOGIN_ACCOUNT_LOCK_AFTER": 20, "LOGIN_DELAY_STEP_SECONDS": 0.5, "LOGIN_DELAY_MAX_SECONDS": 3.0}
KEY_MAX = 130


def setting(name):
    return current_app.config.get(name, DEFAULTS[name])


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming an attempt: a Chinese refusal, or the seconds to wait before checking."""

    refusal: str | None
    delay: float = 0.0


def _keys(username, address):
    username = username[:60]
    return (("pair", f"{address[:64]} {username}", setting("LOGIN_LOCK_AFTER")),
            ("user", username, setting("LOGIN_ACCOUNT_LOCK_AFTER")))


def _ensure(scope, key, now):
    """Create the counter if missing; a parallel attempt creating it first is fine."""
    if db.session.query(LoginThrottle.id).filter_by(scope=scope, key=key).first() is None:
        try:
            with db.session.begin_nested():
                db.session.add(LoginThrottle(scope=scope, key=key, count=0, window_start=now))
        except IntegrityError:
            pass


def _take(scope, key, limit, now):
    """Add one to the counter unless it is at ``limit``; True when the attempt may go on."""
    since = now - timedelta(minutes=setting("LOGIN_WINDOW_MINUTES"))
    where = (LoginThrottle.scope == scope, LoginThrottle.key == key)
    db.session.execute(update(LoginThrottle).where(*where, LoginThrottle.window_start < since)
                       .values(count=0, window_start=now).execution_options(synchronize_session=False))
    taken = db.session.execute(update(LoginThrottle).where(*where, LoginThrottle.count < limit)
                               .values(count=LoginThrottle.count + 1).execution_options(synchronize_session=False))
    return taken.rowcount == 1


def _minutes_left(scope, key, now):
    start = db.session.query(LoginThrottle.window_start).filter_by(scope=scope, key=key).scalar() or now
    left = start + timedelta(minutes=setting("LOGIN_WINDOW_MINUTES")) - now
    return max(1, int(left.total_seconds() // 60) + 1)


def claim(username, address, now=None):
    """Count this attempt before its password is checked. Flushes; the caller commits at once."""
    now = now or utcnow()
    since = now - timedelta(minutes=setting("LOGIN_WINDOW_MINUTES"))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.window_start < since)
                       .execution_options(synchronize_session=False))
    counts = []
    for scope, key, limit in _keys(username, address):
        _ensure(scope, key, now)
        if not _take(scope, key, limit, now):
            what = "该账号在您所在的地址" if scope == "pair" else "该账号"
            return Claim(f"登录失败次数过多，{what}已被暂时锁定，请约{_minutes_left(scope, key, now)}分钟后再试。")
        counts.append(db.session.query(LoginThrottle.count).filter_by(scope=scope, key=key).scalar())
    extra = counts[0] - setting("LOGIN_SLOW_AFTER")
    delay = min(extra * setting("LOGIN_DELAY_STEP_SECONDS"), setting("LOGIN_DELAY_MAX_SECONDS")) if extra > 0 else 0.0
    return Claim(None, delay)


def clear(username, address):
    """A successful login resets the username's counters (its own pair's and the one over every address)."""
    pair, user = _keys(username, address)
    db.session.execute(delete(LoginThrottle).where(
        ((LoginThrottle.scope == pair[0]) & (LoginThrottle.key == pair[1]))
        | ((LoginThrottle.scope == user[0]) & (LoginThrottle.key == user[1])))
        .execution_options(synchronize_session=False))
    db.session.flush()
