"""Login throttling: per (address, username) and per username, never per address alone; counted atomically."""
import threading

import pytest

from emergency.accounts import throttle, users
from models import LoginThrottle, User, db
from tests.conftest import PASSWORD


def _fail(client, username="clerk", address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": "wrong-password-1"},
                       environ_base={"REMOTE_ADDR": address})


def _login(client, username="clerk", address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def no_login_delay(app, monkeypatch):
    """Keep the lock-out tests fast; the delay maths is tested on its own below."""
    monkeypatch.setitem(app.config, "LOGIN_DELAY_STEP_SECONDS", 0.0)


def test_failed_logins_lock_the_account_from_that_address(client, make_user, no_login_delay):
    make_user("city", username="clerk")
    for _ in range(5):
        assert _fail(client).status_code == 200
    locked = _login(client)
    assert locked.status_code == 429
    assert "登录失败次数过多，该账号在您所在的地址已被暂时锁定" in locked.get_data(as_text=True)
    assert client.get("/enterprises").status_code == 302          # the right password did not log in
    assert _login(client, address="10.0.0.2").status_code == 302  # the same account from elsewhere did


def test_twenty_bad_logins_from_one_address_do_not_stop_another_users_correct_login(client, make_user,
                                                                                     no_login_delay):
    make_user("admin", username="root")
    for i in range(20):
        assert _fail(client, username=f"guess{i}", address="10.9.9.9").status_code == 200
    for _ in range(4):
        assert _fail(client, username="root", address="10.9.9.9").status_code == 200
    response = _login(client, username="root", address="10.9.9.9")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_account_attacked_from_many_addresses_is_locked_everywhere(client, make_user, no_login_delay):
    make_user("city", username="clerk")
    for i in range(20):
        _fail(client, address=f"10.0.1.{i}")
    response = _login(client, address="10.0.2.1")
    assert response.status_code == 429 and "该账号已被暂时锁定" in response.get_data(as_text=True)


def test_delay_grows_after_a_few_attempts(app):
    delays = [throttle.claim("clerk", "10.0.0.2").delay for _ in range(5)]
    assert delays == [0.0, 0.0, 0.0, 0.5, 1.0]
    assert throttle.claim("clerk", "10.0.0.2").refusal is not None     # the sixth attempt


def test_successful_login_clears_the_accounts_counters(client, make_user, no_login_delay):
    make_user("city", username="clerk")
    for _ in range(3):
        _fail(client)
    _fail(client, address="10.0.0.9")
    assert _login(client).status_code == 302
    assert db.session.query(LoginThrottle).filter(LoginThrottle.key.like("%clerk")).count() == 1  # 10.0.0.9's pair
    assert db.session.query(LoginThrottle).filter_by(scope="user", key="clerk").count() == 0


def test_parallel_attempts_cannot_pass_the_limit(app):
    """Forty attempts at once, each on its own connection: exactly the limit of them get through to the hash."""
    passed, errors, start = [], [], threading.Barrier(40)

    def attempt():
        with app.app_context():   # its own scoped session, so its own connection
            try:
                start.wait()
                if throttle.claim("clerk", "10.0.0.3").refusal is None:
                    passed.append(1)
                db.session.commit()
            except Exception as error:   # shown by the assertion below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(passed) == 5
    assert db.session.query(LoginThrottle.count).filter_by(scope="pair", key="10.0.0.3 clerk").scalar() == 5


def test_unknown_usernames_cost_a_password_check_too(app, monkeypatch):
    checked = []
    real = users.check_password_hash
    monkeypatch.setattr(users, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    assert users.verify("nobody-here", "wrong-password-1") is None
    assert len(checked) == 1 and checked[0].startswith(("scrypt:", "pbkdf2:"))


def test_client_address_comes_from_trusted_proxies_only(app, make_user, no_login_delay, monkeypatch):
    from app import create_app
    make_user("city", username="clerk")
    for proxies, expected in ((0, "10.0.0.1"), (1, "203.0.113.7")):
        proxied = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                              "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test", "TRUSTED_PROXIES": proxies})
        proxied.test_client().post("/login", data={"username": "clerk", "password": "wrong-password-1"},
                                   headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
        with proxied.app_context():
            db.engine.dispose()
        assert db.session.query(LoginThrottle).filter_by(scope="pair", key=f"{expected} clerk").count() == 1
        db.session.query(LoginThrottle).delete()
        db.session.commit()
    assert db.session.query(User).count() == 1
