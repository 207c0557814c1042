"""Official notices: 通知单 only for stop/limit firms, 告知书 for the rest, numbered once per alert step from the
dispatched version, printed one per A4 page per county, and readable only by whom they concern."""
import re
from datetime import datetime

import pytest

from emergency.publishing.alerts import change_level, start_alert
from emergency.publishing.versions import publish_version
from models import County, Enterprise, LineMeasure, Notice, NoticeBatch, Setting, db
from tests.html import has_inline_script

STOP = {level: ("stop", None, None, "no_g4") for level in ("yellow", "orange", "red")}   # meets the clinker C floors
SELF = {level: ("limit", 10.0, None, "no_g4") for level in ("yellow", "orange", "red")}  # an A firm's commitment
NONE = {level: ("none", None, None) for level in ("yellow", "orange", "red")}
CAPPED = {level: {"action": "heat_led", "cap_pct": 60.0, "transport": "none"} for level in ("yellow", "orange", "red")}
BELOW_FLOOR = {**STOP, "red": ("limit", 30.0, None, "no_g4")}                             # C clinker at red: an error
NUMBER = re.compile(r'<p class="notice-number">(晋市环应急〔2020〕\d+-\d{3}号)</p>')
PAGE = '<article class="order notice-page'
RESUME = "恢复正常生产"
STARTED = datetime(2020, 12, 1, 0, 0)          # UTC: 2020-12-01 08:00 Beijing time


@pytest.fixture
def world(make_enterprise, make_line, make_user):
    """城区: a stopping firm, an A firm, a 民生 and a 保障类 firm, a firm with a line in error; 泽州县: one firm.
    A version is published and a red alert for both counties started; users of each kind."""
    firms = {
        "stop": make_enterprise(name="城区甲水泥", grade="C"),
        "a": make_enterprise(name="城区A级水泥", grade="A"),
        "livelihood": make_enterprise(name="城区供暖锅炉房", industry_code="residential_heating",
                                      category="LIVELIHOOD", grade=None),
        "guaranteed": make_enterprise(name="城区热电", industry_code="heating", category="GUARANTEED", grade=None,
                                      category_reason="保障民生"),
        "error": make_enterprise(name="城区错误水泥", grade="C"),
        "far": make_enterprise(name="泽州乙水泥", county_name="泽州县", grade="C"),
    }
    for key, measures in (("stop", STOP), ("a", SELF), ("livelihood", NONE), ("guaranteed", CAPPED),
                          ("error", BELOW_FLOOR), ("far", STOP)):
        make_line(firms[key], name=f"{firms[key].name}1#线", measures=measures)
    users = {"city": make_user("city"), "county": make_user("county", county_name="城区"),
             "county_other": make_user("county", county_name="泽州县"),
             "a": make_user("enterprise", enterprise=firms["a"]),
             "stop": make_user("enterprise", enterprise=firms["stop"])}
    publish_version("2020年修订版", "", users["city"], override_reason="错误水泥待县局核实")
    alert = start_alert({"level": "red", "all_counties": True, "county_ids": [], "started_at": STARTED,
                         "note": "", "override_reason": "市政府已决定启动"}, users["city"])
    db.session.commit()
    dispatches = {d.county.name: d for d in alert.steps[0].dispatches}
    return {**firms, "users": users, "alert": alert, "dispatches": dispatches}


def notice_of(firm):
    return db.session.query(Notice).filter_by(enterprise_id=firm.id).order_by(Notice.seq).first()


