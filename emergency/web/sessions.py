"""How long a login lasts: an idle timeout and an absolute lifetime, both settings.

The session cookie is signed, not stored, so a copied cookie works from any browser. Three things end it:
- the user's session epoch (``models.User.get_id``), raised by logout, a password change, an admin reset and
  deactivation, which ends every session of that user at its next request;
- ``SESSION_IDLE_MINUTES`` (default 120) without a request;
- ``SESSION_LIFETIME_HOURS`` (default 12) after the login, however busy. The cookie's signature expires then
  too (``PERMANENT_SESSION_LIFETIME``).
"""
import time
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user

DEFAULTS = {"SESSION_IDLE_MINUTES": 120, "SESSION_LIFETIME_HOURS": 12}
LOGIN_AT, SEEN_AT = "_login_at", "_seen_at"
# The last-seen time is rewritten at most this often, so not every response sets a new cookie.
SEEN_RESOLUTION = 60


def setting(name):
    return current_app.config.get(name, DEFAULTS[name])


def init_app(app):
    """The cookie's own signature expires with the absolute lifetime."""
    hours = app.config.get("SESSION_LIFETIME_HOURS", DEFAULTS["SESSION_LIFETIME_HOURS"])
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=hours)


def stamp(target, user, now=None):
    """Write a fresh login of ``user`` into the session mapping ``target``: its id and its two times."""
    now = int(now if now is not None else time.time())
    target["_user_id"] = user.get_id()
    target["_fresh"] = True
    target[LOGIN_AT] = target[SEEN_AT] = now


def begin(user):
    """Log ``user`` in on this request (a new login, or again after ending their other sessions)."""
    login_user(user)
    session.permanent = True
    stamp(session, user)


def expired(values, now):
    """Whether the session mapping ``values`` has passed its idle timeout or its lifetime (or lacks the times)."""
    login_at, seen_at = values.get(LOGIN_AT), values.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    return (now - seen_at > setting("SESSION_IDLE_MINUTES") * 60
            or now - login_at > setting("SESSION_LIFETIME_HOURS") * 3600)


def enforce_timeouts():
    """Before each request: end a logged-in session that is too old or idle too long; else note it was seen."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    if expired(session, now):
        logout_user()
        for key in (LOGIN_AT, SEEN_AT):
            session.pop(key, None)
        return
    if now - session[SEEN_AT] >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
