"""Sessions and accounts: headers, cookies, password policy, admin resets, deactivation, errors."""
import pytest
from flask import Blueprint

from app import create_app
from emergency.accounts.passwords import policy_error
from emergency.web.sessions import stamp
from models import User, db
from tests.conftest import PASSWORD
from tests.html import has_inline_script, loads_external


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert script_src.strip() == "'self'" and "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert len(response.headers["X-Request-Id"]) == 12


def test_no_inline_script_in_pages(client, make_user, login, make_enterprise):
    enterprise = make_enterprise()
    # The login page is read before logging in: a logged-in user is redirected away from it.
    bodies = {"<h1>登录</h1>": client.get("/login").get_data(as_text=True)}
    client = login(make_user("city"))
    pages = {"/enterprises": "<h1>企业名录</h1>", f"/enterprises/{enterprise.id}": f"<h1>{enterprise.name}</h1>",
             "/enterprises/new": "<h1>新增企业</h1>", "/lists/red": "<h1>红色预警应急减排清单（全市）</h1>"}
    bodies |= {heading: client.get(path).get_data(as_text=True) for path, heading in pages.items()}
    for heading, body in bodies.items():
        assert heading in body and not has_inline_script(body) and not loads_external(body), heading


def test_session_cookie_flags(client, make_user):
    make_user("city", username="clerk")
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    client.post("/logout")
    secure = client.post("/login", data={"username": "clerk", "password": PASSWORD}, base_url="https://localhost")
    assert "Secure" in secure.headers["Set-Cookie"]


def test_csrf_cannot_be_disabled_outside_testing(app):
    with pytest.raises(RuntimeError, match="CSRF"):
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "WTF_CSRF_ENABLED": False})


def test_production_like_app_has_csrf_and_random_secret(app, tmp_path):
    real = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert real.config["WTF_CSRF_ENABLED"] is not False
    assert real.config["SECRET_KEY"] != "dev-only-change-me" and len(real.config["SECRET_KEY"]) >= 32
    with real.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("password, message", [
    ("short1", "密码至少10位"), ("onlyletterslong", "须同时包含字母和数字"), ("1234567890", "须同时包含字母和数字"),
    ("clerk-2020-pass", "不能包含用户名"), ("aaaa1111aaaa", "过于简单"), ("Good-pass-2020", None),
    # zxcvbn's common passwords, and the city's names (seed/data/password_words.csv) with digits
    ("Password123", "过于常见"), ("Qwerty123456", "过于常见"), ("Jincheng2020", "本市地名"),
    ("Zezhou2021x", "本市地名"), ("jinCheng@2024", "本市地名"), ("Longpass-2020", None),
])
def test_password_policy(password, message):
    result = policy_error(password, "clerk")
    assert (result is None) if message is None else (message in result)


def test_user_changes_own_password(client, make_user, login):
    user = make_user("county", username="clerk", county_name="城区")
    client = login(user)
    bad = client.post("/account/password", data={"current": "nope", "new": "New-pass-2021", "confirm": "New-pass-2021"})
    assert "当前密码不正确" in bad.get_data(as_text=True)
    weak = client.post("/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert "密码至少10位" in weak.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)
    ok = client.post("/account/password", data={"current": PASSWORD, "new": "New-pass-2021", "confirm": "New-pass-2021"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("New-pass-2021")


@pytest.mark.parametrize("role", ["city", "county", "enterprise"])
def test_only_admin_manages_users(client, make_user, login, make_enterprise, role):
    target = make_user("city", username="target")
    kwargs = {"county_name": "城区"} if role == "county" else {"enterprise": make_enterprise()} if role == "enterprise" else {}
    client = login(make_user(role, **kwargs))
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{target.id}/password", data={"new": "Hijack-2020x"}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/active/0").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, target.id).active and db.session.get(User, target.id).check_password(PASSWORD)


def test_admin_resets_password_and_creates_users(client, make_user, login):
    target = make_user("city", username="target")
    client = login(make_user("admin", username="root"))
    assert "target" in client.get("/admin/users").get_data(as_text=True)
    assert client.post(f"/admin/users/{target.id}/password", data={"new": "Reset-pass-2020"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).check_password("Reset-pass-2020")
    bad = client.post("/admin/users/new", data={"username": "zz", "role": "county", "password": "Good-pass-2020",
                                                "real_name": "张明", "unit": "泽州县分局", "phone": "0356-1"})
    assert "县级用户须指定所属县" in bad.get_data(as_text=True)
    assert db.session.query(User).filter_by(username="zz").count() == 0


def test_deactivation_ends_an_existing_session_at_once(client, make_user, login):
    clerk = make_user("city", username="clerk")
    client = login(clerk)
    assert client.get("/enterprises").status_code == 200
    clerk.active = False
    db.session.commit()
    assert client.get("/enterprises").status_code == 302


def test_admin_deactivates_from_the_page(app, make_user):
    clerk = make_user("city", username="clerk")
    admin = make_user("admin", username="root")
    clerk_client, admin_client = app.test_client(), app.test_client()
    for c, u in ((clerk_client, clerk), (admin_client, admin)):
        with c.session_transaction() as session:
            stamp(session, u)
    assert clerk_client.get("/enterprises").status_code == 200
    assert admin_client.post(f"/admin/users/{clerk.id}/active/0").status_code == 302
    assert clerk_client.get("/enterprises").status_code == 302
    assert admin_client.post(f"/admin/users/{admin.id}/active/0").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id).active        # an admin cannot lock themself out


def test_unexpected_error_shows_chinese_page_with_request_id(app, caplog):
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True})
    boom = Blueprint("boom", __name__)

    @boom.route("/boom-test")
    def explode():
        raise ValueError("secret internals")

    fresh.register_blueprint(boom)
    response = fresh.test_client().get("/boom-test")
    with fresh.app_context():
        db.engine.dispose()
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统内部错误" in body and "secret internals" not in body and "Traceback" not in body
    request_id = response.headers["X-Request-Id"]
    assert f"请求编号：{request_id}" in body
    assert any(request_id in r.getMessage() and r.exc_info for r in caplog.records)