def page_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_only_stop_or_limit_firms_get_a_stop_order(world, login):
    client = login(world["users"]["city"])
    kinds = {key: notice_of(world[key]).kind for key in ("stop", "a", "livelihood", "guaranteed", "far")}
    assert kinds == {"stop": "stop_order", "a": "notice", "livelihood": "notice", "guaranteed": "notice",
                     "far": "stop_order"}
    stop = page_of(client, f"/notices/{notice_of(world['stop']).id}")
    assert "晋城市重污染天气红色预警停限产通知单" in stop and "预警解除后，方可按程序恢复正常生产。" in stop
    a = page_of(client, f"/notices/{notice_of(world['a']).id}")
    main = a.split("<main", 1)[1]
    assert "晋城市重污染天气红色预警应急减排告知书" in main and "停限产通知单" not in main
    assert "自主减排" in a and "鼓励结合实际自主采取减排措施" in a and "企业承诺：red措施" in a
    assert RESUME not in a
    livelihood = page_of(client, f"/notices/{notice_of(world['livelihood']).id}")
    assert "应急减排告知书" in livelihood and "你单位列入民生类清单，预警期间不停产、不限产。" in livelihood
    assert RESUME not in livelihood
    guaranteed = page_of(client, f"/notices/{notice_of(world['guaranteed']).id}")
    assert "应急减排告知书" in guaranteed and "以热定产（负荷不超过60%）" in guaranteed
    assert "依据：保障类企业仅承担保障任务（保障民生）" in guaranteed and "移出保障类清单" in guaranteed
    assert "生产负荷不得超过上表所列上限（以热定产（负荷不超过60%））" in guaranteed
    assert RESUME not in guaranteed


def test_every_notice_carries_its_official_block(world, login):
    body = page_of(login(world["users"]["city"]), f"/notices/{notice_of(world['a']).id}")
    alert = world["alert"]
    assert f'<p class="notice-number">晋市环应急〔2020〕{alert.id}-' in body
    assert '<p class="notice-issuer">晋城市生态环境局</p>' in body and "晋城市生态环境局（盖章）" in body
    assert "于2020-12-01 08:00（北京时间）启动红色预警（Ⅰ级应急响应）" in body
    issued = alert.steps[0].at
    assert f"{issued.year}年{issued.month}月" in body and "年　　月　　日" not in body
    assert "根据《晋城市重污染天气应急预案》和晋城市重污染天气应急减排清单" in body and "2020年修订版" in body
    assert "由生态环境部门依法查处，并纳入绩效等级降级处理。" in body
    assert "联系人及电话：城区生态环境部门" in body
    assert "预览" not in body and not has_inline_script(body)


def test_numbers_run_per_alert_in_list_order_and_skip_firms_in_error(world):
    alert = world["alert"]
    numbers = [n.number for n in db.session.query(Notice).order_by(Notice.seq)]
    assert numbers == [f"晋市环应急〔2020〕{alert.id}-{seq:03d}号" for seq in range(1, 6)]
    assert notice_of(world["error"]) is None and notice_of(world["far"]).seq == 5


def test_a_countys_batch_holds_one_page_per_notice(world, login):
    client = login(world["users"]["county"])
    dispatch = world["dispatches"]["城区"]
    body = page_of(client, f"/dispatches/{dispatch.id}/notices")
    issued = db.session.query(Notice).join(NoticeBatch).filter(NoticeBatch.dispatch_id == dispatch.id).all()
    assert len(issued) == 4
    assert body.count(PAGE) == 4 and len(NUMBER.findall(body)) == 4
    assert sorted(NUMBER.findall(body)) == sorted(n.number for n in issued)
    assert body.count("停限产通知单</h1>") == 1 and body.count("应急减排告知书</h1>") == 3
    # The firm in error is listed apart, with no notice and no number.
    withheld = body.split("暂不下达（措施复核中）", 1)[1].split(PAGE, 1)[0]
    assert "城区错误水泥" in withheld and "低于行业措施底线" in withheld
    assert "<strong>城区错误水泥</strong>" not in body and "<strong>城区甲水泥</strong>" in body
    assert "泽州乙水泥" not in body
    assert "data-print" in body and not has_inline_script(body)
    with client.get("/static/css/app.css") as response:
        css = response.get_data(as_text=True)
    assert ".notice-page { break-after: page;" in css and ".notice-page:last-of-type { break-after: auto;" in css


