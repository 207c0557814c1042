"""Login, logout, the login redirect and CSRF."""
import re

import pytest

from app import create_app
from models import Enterprise, User, db
from tests.conftest import PASSWORD


def test_login_and_logout(client, make_user):
    make_user("city", username="clerk")
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert client.get("/enterprises").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/enterprises").status_code == 302


@pytest.mark.parametrize("username, password, message", [
    ("clerk", "wrong-password", "用户名或密码错误"),
    ("nobody", PASSWORD, "用户名或密码错误"),
    ("", "", "请输入用户名"),
])
def test_bad_login(client, make_user, username, password, message):
    make_user("city", username="clerk")
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert client.get("/enterprises").status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("city", username="clerk")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert "该账号已停用" in response.get_data(as_text=True)


def test_login_follows_only_local_next(client, make_user):
    make_user("city", username="clerk")
    ok = client.post("/login?next=/enterprises?page=2", data={"username": "clerk", "password": PASSWORD})
    assert ok.headers["Location"] == "/enterprises?page=2"
    client.post("/logout")
    evil = client.post("/login?next=//evil.example/x", data={"username": "clerk", "password": PASSWORD})
    assert evil.headers["Location"] == "/"


def test_login_page_is_chinese(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page and "用户名" in page and 'lang="zh-CN"' in page


@pytest.fixture
def csrf_app(app):
    """A second app on the same database with CSRF on, as in production."""
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")}
    csrf_app = create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": True})
    yield csrf_app
    with csrf_app.app_context():
        db.engine.dispose()       # close its pool now, not at garbage collection


def test_csrf_refuses_post_without_token(csrf_app, make_user, make_enterprise):
    make_user("city", username="clerk")
    enterprise = make_enterprise()
    client = csrf_app.test_client()
    with csrf_app.app_context():
        refused = client.post("/login", data={"username": "clerk", "password": PASSWORD})
        assert refused.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"username": "clerk", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        # Logged in now, but a delete without a token is still refused and nothing is removed.
        assert client.post(f"/enterprises/{enterprise.id}/delete").status_code == 400
    assert db.session.get(Enterprise, enterprise.id) is not None
    assert db.session.query(User).filter_by(username="clerk").count() == 1
