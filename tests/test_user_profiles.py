"""People, not logins: users carry 姓名, 单位 and 电话 (required on the admin form), a new user has no default role,
and dispatches, receipts, approvals and the audit log print names."""
from datetime import datetime

import pytest

from emergency.grading import workflow
from emergency.publishing.alerts import confirm_receipt, start_alert
from emergency.publishing.versions import publish_version
from models import User, db

GOOD = {"username": "county_zz", "real_name": "张明", "unit": "泽州县生态环境分局", "phone": "0356-3021234",
        "role": "county", "county_id": "", "password": "Good-pass-2020"}


@pytest.fixture
def admin_client(make_user, login, county):
    return login(make_user("admin", username="root")), county("泽州县").id


def test_the_form_offers_no_default_role(admin_client):
    client, _ = admin_client
    page = client.get("/admin/users/new").get_data(as_text=True)
    select = page[page.index('<select id="role"'):page.index("</select>", page.index('<select id="role"'))]
    assert select.count("<option") == 5 and '<option value="">请选择</option>' in select and "selected" not in select
    assert "姓名" in page and "单位" in page and "电话" in page


def test_admin_creates_a_user_with_name_unit_and_phone(admin_client):
    client, zezhou = admin_client
    response = client.post("/admin/users/new", data={**GOOD, "county_id": zezhou})
    assert response.status_code == 302
    user = db.session.query(User).filter_by(username="county_zz").one()
    assert (user.real_name, user.unit, user.phone, user.role) == ("张明", "泽州县生态环境分局", "0356-3021234", "county")
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "张明" in listing and "泽州县生态环境分局" in listing and "0356-3021234" in listing


@pytest.mark.parametrize("change, message", [
    ({"role": ""}, "请选择角色"), ({"real_name": ""}, "请输入姓名"), ({"unit": "  "}, "请输入单位"),
    ({"phone": ""}, "请输入电话"), ({"real_name": "张" * 41}, "姓名不超过40字"), ({"role": "boss"}, "请选择角色"),
])
def test_bad_input_is_refused_in_chinese_and_writes_nothing(admin_client, change, message):
    client, zezhou = admin_client
    response = client.post("/admin/users/new", data={**GOOD, "county_id": zezhou, **change})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.query(User).filter_by(username="county_zz").count() == 0


def test_names_on_dispatches_receipts_approvals_and_the_log(make_enterprise, make_line, make_user, login):
    firm = make_enterprise(name="名字测试水泥有限公司", grade="B")
    make_line(firm)
    city, county_user = make_user("city", username="city_li"), make_user("county", username="county_cq",
                                                                         county_name="城区")
    city.real_name, county_user.real_name = "李华", "赵强"
    db.session.commit()
    publish_version("版本一", "", city)
    alert = start_alert({"level": "red", "all_counties": True, "county_ids": [], "note": "",
                         "started_at": datetime(2026, 12, 1), "override_reason": ""}, city)
    dispatch = next(d for d in alert.steps[0].dispatches if d.county_id == county_user.county_id)
    dispatch.downloaded_at = datetime(2026, 12, 1)
    confirm_receipt(dispatch, county_user)
    owner = make_user("enterprise", enterprise=firm)
    req = workflow.save_request(firm, {"target": "GRADED:A", "reason": "改造完成", "evidence": ""}, [], owner,
                                submit=True)
    workflow.county_review(req, county_user, "county_pass", note="同意")
    db.session.commit()
    assert alert.created_by == "李华（city_li）" and dispatch.received_by == "赵强（county_cq）"
    page = login(city).get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "李华（city_li）" in page and "赵强（county_cq）" in page
    log = login(city).get("/audit").get_data(as_text=True)
    assert "李华（city_li）" in log
    approval = login(owner).get(f"/requests/{req.id}").get_data(as_text=True)
    assert "赵强（county_cq）" in approval