def test_the_alert_page_links_each_countys_batch(world, login):
    alert, dispatch = world["alert"], world["dispatches"]["城区"]
    city = page_of(login(world["users"]["city"]), f"/alerts/{alert.id}")
    assert f"/dispatches/{dispatch.id}/notices" in city and "批量打印通知（4 份）" in city
    assert "批量打印通知（1 份）" in city
    county = page_of(login(world["users"]["county"]), f"/alerts/{alert.id}")
    assert f"/dispatches/{dispatch.id}/notices" in county
    assert f"/dispatches/{world['dispatches']['泽州县'].id}/notices" not in county


def test_notices_come_from_the_version_even_after_the_registry_is_edited(world, login):
    for measure in db.session.query(LineMeasure):
        measure.text = "发布后修改的措施"
    db.session.get(Enterprise, world["stop"].id).name = "改名后的企业"
    db.session.commit()
    body = page_of(login(world["users"]["city"]), f"/dispatches/{world['dispatches']['城区'].id}/notices")
    assert "城区甲水泥" in body and "red措施" in body
    assert "改名后的企业" not in body and "发布后修改的措施" not in body


def test_a_reprint_keeps_the_number_and_the_texts(world, login):
    client = login(world["users"]["city"])
    notice = notice_of(world["stop"])
    first = page_of(client, f"/notices/{notice.id}")
    db.session.add_all([Setting(key="notice_number_prefix", value="晋市环新〔{year}〕"),
                        Setting(key="notice_contact:" + world["stop"].county.code, value="城区分局 0356-1111111")])
    db.session.commit()
    again = page_of(client, f"/notices/{notice.id}")
    assert NUMBER.findall(first) == NUMBER.findall(again) == [notice.number]
    assert "联系人及电话：城区生态环境部门" in again and "0356-1111111" not in again
    # A new step numbers anew, after the alert's last number (5), in list order (城区: A级, 供暖, 热电, 甲, 错误 —
    # not in error at orange — then 泽州县), with the settings now in force.
    change_level(world["alert"], "orange", world["users"]["city"], "继续执行")
    db.session.commit()
    renumbered = db.session.query(Notice).filter_by(enterprise_id=world["stop"].id).order_by(Notice.seq).all()
    assert len(renumbered) == 2 and renumbered[0].number == notice.number
    assert renumbered[1].number == f"晋市环新〔2020〕{world['alert'].id}-009号"
    second = page_of(client, f"/notices/{renumbered[1].id}")
    assert "联系人及电话：城区分局 0356-1111111" in second and "由红色预警调整为橙色预警" in second


def test_the_enterprise_page_shows_its_notice_with_its_number(world, login):
    client = login(world["users"]["a"])
    body = page_of(client, "/obligations/order/red")
    assert NUMBER.findall(body) == [notice_of(world["a"]).number]
    assert "应急减排告知书" in body and RESUME not in body and "预览，非正式文书" not in body
    other_level = page_of(client, "/obligations/order/orange")
    assert "预览，非正式文书" in other_level and "应急减排告知书" in other_level
    assert NUMBER.findall(other_level) == []
    home = page_of(client, "/obligations")
    assert "本次预警下发的通知（可打印）" in home


def test_the_live_order_page_is_a_preview_without_number(world, login):
    body = page_of(login(world["users"]["city"]), f"/lists/red/orders/{world['stop'].id}")
    assert "预览，非正式文书" in body and "停限产通知单" in body and "当前登记数据（未发布）" in body
    assert NUMBER.findall(body) == [] and "notice-number" not in body


def test_access_to_batches_and_notices(world, client, login):
    own, other = world["dispatches"]["城区"], world["dispatches"]["泽州县"]
    a_notice, far_notice = notice_of(world["a"]), notice_of(world["far"])
    county = login(world["users"]["county"])
    assert county.get(f"/dispatches/{other.id}/notices").status_code == 404
    assert county.get(f"/notices/{far_notice.id}").status_code == 404
    assert "城区A级水泥" in page_of(county, f"/notices/{a_notice.id}")
    firm = login(world["users"]["stop"])
    assert firm.get(f"/notices/{a_notice.id}").status_code == 404
    assert firm.get(f"/dispatches/{own.id}/notices").status_code == 403
    assert "城区甲水泥" in page_of(firm, f"/notices/{notice_of(world['stop']).id}")
    other_county = login(world["users"]["county_other"])
    assert "泽州乙水泥" in page_of(other_county, f"/dispatches/{other.id}/notices")
    client.post("/logout")
    for url in (f"/notices/{a_notice.id}", f"/dispatches/{own.id}/notices", "/notices/settings"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ["/notices/999999", "/dispatches/999999/notices", "/notices/abc",
                                 "/notices/-1", "/dispatches/0/notices", "/notices/99999999999999999999"])
