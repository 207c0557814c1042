"""Read-API tokens: created by an admin (page or CLI) and shown once, stored hashed, revoked, and the only way in."""
import hashlib
import json
from datetime import timedelta

import pytest

from emergency.accounts import api_tokens
from models import ApiToken, AuditLog, County, db

LIST = "/api/v1/lists/red"


def bearer(plain):
    return {"Authorization": f"Bearer {plain}"}


def every_stored_value():
    """Every value of every api_token row and of the audit log, as text."""
    rows = db.session.execute(db.text("SELECT * FROM api_token")).all()
    logs = db.session.execute(db.text("SELECT before, after, summary FROM audit_log")).all()
    return " ".join(str(v) for row in rows + logs for v in row)


def test_an_admin_creates_a_token_that_is_shown_once_and_stored_hashed(client, make_user, login):
    admin = make_user("admin")
    client = login(admin)
    zezhou = db.session.query(County).filter_by(name="泽州县").one()
    response = client.post("/admin/api-tokens", data={"name": "泽州县管理系统", "county_id": zezhou.id})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "此令牌只显示这一次" in page
    token = db.session.query(ApiToken).one()
    plain = next(word for word in page.split() if word.startswith(f"jc_{token.key}_"))[:len("jc__") + 12 + 43]
    assert (token.name, token.county_id, token.created_by_id, token.revoked) == ("泽州县管理系统", zezhou.id, admin.id,
                                                                                 False)
    assert token.secret_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in every_stored_value() and token.key in every_stored_value()
    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    assert token.key in listing and "泽州县管理系统" in listing and "从未使用" in listing
    assert plain not in listing
    assert client.get(LIST, headers=bearer(plain)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None
    used = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "泽州县管理系统" in used and "从未使用" not in used


def test_a_revoked_token_is_refused(client, make_user, login):
    admin = make_user("admin")
    issued = api_tokens.create_token("国网晋城供电公司")
    db.session.commit()
    assert client.get(LIST, headers=bearer(issued.plain)).status_code == 200
    response = login(admin).post(f"/admin/api-tokens/{issued.token.id}/revoke")
    assert response.status_code == 302
    db.session.expire_all()
    token = db.session.get(ApiToken, issued.token.id)
    assert token.revoked and token.revoked_by_id == admin.id
    refusal = client.get(LIST, headers=bearer(issued.plain))
    assert refusal.status_code == 401 and refusal.get_json()["error"]["code"] == "token_invalid"
    assert refusal.get_json()["error"]["message"] == "访问令牌无效或已吊销"
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    assert "已吊销" in page and "国网晋城供电公司" in page
    # Revoking twice says so and changes nothing.
    client.post(f"/admin/api-tokens/{issued.token.id}/revoke")
    assert "已于此前吊销" in client.get("/admin/api-tokens").get_data(as_text=True)
    entries = db.session.query(AuditLog).filter_by(entity_type="api_token").order_by(AuditLog.id).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert json.loads(entries[0].after)["secret_hash"] == "***" and entries[1].username == admin.username


def test_the_form_refuses_a_blank_name_and_writes_nothing(make_user, login):
    client = login(make_user("admin"))
    response = client.post("/admin/api-tokens", data={"name": "  ", "county_id": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "请填写令牌名称（调用方）" in page
    assert db.session.query(ApiToken).count() == 0
    response = client.post("/admin/api-tokens", data={"name": "名" * 101, "county_id": ""})
    assert "字段长度不能超过 100 个字符。" in response.get_data(as_text=True)
    assert db.session.query(ApiToken).count() == 0


def test_the_cli_creates_lists_and_revokes(client, runner):
    result = runner.invoke(args=["api-token", "create", "城区系统", "--county", "城区"])
    assert result.exit_code == 0, result.output
    plain = result.output.strip().splitlines()[-1]
    token = db.session.query(ApiToken).one()
    assert plain.startswith(f"jc_{token.key}_") and token.secret_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert client.get(LIST, headers=bearer(plain)).get_json()["scope"]["name"] == "城区"
    listed = runner.invoke(args=["api-token", "list"])
    assert token.key in listed.output and "城区系统" in listed.output and "有效" in listed.output
    assert plain not in listed.output
    assert runner.invoke(args=["api-token", "revoke", token.key]).exit_code == 0
    assert client.get(LIST, headers=bearer(plain)).status_code == 401
    again = runner.invoke(args=["api-token", "revoke", str(token.id)])
    assert again.exit_code == 1 and "已于此前吊销" in again.output
    missing = runner.invoke(args=["api-token", "revoke", "nope"])
    assert missing.exit_code == 1 and "未找到令牌" in missing.output
    bad = runner.invoke(args=["api-token", "create", "某系统", "--county", "不存在县"])
    assert bad.exit_code == 2 and "未找到县（市、区）" in bad.output
    assert db.session.query(ApiToken).count() == 1
    log = db.session.query(AuditLog).filter_by(entity_type="api_token", action="create").one()
    assert (log.username, log.source) == ("cli", "cli:api-token")


@pytest.mark.parametrize("header, code", [
    (None, "token_missing"),
    ("", "token_missing"),
    ("Bearer", "token_missing"),
    ("Basic dXNlcjpwYXNz", "token_missing"),
    ("Bearer jc_0123456789ab_wrong", "token_invalid"),
    ("Bearer not-a-token", "token_invalid"),
    ("Bearer jc_令牌令牌令牌令牌令牌令牌_x", "token_invalid"),
])
def test_requests_without_a_valid_token_get_401_json(header, code, client):
    real = api_tokens.create_token("省级平台")
    db.session.commit()
    headers = {"Authorization": header} if header is not None else {}
    response = client.get(LIST, headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.get_json()["error"]["code"] == code
    # Right key, wrong secret: refused as well.
    forged = f"jc_{real.token.key}_{'x' * 43}"
    assert client.get(LIST, headers=bearer(forged)).status_code == 401
    assert client.get(LIST, headers=bearer(real.plain)).status_code == 200


@pytest.mark.parametrize("role", ["admin", "city", "county"])
def test_a_session_cookie_does_not_open_the_api(role, client, make_user, login):
    user = make_user(role, county_name="城区" if role == "county" else None)
    client = login(user)
    assert client.get("/lists/red").status_code == 200          # the session works on pages
    for url in (LIST, "/api/v1/enterprises/91140502MA0000001P"):
        response = client.get(url)
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "token_missing"


def test_the_last_use_is_written_at_most_once_a_minute():
    issued = api_tokens.create_token("省级平台")
    db.session.commit()
    token = issued.token
    assert api_tokens.touch(token) is True
    db.session.commit()
    db.session.refresh(token)
    first = token.last_used_at
    assert first is not None and api_tokens.touch(token) is False
    assert api_tokens.touch(token, first + timedelta(seconds=61)) is True
    assert db.session.query(AuditLog).filter_by(entity_type="api_token", action="update").count() == 0
