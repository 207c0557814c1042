"""Login throttling: failures per account and per address slow the next try, then refuse it for a while."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_

from models import LoginFailure, db
from models.base import utcnow

DEFAULTS = {"LOGIN_WINDOW_MINUTES": 15, "LOGIN_SLOW_AFTER": 3, "LOGIN_LOCK_AFTER": 5,
            "LOGIN_ADDRESS_LOCK_AFTER": 20, "LOGIN_DELAY_STEP_SECONDS": 0.5, "LOGIN_DELAY_MAX_SECONDS": 3.0}


def _setting(name):
    return current_app.config.get(name, DEFAULTS[name])


def _recent(column, value):
    since = utcnow() - timedelta(minutes=_setting("LOGIN_WINDOW_MINUTES"))
    return db.session.query(func.count(LoginFailure.id), func.min(LoginFailure.at)).filter(
        column == value, LoginFailure.at >= since).one()


def assess(username, address):
    """Return (refusal message or None, seconds to delay this attempt)."""
    account_failures, account_first = _recent(LoginFailure.username, username)
    address_failures, address_first = _recent(LoginFailure.address, address)
    window = _setting("LOGIN_WINDOW_MINUTES")
    for failures, first, limit, what in ((account_failures, account_first, _setting("LOGIN_LOCK_AFTER"), "该账号"),
                                         (address_failures, address_first, _setting("LOGIN_ADDRESS_LOCK_AFTER"),
                                          "您所在的地址")):
        if failures >= limit:
            minutes = max(1, int((first + timedelta(minutes=window) - utcnow()).total_seconds() // 60) + 1)
            return f"登录失败次数过多，{what}已被暂时锁定，请约{minutes}分钟后再试。", 0.0
    extra = max(account_failures, address_failures) - _setting("LOGIN_SLOW_AFTER") + 1
    delay = min(extra * _setting("LOGIN_DELAY_STEP_SECONDS"), _setting("LOGIN_DELAY_MAX_SECONDS")) if extra > 0 else 0.0
    return None, delay


def record_failure(username, address):
    db.session.add(LoginFailure(username=username[:60], address=address[:64]))
    db.session.flush()


def clear(username):
    """A successful login forgets the account's failures (not the address's)."""
    db.session.query(LoginFailure).filter(or_(LoginFailure.username == username)).delete()
    db.session.flush()
