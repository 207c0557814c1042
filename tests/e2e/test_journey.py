"""The clerk's journey in a real browser (Playwright driving Debian's chromium)."""
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from emergency.registry import credit_code
from models import Enterprise, GradeRequest, ImportBatch, RequestAttachment, db
from tests.conftest import new_credit_code
from tests.import_support import registry_rows, xlsx

pytestmark = pytest.mark.e2e

# A valid 1×1 PNG, uploaded as the application's evidence.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


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
    # A weaker measure than the clinker B floor: the form warns next to the red level and saves nothing.
    page.select_option("#red-action", "limit")
    page.fill("#red-limit_pct", "65")
    page.fill("#red-text", "限产65%（端到端修改）")
    shot("04-line-form")
    page.click("button:has-text('保存')")
    expect(page.locator("#level-red .level-warnings")).to_contain_text("红色预警：弱于行业措施底线")
    expect(page.locator(".flash-warning")).to_contain_text("尚未保存")
    shot("04b-line-warnings")
    # The clerk corrects it instead: a full stop with road transport stopped saves at once.
    page.select_option("#red-action", "stop")
    page.select_option("#red-transport", "no_road")
    page.fill("#red-text", "全厂停产，停止公路运输（端到端修改）")
    page.click("button:has-text('保存')")
    expect(page.locator(".flash-success")).to_contain_text("生产线已保存")

    page.goto(f"{live_server}/lists/check")
    expect(page.locator("h1")).to_contain_text("清单质量检查")
    shot("05-quality-check")

    page.goto(f"{live_server}/lists/red")
    shot("06-red-list")
    workbook = _download(page, "text=一键导出")
    rows = [r for r in workbook["清单"].iter_rows(values_only=True) if r and r[2] == "端到端测试水泥有限公司"]
    assert rows and rows[0][8] == "停产" and rows[0][9].startswith("停产；停止公路运输。全厂停产，停止公路运输（端到端修改）")


def test_refused_action_shows_the_right_message(registry, sign_in, live_server, shot):
    page = sign_in("e2e_firm")
    assert page.goto(f"{live_server}/enterprises/new").status == 403
    expect(page.locator(".card")).to_contain_text("您没有权限执行此操作")
    shot("07-refused")


def test_bad_login_message(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#username", "nobody")
    page.fill("#password", "wrong-password-1")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("用户名或密码错误")


@pytest.fixture
def applicant(registry, make_enterprise, make_line, make_user):
    """A C-grade clinker firm in 泽州县 with its own user, and a firm in 城区 the 泽州县 clerk may not see."""
    firm = make_enterprise(name="端到端申请水泥有限公司", county_name="泽州县", industry_code="cement_clinker", grade="C")
    make_line(firm, name="1#熟料线")
    make_user("enterprise", username="e2e_applicant", enterprise=firm)
    other = make_enterprise(name="端到端城区水泥有限公司", county_name="城区")
    return {**registry, "firm": firm, "other": other}


def _sign_out(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login")


def _grades_in_red_list(page, live_server, name):
    page.goto(f"{live_server}/lists/red")
    workbook = _download(page, "text=一键导出")
    return {r[5] for r in workbook["清单"].iter_rows(values_only=True) if r and r[2] == name}


def test_grade_change_from_application_to_export(applicant, sign_in, live_server, shot):
    name = applicant["firm"].name
    page = sign_in("e2e_city")
    assert _grades_in_red_list(page, live_server, name) == {"C"}
    _sign_out(page)

    # 2. The enterprise applies for B, with a reason and a PNG chosen through the file input.
    page = sign_in("e2e_applicant")
    page.goto(f"{live_server}/requests/new")
    page.select_option("#target", "GRADED:B")
    page.fill("#reason", "已完成超低排放改造，各项指标达到B级要求")
    page.fill("#evidence", "超低排放验收报告、在线监测数据")
    page.set_input_files("#files", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}])
    shot("08-request-form")
    page.click("button:has-text('提交申请')")
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    expect(page.locator(".flash-success")).to_contain_text("已提交第")
    expect(page.locator("h1 .tag")).to_have_text("已提交")
    expect(page.locator("a:has-text('现场照片.png')")).to_be_visible()
    shot("09-request-submitted")
    request_url = page.url
    req = db.session.query(GradeRequest).one()
    assert db.session.query(RequestAttachment).one().display_name == "现场照片.png"
    _sign_out(page)

    # 3. The county passes it, from its inbox.
    page = sign_in("e2e_county")
    page.goto(f"{live_server}/requests")
    page.click(f"a:has-text('第{req.id}号')")
    page.wait_for_url(request_url)
    page.check("input[name=decision][value=county_pass]")
    page.fill("#note", "材料齐全，同意上报")
    shot("10-county-review")
    page.click("button:has-text('提交审核结论')")
    expect(page.locator(".flash-success")).to_contain_text("已审核")
    expect(page.locator("h1 .tag")).to_have_text("县级通过")
    shot("11-county-passed")
    _sign_out(page)

    # 4. The city approves it, effective today (the form's default).
    page = sign_in("e2e_city")
    page.goto(request_url)
    page.check("input[name=decision][value=approve]")
    shot("12-city-review")
    page.click("button:has-text('提交审批结论')")
    expect(page.locator(".flash-success:not(.grade-in-effect)")).to_contain_text("已审批")
    expect(page.locator("h1 .tag")).to_have_text("已批准")
    # The firm's page says when the new grade is enforced (no running alert here: from the next dispatch).
    expect(page.locator(".grade-in-effect")).to_contain_text("新等级“B”已批准")
    shot("13-approved")

    # 5. The red list exported through the page now carries the new grade.
    assert _grades_in_red_list(page, live_server, name) == {"B"}
    shot("14-red-list-after-approval")


