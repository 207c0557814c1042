"""Sessions end when they should: a cookie copied before logout, a password change, an admin reset or a
deactivation is refused afterwards; idle and absolute timeouts."""
import time

import pytest

from emergency.web.sessions import LOGIN_AT, SEEN_AT
from models import User, db
from tests.conftest import PASSWORD


def _logged_in(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _cookie(client):
    return client.get_cookie("session").value


def _with_cookie(app, value):
    """A fresh browser holding a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def _works(client):
    response = client.get("/enterprises")
    return response.status_code == 200


def test_a_copied_cookie_works_until_logout_and_never_after(app, make_user):
    make_user("city", username="clerk")
    client = _logged_in(app, "clerk")
    saved = _cookie(client)
    assert _works(_with_cookie(app, saved))
    assert client.post("/logout").status_code == 302
    assert not _works(_with_cookie(app, saved))
    assert not _works(client)


def test_logout_ends_the_users_sessions_in_every_browser(app, make_user):
    make_user("city", username="clerk")
    office, home = _logged_in(app, "clerk"), _logged_in(app, "clerk")
    office.post("/logout")
    assert not _works(home)


def test_a_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    make_user("city", username="clerk")
    client, other = _logged_in(app, "clerk"), _logged_in(app, "clerk")
    saved = _cookie(client)
    response = client.post("/account/password",
                           data={"current": PASSWORD, "new": "New-pass-2021", "confirm": "New-pass-2021"})
    assert response.status_code == 302
    assert _works(client)
    assert not _works(_with_cookie(app, saved)) and not _works(other)


def test_an_admin_reset_ends_the_users_sessions(app, make_user, login):
    make_user("city", username="clerk")
    clerk = _logged_in(app, "clerk")
    saved = _cookie(clerk)
    admin = login(make_user("admin", username="root"))
    target = db.session.query(User).filter_by(username="clerk").one()
    assert admin.post(f"/admin/users/{target.id}/password", data={"new": "Reset-pass-2020"}).status_code == 302
    assert not _works(_with_cookie(app, saved)) and not _works(clerk)


def test_deactivation_ends_the_session_and_reactivation_does_not_revive_it(app, make_user, login):
    target = make_user("city", username="clerk")
    clerk = _logged_in(app, "clerk")
    saved = _cookie(clerk)
    admin = login(make_user("admin", username="root"))
    admin.post(f"/admin/users/{target.id}/active/0")
    admin.post(f"/admin/users/{target.id}/active/1")
    assert not _works(_with_cookie(app, saved))


def test_a_session_without_the_epoch_is_refused(app, make_user):
    """A cookie of the bare id (as before the epoch existed) logs nobody in."""
    user = make_user("city", username="clerk")
    client = app.test_client()
    with client.session_transaction() as session:
        session.update({"_user_id": str(user.id), LOGIN_AT: int(time.time()), SEEN_AT: int(time.time())})
    assert not _works(client)


@pytest.mark.parametrize("login_ago, seen_ago, alive", [
    (3600, 60, True),                  # an hour into a busy session
    (3600, 2 * 3600 + 60, False),      # idle past 2 h
    (12 * 3600 + 60, 60, False),       # busy, but past the 12 h lifetime
    (11 * 3600, 3600, True),
])
def test_idle_timeout_and_absolute_lifetime(app, make_user, login_ago, seen_ago, alive):
    user = make_user("city", username="clerk")
    client = app.test_client()
    now = int(time.time())
    with client.session_transaction() as session:
        session.update({"_user_id": user.get_id(), LOGIN_AT: now - login_ago, SEEN_AT: now - seen_ago})
    assert _works(client) is alive
    if not alive:   # the session is emptied, not only refused once
        with client.session_transaction() as session:
            assert ("warning", "请先登录。") in session["_flashes"]
            assert "_user_id" not in session and LOGIN_AT not in session


def test_timeouts_are_settings(app, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    user = make_user("city", username="clerk")
    client = app.test_client()
    now = int(time.time())
    with client.session_transaction() as session:
        session.update({"_user_id": user.get_id(), LOGIN_AT: now - 600, SEEN_AT: now - 400})
    assert not _works(client)


def test_the_cookie_signature_expires_with_the_lifetime(app):
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600