def test_bad_ids_are_404(world, login, url):
    assert login(world["users"]["city"]).get(url).status_code == 404


def test_city_staff_edit_the_texts_and_contacts(world, login, county):
    client = login(world["users"]["city"])
    zezhou = county("泽州县")
    form = {"notice_number_prefix": "晋市环应急〔{year}〕", "notice_legal_basis": "《晋城市重污染天气应急预案》",
            "notice_consequences": "依法查处", f"contact_{zezhou.id}": "泽州分局 李四 0356-2222222"}
    response = client.post("/notices/settings", data=form, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "已保存通知文书设置（修改 3 项）" in body
    assert db.session.get(Setting, f"notice_contact:{zezhou.code}").value == "泽州分局 李四 0356-2222222"
    assert db.session.get(Setting, "notice_number_prefix") is None        # the default is not stored anew
    assert "泽州分局 李四 0356-2222222" in page_of(client, "/notices/settings")
    assert page_of(login(world["users"]["county"]), "/alerts").count("通知文书设置") == 0
    assert login(world["users"]["county"]).get("/notices/settings").status_code == 403


@pytest.mark.parametrize("field, value, message", [
    ("notice_number_prefix", "晋市环应急〔{yr}〕", "文号前缀中只可使用 {year}"),
    ("notice_number_prefix", "", "请填写文号前缀"),
    ("notice_legal_basis", "  ", "请填写法律依据"),
    ("notice_number_prefix", "晋" * 41, "文号前缀不超过40字"),
    ("contact", "电" * 201, "联系人及电话过长"),
])
def test_bad_settings_are_refused_and_nothing_is_written(world, login, county, field, value, message):
    zezhou = county("泽州县")
    form = {"notice_number_prefix": "晋市环新〔{year}〕", "notice_legal_basis": "依据", "notice_consequences": "后果",
            f"contact_{zezhou.id}": "泽州分局"}
    form[f"contact_{zezhou.id}" if field == "contact" else field] = value
    response = login(world["users"]["city"]).post("/notices/settings", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and message in body and "设置有误，未保存" in body
    assert db.session.query(Setting).filter(Setting.key.startswith("notice_")).count() == 0


def test_a_dispatch_from_before_numbering_says_so(world, login):
    dispatch = world["dispatches"]["泽州县"]
    db.session.delete(db.session.query(NoticeBatch).filter_by(dispatch_id=dispatch.id).one())
    db.session.commit()
    body = page_of(login(world["users"]["city"]), f"/dispatches/{dispatch.id}/notices")
    assert "本次下发早于通知文书编号功能" in body and PAGE not in body
    assert db.session.query(County).filter_by(name="泽州县").one().id == dispatch.county_id


def test_a_firm_with_only_a_truck_ban_gets_a_notice_stating_it(make_enterprise, make_line, make_user, login):
    firm = make_enterprise(name="黄色仅运输管控水泥", grade="B")
    make_line(firm, name="1#窑")            # B clinker: 不停限产 with the truck ban at yellow, 停产 at red
    client = login(make_user("city"))
    yellow = page_of(client, f"/lists/yellow/orders/{firm.id}")
    assert "晋城市重污染天气黄色预警应急减排告知书" in yellow and "不停限产；禁止国四及以下重型载货车辆（含燃气）运输" in yellow
    assert "你单位预警期间不列入停限产范围，须落实上表所列措施（含运输管控要求）。" in yellow and RESUME not in yellow
    red = page_of(client, f"/lists/red/orders/{firm.id}")
    assert "晋城市重污染天气红色预警停限产通知单" in red and RESUME in red and "不列入停限产范围" not in red
