"""The list pages, orders and exports over HTTP: access control per role, scoping, bad input, content."""
import io
import zipfile
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from tests.conftest import DEFAULT_MEASURES as FULL

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def two_counties(make_enterprise, make_line):
    """One enterprise in 城区 and one in 泽州县, each with a stopping line."""
    city = make_enterprise(name="城区甲企业", county_name="城区")
    make_line(city, name="1#窑", measures=FULL)
    zezhou = make_enterprise(name="泽州乙企业", county_name="泽州县")
    make_line(zezhou, name="2#窑", measures=FULL)
    return city, zezhou


def list_names(data):
    ws = load_workbook(io.BytesIO(data))["清单"]
    return sorted({row[2] for row in ws.iter_rows(min_row=3, values_only=True)})


STAFF_URLS = ["/lists/yellow", "/lists/red/export.xlsx", "/lists/orange/counties.zip", "/registry/export.xlsx",
              "/lists/check"]


@pytest.mark.parametrize("url", STAFF_URLS + ["/lists/red/orders/1"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("url", STAFF_URLS)
def test_enterprise_user_cannot_see_lists_or_exports(make_user, login, two_counties, url):
    client = login(make_user("enterprise", enterprise=two_counties[0]))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["city", "admin"])
def test_citywide_staff_see_the_whole_city(make_user, login, two_counties, role):
    client = login(make_user(role))
    page = client.get("/lists/red")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "红色预警应急减排清单（全市）" in body and "城区甲企业" in body and "泽州乙企业" in body
    assert "一键导出" in body and "/lists/red/export.xlsx" in body
    assert '<select id="county" name="county"' in body and "全市" in body
    export = client.get("/lists/red/export.xlsx")
    assert (export.status_code, export.mimetype) == (200, XLSX)
    assert quote("晋城市_红色预警减排清单.xlsx") in export.headers["Content-Disposition"]
    assert list_names(export.data) == ["城区甲企业", "泽州乙企业"]
    for url in ("/lists/red/counties.zip", "/registry/export.xlsx", "/lists/check",
                f"/lists/red/orders/{two_counties[1].id}"):
        assert client.get(url).status_code == 200, url


def test_city_user_can_pick_a_county_by_id_or_name(make_user, login, two_counties, county):
    client = login(make_user("city"))
    by_name = client.get("/lists/orange?county=泽州县").get_data(as_text=True)
    assert "泽州乙企业" in by_name and "城区甲企业" not in by_name
    by_id = client.get(f"/lists/orange?county={county('城区').id}").get_data(as_text=True)
    assert "城区甲企业" in by_id and "泽州乙企业" not in by_id
    export = client.get("/lists/orange/export.xlsx?county=泽州县")
    assert quote("泽州县_橙色预警减排清单.xlsx") in export.headers["Content-Disposition"]
    assert list_names(export.data) == ["泽州乙企业"]


def test_county_user_sees_and_exports_only_their_county(make_user, login, two_counties, county):
    client = login(make_user("county", county_name="泽州县"))
    body = client.get("/lists/red").get_data(as_text=True)
    assert "泽州乙企业" in body and "城区甲企业" not in body
    assert "红色预警应急减排清单（泽州县）" in body and 'name="county"' not in body
    assert client.get("/lists/red?county=泽州县").status_code == 200
    assert list_names(client.get("/lists/red/export.xlsx").data) == ["泽州乙企业"]
    archive = zipfile.ZipFile(io.BytesIO(client.get("/lists/red/counties.zip").data))
    assert archive.namelist() == ["泽州县_红色预警减排清单.xlsx"]
    registry = load_workbook(io.BytesIO(client.get("/registry/export.xlsx").data)).active
    assert [row[0] for row in registry.iter_rows(min_row=2, values_only=True)] == ["泽州乙企业"]


@pytest.mark.parametrize("url", ["/lists/red?county=城区", "/lists/red/export.xlsx?county=城区",
                                 "/lists/red/counties.zip?county=城区", "/registry/export.xlsx?county=城区",
                                 "/lists/check?county=城区"])
def test_county_user_asking_for_another_county_gets_404(make_user, login, two_counties, url):
    client = login(make_user("county", county_name="泽州县"))
    assert client.get(url).status_code == 404


def test_county_user_sees_orders_of_their_county_only(make_user, login, two_counties):
    city, zezhou = two_counties
    client = login(make_user("county", county_name="泽州县"))
    assert client.get(f"/lists/red/orders/{zezhou.id}").status_code == 200
    assert client.get(f"/lists/red/orders/{city.id}").status_code == 404


def test_enterprise_user_sees_only_its_own_order(make_user, login, two_counties):
    city, zezhou = two_counties
    client = login(make_user("enterprise", enterprise=city))
    own = client.get(f"/lists/orange/orders/{city.id}")
    assert own.status_code == 200
    assert "城区甲企业" in own.get_data(as_text=True)
    assert client.get(f"/lists/orange/orders/{zezhou.id}").status_code == 404


@pytest.mark.parametrize("url", ["/lists/purple", "/lists/blue/export.xlsx", "/lists/RED/counties.zip",
                                 "/lists/green/orders/1", "/lists/red/orders/abc", "/lists/red/orders/-1",
                                 "/lists/red?county=火星县", "/lists/red/export.xlsx?county=999999",
                                 "/lists/check?county=火星县", "/lists/red/orders/999999"])
def test_bad_input_is_404(make_user, login, url):
    assert login(make_user("admin")).get(url).status_code == 404


def test_list_is_paginated_by_enterprise_but_totals_cover_everything(app, make_user, login, make_enterprise,
                                                                     make_line, monkeypatch):
    monkeypatch.setitem(app.config, "ENTERPRISES_PER_PAGE", 2)
    for i in range(5):
        enterprise = make_enterprise(name=f"分页企业{i}")
        make_line(enterprise, name="1#", measures=FULL, so2_t_yr=30.0)
        make_line(enterprise, name="2#", measures=FULL, so2_t_yr=30.0)
    client = login(make_user("city"))
    first = client.get("/lists/red").get_data(as_text=True)
    assert "分页企业0" in first and "分页企业1" in first and "分页企业2" not in first
    assert "第 1 / 3 页，共 5 家企业" in first
    assert "page=2" in first
    # 10 stopped lines at 0.1 t/d SO2 each, whatever the page.
    assert "1.0000" in first
    last = client.get("/lists/red?page=3").get_data(as_text=True)
    assert "分页企业4" in last and "分页企业0" not in last and "1.0000" in last
    assert "第 3 / 3 页" in client.get("/lists/red?page=99").get_data(as_text=True)
    assert "第 1 / 3 页" in client.get("/lists/red?page=x").get_data(as_text=True)


def test_list_page_shows_errors_and_missing_targets(make_user, login, make_enterprise, make_line):
    make_line(make_enterprise(name="弱措施企业", grade="B"), measures={**FULL, "red": ("limit", 30.0, None, "no_g4")})
    make_enterprise(name="无生产线企业")
    body = login(make_user("city")).get("/lists/red").get_data(as_text=True)
    assert "错误：低于行业措施底线（底线：停产；禁止国四及以下重型载货车辆（含燃气）运输）：削减比例30%低于底线100%" in body
    assert "未录入全社会排放量基数" in body
    assert "另有 1 家企业未登记生产线" in body


def test_order_page_lists_each_line_and_prints_on_a4(make_user, login, make_enterprise, make_line, client):
    enterprise = make_enterprise(name="通知单企业", grade="C")
    stop = {"red": ("stop", None, None, "no_g4")}            # what the clinker C floor asks at red
    make_line(enterprise, name="1#窑", facilities="回转窑", measures=stop)
    make_line(enterprise, name="2#磨", facilities="水泥磨", measures=stop)
    body = login(make_user("city")).get(f"/lists/red/orders/{enterprise.id}").get_data(as_text=True)
    assert "晋城市重污染天气红色预警停限产通知单" in body and "Ⅰ级应急响应" in body
    assert "1#窑" in body and "2#磨" in body and "回转窑" in body and "用电量" in body
    assert body.count("<strong>停产；禁止国四及以下重型载货车辆（含燃气）运输</strong>") == 2
    assert "暂不下达" not in body and "data-print" in body
    with client.get("/static/css/app.css") as response:
        css = response.get_data(as_text=True)
    assert "@page { size: A4" in css and "@media print" in css


def test_check_page_links_each_finding_to_its_fix(make_user, login, make_enterprise, make_line):
    enterprise = make_enterprise(name="缺措施企业")
    line = make_line(enterprise, measures={"yellow": FULL["yellow"]})
    empty = make_enterprise(name="空企业", county_name="泽州县")
    client = login(make_user("city"))
    body = client.get("/lists/check").get_data(as_text=True)
    assert "发现错误 2 项" in body
    assert "未填写橙色、红色预警减排措施" in body
    assert f"/enterprises/{enterprise.id}/lines/{line.id}/edit" in body
    assert f"/enterprises/{empty.id}/lines/new" in body and "未登记生产线" in body


def test_check_page_for_a_county_user_shows_only_their_county(make_user, login, make_enterprise):
    make_enterprise(name="城区空企业")
    make_enterprise(name="泽州空企业", county_name="泽州县")
    body = login(make_user("county", county_name="泽州县")).get("/lists/check").get_data(as_text=True)
    assert "泽州空企业" in body and "城区空企业" not in body


def test_nav_links_for_staff(make_user, login, two_counties):
    staff = login(make_user("county", county_name="城区")).get("/lists/yellow").get_data(as_text=True)
    assert 'href="/lists/check"' in staff and 'href="/registry/export.xlsx"' in staff


def test_nav_links_for_enterprise_users(make_user, login, two_counties):
    city = two_counties[0]
    own = login(make_user("enterprise", enterprise=city)).get(f"/enterprises/{city.id}").get_data(as_text=True)
    assert 'href="/obligations"' in own and 'href="/lists/check"' not in own
