"""An admin creates a read-API token in chromium (CSRF on), a client reads the API with it, the admin revokes it."""
import json
import urllib.error
import urllib.request

import pytest

from tests.e2e.test_layout import overflowing

pytestmark = pytest.mark.e2e

LONG_CLIENT = "省级重污染天气应急减排清单管理平台数据交换接口" + "W" * 60


def api_status(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_admin_creates_and_revokes_a_token_that_a_client_uses(make_enterprise, make_line, make_user, sign_in,
                                                                live_server, shot):
    make_line(make_enterprise(name="泽州示例水泥", county_name="泽州县", grade="B"))
    make_user("admin", username="tokens_admin")
    page = sign_in("tokens_admin")
    page.goto(f"{live_server}/admin/users")
    page.click("text=接口令牌")
    page.fill("#name", LONG_CLIENT)
    page.select_option("#county_id", label="泽州县")
    page.click("button:has-text('创建令牌')")
    page.wait_for_selector("text=此令牌只显示这一次")
    token = page.inner_text("code.token")
    assert token.startswith("jc_") and len(token) == 3 + 12 + 1 + 43
    for width in (1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        assert overflowing(page) == [], width
        shot(f"40-api-token-created-{width}")
    status, body = api_status(f"{live_server}/api/v1/lists/red", token)
    assert status == 200 and body["scope"]["name"] == "泽州县" and body["rows"][0]["enterprise"]["name"] == "泽州示例水泥"
    page.click("text=返回令牌列表")
    assert LONG_CLIENT in page.content() and "有效" in page.content() and token not in page.content()
    for width in (1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        assert overflowing(page) == [], width
        shot(f"41-api-tokens-{width}")
    page.click("button:has-text('吊销')")
    page.click("dialog.confirm-dialog button:has-text('确定')")      # revoking asks first
    page.wait_for_selector("text=已吊销令牌")
    status, body = api_status(f"{live_server}/api/v1/lists/red", token)
    assert status == 401 and body["error"]["code"] == "token_invalid"
