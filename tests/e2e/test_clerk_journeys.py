"""A clerk's journeys in Chromium: finding a firm with the list filters, the quality check's fix-link round trip,
and chasing the counties that have not signed for a dispatch."""
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from emergency.publishing.alerts import start_alert
from emergency.publishing.versions import publish_version
from models import db
from tests.conftest import DEFAULT_MEASURES as FULL

pytestmark = pytest.mark.e2e


@pytest.fixture
def registry(make_enterprise, make_line, make_user):
    for name, grade in (("国投晋城水泥有限公司", "B"), ("大唐阳城水泥有限公司", "A"), ("晋城宏达水泥有限公司", "C")):
        make_line(make_enterprise(name=name, grade=grade, county_name="泽州县"))
    broken = make_enterprise(name="缺措施水泥有限公司", grade="B", county_name="泽州县")
    line = make_line(broken, name="2#窑", measures={"yellow": FULL["yellow"], "orange": FULL["orange"]})
    city = make_user("city", username="journey_city")
    chased = make_user("county", username="journey_county", county_name="泽州县")
    chased.real_name, chased.phone = "陈静", "0356-3999123"
    db.session.commit()
    return {"broken": broken, "line": line, "city": city}


def test_filters_find_a_firm_and_survive_paging(registry, sign_in, live_server, shot):
    page = sign_in("journey_city")
    page.goto(f"{live_server}/lists/red")
    names = page.locator("table.list-table strong:not(.measure-label)").all_inner_texts()
    assert names.index("大唐阳城水泥有限公司") < names.index("国投晋城水泥有限公司")
    page.fill("#q", "国投")
    page.click("#list-filters button:has-text('查询')")
    page.wait_for_url(lambda url: "q=" in url)
    assert page.locator("table.list-table strong:not(.measure-label)").all_inner_texts() == ["国投晋城水泥有限公司"]
    page.goto(f"{live_server}/lists/red")
    page.select_option("#measure", "self")
    page.click("#list-filters button:has-text('查询')")
    page.wait_for_url(lambda url: "measure=self" in url)
    assert page.locator("table.list-table strong:not(.measure-label)").all_inner_texts() == ["大唐阳城水泥有限公司"]
    assert page.input_value("#measure") == "self"
    shot("50-list-filtered")


def test_fix_link_round_trip(registry, sign_in, live_server, shot):
    page = sign_in("journey_city")
    page.goto(f"{live_server}/lists/check")
    page.click("tr:has-text('缺措施水泥有限公司') a:has-text('修改生产线')")
    page.wait_for_selector("#level-red.at-fault")
    assert page.locator("#level-yellow.at-fault").count() == 0
    shot("51-fix-form-marks-red")
    page.select_option("#red-action", "stop")
    page.select_option("#red-transport", "no_g4")
    page.fill("#red-text", "全部停产")
    page.fill("#red-indicators", "用电量")
    page.click("button:has-text('保存')")
    page.wait_for_url(lambda url: urlsplit(url).path == "/lists/check")
    findings = page.inner_text("table")
    assert "生产线已保存" in page.content() and "缺措施水泥有限公司" not in findings and "大唐阳城" in findings


def test_chasing_the_counties_that_have_not_signed(registry, sign_in, live_server, shot):
    publish_version("追签收版本", "", registry["city"], override_reason="演示")
    start_alert({"level": "orange", "all_counties": True, "county_ids": [], "note": "",
                 "started_at": datetime(2026, 12, 1), "override_reason": "演示"}, registry["city"])
    db.session.commit()
    page = sign_in("journey_city")
    page.goto(f"{live_server}/alerts")
    page.click("table a >> nth=0")
    page.click("a:has-text('查看未签收的县（市、区）')")
    page.wait_for_selector("table.unsigned")
    text = page.inner_text("main")
    assert "泽州县" in text and "陈静（journey_county）" in text and "0356-3999123" in text
    shot("52-unsigned-counties")
