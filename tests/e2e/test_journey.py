"""The clerk's journey in a real browser (Playwright driving Debian's chromium)."""
import io

import openpyxl
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def registry(make_enterprise, make_line, make_user):
    firm = make_enterprise(name="端到端测试水泥有限公司", county_name="泽州县", industry_code="cement_clinker", grade="B")
    line = make_line(firm, name="1#熟料线")
    users = {"city": make_user("city", username="e2e_city"),
             "county": make_user("county", username="e2e_county", county_name="泽州县"),
             "enterprise": make_user("enterprise", username="e2e_firm", enterprise=firm)}
    return {"firm": firm, "line": line, "users": users}


def _download(page, click_selector):
    with page.expect_download() as info:
        page.click(click_selector)
    with open(info.value.path(), "rb") as fh:
        return openpyxl.load_workbook(io.BytesIO(fh.read()))


def test_city_clerk_edits_checks_and_exports(registry, sign_in, live_server, shot):
    page = sign_in("e2e_city")
    shot("01-home-city")
    firm, line = registry["firm"], registry["line"]
    page.goto(f"{live_server}/enterprises?q=端到端")
    shot("02-enterprise-list")
    page.click("text=端到端测试水泥有限公司")
    shot("03-enterprise")
    page.click(f"a[href='/enterprises/{firm.id}/lines/{line.id}/edit']")
    page.select_option("#red-action", "limit")
    page.fill("#red-limit_pct", "65")
    page.fill("#red-text", "限产65%，以生产线计（端到端修改）")
    shot("04-line-form")
    page.click("button:has-text('保存')")
    assert "生产线已保存" in page.content()

    page.goto(f"{live_server}/lists/check")
    shot("05-quality-check")
    assert "清单质量检查" in page.content()

    page.goto(f"{live_server}/lists/red")
    shot("06-red-list")
    workbook = _download(page, "text=一键导出")
    rows = [r for r in workbook["清单"].iter_rows(values_only=True) if r and r[2] == "端到端测试水泥有限公司"]
    assert rows and rows[0][8] == "限产" and "限产65%，以生产线计（端到端修改）" in rows[0][9]


def test_refused_action_shows_the_right_message(registry, sign_in, live_server, shot):
    page = sign_in("e2e_firm")
    page.goto(f"{live_server}/enterprises/new")
    shot("07-refused")
    assert "您没有权限执行此操作" in page.content()


def test_bad_login_message(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#username", "nobody")
    page.fill("#password", "wrong-password-1")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.content()