def test_import_preview_lists_each_problem_and_offers_no_commit(applicant, sign_in, live_server, shot):
    good = new_credit_code()
    bad = good[:-1] + next(c for c in credit_code.ALPHABET if c != good[-1])
    rows = [{"name": "端到端导入甲公司", "credit_code": bad, "county": "城区", "industry_name": "水泥（熟料）",
             "grade": "B"},
            {"name": "端到端导入乙公司", "credit_code": new_credit_code(), "county": "火星县",
             "industry_name": "水泥（熟料）", "grade": "B"}]
    page = sign_in("e2e_city")
    page.goto(f"{live_server}/import")
    page.set_input_files("#file", files=[{"name": "有问题的清单.xlsx", "mimeType": "application/octet-stream",
                                          "buffer": xlsx(("企业名录", registry_rows(rows)))}])
    page.click("button:has-text('上传并预览')")
    expect(page.locator("h1")).to_have_text("导入预览：有问题的清单.xlsx")
    expect(page.locator(".flash-danger")).to_contain_text("发现问题 2 项，不能导入，未写入任何数据")
    shot("15-import-preview-problems")
    problems = [[cell.strip() for cell in row.locator("td").all_inner_texts()]
                for row in page.locator("table.import-problems tbody tr").all()]
    assert [row[:4] for row in problems] == [["企业名录", "2", "B（统一社会信用代码）", bad],
                                             ["企业名录", "3", "C（县（市、区））", "火星县"]]
    assert all(row[4] for row in problems)
    assert page.locator("button:has-text('确认导入')").count() == 0
    assert db.session.query(Enterprise).filter(Enterprise.name.like("端到端导入%")).count() == 0
    assert db.session.query(ImportBatch).count() == 0


def test_county_user_opening_another_countys_enterprise_gets_the_404_page(applicant, sign_in, live_server, shot):
    page = sign_in("e2e_county")
    response = page.goto(f"{live_server}/enterprises/{applicant['other'].id}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("404")
    expect(page.locator(".card")).to_contain_text("页面不存在，或您无权查看。")
    content = page.content()
    assert "页面不存在，或您无权查看。" in content and "端到端城区水泥有限公司" not in content
    shot("16-county-404")
    # Its own county's enterprise opens normally.
    assert page.goto(f"{live_server}/enterprises/{applicant['firm'].id}").status == 200
