"""The enterprise's obligations page: the running alert's measures from its published version, only its own."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from emergency.publishing.alerts import change_level, end_alert, start_alert
from emergency.publishing.versions import publish_version
from models import Alert, County, LineMeasure, db
from models.base import utcnow
from tests.html import has_inline_script
from tests.official import workbook_markers

# Measures that meet the clinker B floors (trucks banned at every level, 限产20% at orange, 停产 at red).
MEASURES = {
    "yellow": ("other", None, 0.1, "no_g4"), "orange": ("limit", 30.0, None, "no_g4"), "red": ("stop", None, None, "no_g4"),
}


@pytest.fixture
def world(make_enterprise, make_line, make_user):
    """Two enterprises in 城区 (甲 with two lines, 乙) and one in 泽州县, with their users."""
    own = make_enterprise(name="城区甲水泥", county_name="城区")
    make_line(own, name="1#窑", facilities="回转窑", measures=MEASURES)
    make_line(own, name="2#磨", facilities="水泥磨", measures=MEASURES)
    neighbour = make_enterprise(name="城区乙水泥", county_name="城区")
    make_line(neighbour, name="乙厂专用窑", measures=MEASURES)
    far = make_enterprise(name="泽州丙水泥", county_name="泽州县")
    make_line(far, name="丙厂专用窑", measures=MEASURES)
    city = make_user("city")
    return {"own": own, "neighbour": neighbour, "far": far, "city": city,
            "user": make_user("enterprise", enterprise=own)}


def declare(city, level="orange", counties=("城区",), started=None):
    ids = [db.session.query(County).filter_by(name=name).one().id for name in counties]
    alert = start_alert({"level": level, "all_counties": False, "county_ids": ids,
                         "started_at": started or utcnow() - timedelta(hours=1), "note": ""}, city)
    db.session.commit()
    return alert


def edit_every_measure(text):
    for measure in db.session.query(LineMeasure):
        measure.text = text
    db.session.commit()


def test_running_alert_shows_its_level_and_the_published_measures(world, login):
    publish_version("2020年修订版", "", world["city"])
    edit_every_measure("发布后修改的措施")          # after publishing: must not show
    declare(world["city"], "orange")
    body = login(world["user"]).get("/obligations").get_data(as_text=True)
    assert "当前城区正在执行橙色预警" in body and "2020年修订版" in body
    assert "1#窑" in body and "2#磨" in body and "限产30%" in body
    assert "orange措施" in body and "用电量" in body
    assert "发布后修改的措施" not in body and "yellow措施" not in body and "red措施" not in body
    assert "/obligations/order/orange" in body


def test_an_enterprise_sees_only_its_own_obligations(world, login):
    publish_version("2020年修订版", "", world["city"])
    declare(world["city"], "red", counties=("城区", "泽州县"))
    body = login(world["user"]).get("/obligations").get_data(as_text=True)
    assert "城区甲水泥" in body
    assert "城区乙水泥" not in body and "乙厂专用窑" not in body and "丙厂专用窑" not in body
    order = login(world["user"]).get("/obligations/order/red").get_data(as_text=True)
    assert "城区甲水泥" in order and "乙厂专用窑" not in order and "丙厂专用窑" not in order


def test_order_comes_from_the_alerts_version(world, login):
    publish_version("2020年修订版", "", world["city"])
    declare(world["city"], "red")
    edit_every_measure("发布后修改的措施")
    order = login(world["user"]).get("/obligations/order/red")
    body = order.get_data(as_text=True)
    assert order.status_code == 200
    assert "晋城市重污染天气红色预警停限产通知单" in body and "2020年修订版" in body
    assert "red措施" in body and "发布后修改的措施" not in body
    assert not has_inline_script(body)
    # The enterprise's own order has a 打印 button, wired by the served print.js, not by inline script.
    assert '<button type="button" class="button primary" data-print>打印</button>' in body
    assert "js/print.js" in body


def test_no_alert_says_so_and_shows_all_three_levels(world, login):
    publish_version("2020年修订版", "", world["city"])
    declare(world["city"], "red", counties=("泽州县",))     # another county's alert does not count
    body = login(world["user"]).get("/obligations").get_data(as_text=True)
    assert 'id="no-alert"' in body and "没有正在执行的重污染天气预警" in body
    for text in ("黄色预警", "橙色预警", "红色预警", "yellow措施", "orange措施", "red措施"):
        assert text in body, text
    assert "清单版本“2020年修订版”" in body


def test_ended_and_future_alerts_do_not_cover(world, login):
    publish_version("2020年修订版", "", world["city"])
    alert = declare(world["city"], "orange")
    end_alert(alert, utcnow() - timedelta(minutes=1), world["city"])
    db.session.commit()
    declare(world["city"], "red", started=utcnow() + timedelta(days=1))
    body = login(world["user"]).get("/obligations").get_data(as_text=True)
    assert 'id="no-alert"' in body


def test_a_level_change_shows_the_new_level_and_version(world, login):
    publish_version("2020年修订版", "", world["city"])
    alert = declare(world["city"], "orange")
    edit_every_measure("动态调整后的措施")
    publish_version("2020年12月动态调整", "", world["city"])
    change_level(db.session.get(Alert, alert.id), "red", world["city"])
    db.session.commit()
    body = login(world["user"]).get("/obligations").get_data(as_text=True)
    assert "正在执行红色预警" in body and "2020年12月动态调整" in body and "动态调整后的措施" in body


def test_without_a_published_version_the_registry_measures_are_shown(world, login):
    body = login(world["user"]).get("/obligations").get_data(as_text=True)
    assert "尚未发布清单版本" in body and "orange措施" in body and "乙厂专用窑" not in body


@pytest.mark.parametrize("role", ["city", "admin", "county"])
def test_staff_have_no_obligations_page(world, make_user, login, role):
    client = login(make_user(role, county_name="城区" if role == "county" else None))
    assert client.get("/obligations").status_code == 403
    assert client.get("/obligations/order/red").status_code == 403


def test_anonymous_is_sent_to_login(client):
    for url in ("/obligations", "/obligations/order/red"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_enterprise_user_without_enterprise_and_bad_level(world, make_user, login):
    client = login(make_user("enterprise"))
    assert "您的账号尚未关联企业" in client.get("/obligations").get_data(as_text=True)
    assert login(world["user"]).get("/obligations/order/purple").status_code == 404


WITHHELD = "措施复核中，暂不下达（另行通知）"


def test_a_firm_with_a_line_in_error_gets_no_order_and_its_file_no_marker(world, make_line, make_user, login):
    make_line(world["own"], name="3#窑", measures={**MEASURES, "red": ("limit", 30.0, None, "no_g4")})
    publish_version("2020年修订版", "", world["city"], override_reason="先行发布，3#窑待县局核实")
    alert = start_alert({"level": "red", "all_counties": False, "county_ids": [world["own"].county_id],
                         "started_at": utcnow() - timedelta(hours=1), "note": "",
                         "override_reason": "市政府已决定启动"}, world["city"])
    db.session.commit()
    firm = login(world["user"])
    home = firm.get("/obligations").get_data(as_text=True)
    assert "当前城区正在执行红色预警" in home and "本企业红色预警措施正在复核，暂不下达" in home
    assert "1#窑" not in home and "低于行业措施底线" not in home
    order = firm.get("/obligations/order/red").get_data(as_text=True)
    page = order.split("<main", 1)[1]
    assert "本企业红色预警措施正在复核，暂不下达" in page and "停限产通知单" not in page
    own = firm.get(f"/lists/red/orders/{world['own'].id}").get_data(as_text=True)
    assert "正在复核" in own and "3#窑" not in own and "data-print" not in own
    # Staff see why; the neighbour without errors gets its order.
    city = login(world["city"])
    staff = city.get(f"/lists/red/orders/{world['own'].id}").get_data(as_text=True)
    assert "暂不下达" in staff and "3#窑：" in staff and "低于行业措施底线" in staff and "data-print" not in staff
    neighbour = city.get(f"/lists/red/orders/{world['neighbour'].id}").get_data(as_text=True)
    assert "晋城市重污染天气红色预警停限产通知单" in neighbour and "乙厂专用窑" in neighbour
    # The dispatched workbook: the line under review, the firm off 停限产企业, no marker anywhere.
    [dispatch] = alert.steps[0].dispatches
    workbook = load_workbook(io.BytesIO(dispatch.file.content))
    lines = {row[6]: row[9] for row in workbook["清单"].iter_rows(min_row=3, values_only=True)
             if row[2] == "城区甲水泥"}
    assert lines["3#窑"] == WITHHELD and lines["1#窑"].startswith("停产")
    ordered = {row[2] for row in workbook["停限产企业"].iter_rows(min_row=3, values_only=True)}
    assert ordered == {"城区乙水泥"}
    assert workbook_markers(dispatch.file.content) == []
