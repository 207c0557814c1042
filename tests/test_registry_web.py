"""Registry pages: every route for each role, form validation with no write, and filters."""
import re

import pytest

from models import Enterprise, LineMeasure, ProductionLine, db


@pytest.fixture
def world(make_enterprise, make_line, make_user):
    """Two enterprises in two counties, each with a line, and a user of every kind."""
    own = make_enterprise(name="城区甲水泥有限公司", county_name="城区")
    other = make_enterprise(name="泽州乙水泥有限公司", county_name="泽州县")
    own_line = make_line(own)
    make_line(other)
    users = {
        "admin": make_user("admin"),
        "city": make_user("city"),
        "county_own": make_user("county", county_name="城区"),
        "county_other": make_user("county", county_name="泽州县"),
        "ent_own": make_user("enterprise", enterprise=own),
        "ent_other": make_user("enterprise", enterprise=other),
    }
    return {"own": own, "other": other, "line": own_line, "users": users}


def _urls(w):
    e, line = w["own"].id, w["line"].id
    return {
        "list": "/enterprises",
        "new": "/enterprises/new",
        "view": f"/enterprises/{e}",
        "edit": f"/enterprises/{e}/edit",
        "delete": f"/enterprises/{e}/delete",
        "new_line": f"/enterprises/{e}/lines/new",
        "edit_line": f"/enterprises/{e}/lines/{line}/edit",
        "delete_line": f"/enterprises/{e}/lines/{line}/delete",
    }


# Expected GET status per role; 302 for the enterprise list means "sent to its own page".
EXPECTED_GET = {
    "admin":        dict(list=200, new=200, view=200, edit=200, delete=200, new_line=200, edit_line=200, delete_line=200),
    "city":         dict(list=200, new=200, view=200, edit=200, delete=200, new_line=200, edit_line=200, delete_line=200),
    "county_own":   dict(list=200, new=200, view=200, edit=200, delete=200, new_line=200, edit_line=200, delete_line=200),
    "county_other": dict(list=200, new=200, view=404, edit=404, delete=404, new_line=404, edit_line=404, delete_line=404),
    "ent_own":      dict(list=302, new=403, view=200, edit=403, delete=403, new_line=403, edit_line=403, delete_line=403),
    "ent_other":    dict(list=302, new=403, view=404, edit=403, delete=403, new_line=403, edit_line=403, delete_line=403),
}


@pytest.mark.parametrize("role", list(EXPECTED_GET))
def test_get_routes_per_role(world, login, role):
    client = login(world["users"][role])
    for name, url in _urls(world).items():
        assert client.get(url).status_code == EXPECTED_GET[role][name], (role, name)


def test_anonymous_is_sent_to_login(world, client):
    for url in list(_urls(world).values()) + ["/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("role", ["county_other", "ent_own", "ent_other"])
def test_refused_posts_change_nothing(world, login, role):
    client = login(world["users"][role])
    urls = _urls(world)
    for name in ("delete_line", "delete"):
        assert client.post(urls[name]).status_code in (403, 404)
    assert client.post(urls["edit"], data={"name": "改名"}).status_code in (403, 404)
    db.session.expire_all()
    own = db.session.get(Enterprise, world["own"].id)
    assert own.name == "城区甲水泥有限公司" and len(own.lines) == 1


def test_enterprise_user_sees_only_its_own(world, login):
    client = login(world["users"]["ent_own"])
    page = client.get(f"/enterprises/{world['own'].id}").get_data(as_text=True)
    assert "城区甲水泥有限公司" in page and "泽州乙水泥有限公司" not in page
    assert "编辑企业信息" not in page          # read-only
    assert client.get("/").headers["Location"].endswith("/obligations")      # home: its obligations page


def test_county_user_list_shows_only_its_county(world, login):
    page = login(world["users"]["county_own"]).get("/enterprises").get_data(as_text=True)
    assert "城区甲水泥有限公司" in page and "泽州乙水泥有限公司" not in page
    # Even asking for another county's filter shows nothing of it.
    other_county = world["other"].county_id
    page = login(world["users"]["county_own"]).get(f"/enterprises?county={other_county}").get_data(as_text=True)
    assert "<h1>企业名录</h1>" in page and "泽州乙水泥有限公司" not in page


def _enterprise_form(world, **overrides):
    data = {
        "name": "新登记水泥有限公司", "credit_code": "9144030071526726XG",
        "county_id": str(world["own"].county_id), "industry_id": str(world["own"].industry_id),
        "category_code": "GRADED", "grade_code": "B", "town": "北石店镇",
    }
    data.update(overrides)
    return data


def test_city_creates_enterprise_with_normalised_code(world, login):
    client = login(world["users"]["city"])
    response = client.post("/enterprises/new", data=_enterprise_form(world, credit_code=" ９１４４０３００７１５２６７２６ｘｇ "))
    assert response.status_code == 302
    created = db.session.query(Enterprise).filter_by(name="新登记水泥有限公司").one()
    assert created.credit_code == "9144030071526726XG" and created.grade_code == "B"


@pytest.mark.parametrize("overrides, message", [
    ({"credit_code": "9144030071526726XH"}, "校验位错误"),
    ({"name": ""}, "请填写企业名称"),
    ({"grade_code": "LEADING"}, "不允许“引领性”"),
    ({"category_code": "GUARANTEED", "grade_code": "C"}, "保障类企业须达到B级及以上或引领性"),
    ({"county_id": ""}, "请选择所属县（市、区）"),
    ({"industry_id": "99999"}, "不是有效的选择"),
])
def test_bad_enterprise_input_shows_error_and_writes_nothing(world, login, overrides, message):
    client = login(world["users"]["city"])
    before = db.session.query(Enterprise).count()
    response = client.post("/enterprises/new", data=_enterprise_form(world, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(Enterprise).count() == before


def test_duplicate_credit_code_is_refused(world, login):
    client = login(world["users"]["city"])
    response = client.post("/enterprises/new", data=_enterprise_form(world, credit_code=world["other"].credit_code))
    assert "该统一社会信用代码已登记（泽州乙水泥有限公司）" in response.get_data(as_text=True)
    assert db.session.query(Enterprise).count() == 2


def test_edit_keeps_own_code_and_saves(world, login):
    client = login(world["users"]["county_own"])
    data = _enterprise_form(world, name="城区甲水泥（改名）有限公司", credit_code=world["own"].credit_code,
                            version=str(world["own"].version))
    assert client.post(f"/enterprises/{world['own'].id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Enterprise, world["own"].id).name == "城区甲水泥（改名）有限公司"


def test_county_user_cannot_move_enterprise_to_another_county(world, login):
    client = login(world["users"]["county_own"])
    data = _enterprise_form(world, credit_code=world["own"].credit_code, county_id=str(world["other"].county_id))
    response = client.post(f"/enterprises/{world['own'].id}/edit", data=data)
    assert response.status_code == 200 and "不是有效的选择" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enterprise, world["own"].id).county_id == world["own"].county_id


def _line_form(**overrides):
    data = {
        "name": "2#熟料生产线", "process_stage": "熟料烧成", "facilities": "回转窑、篦冷机", "capacity": "5000",
        "capacity_unit": "吨/日", "can_stop_quickly": "y", "so2_t_yr": "12.5", "nox_t_yr": "90", "pm_t_yr": "8",
        "vocs_t_yr": "0", "operating_days": "300",
        "yellow-action": "none", "yellow-transport": "no_g4", "yellow-text": "禁止国四及以下重型货车运输",
        "orange-action": "limit", "orange-limit_pct": "20", "orange-transport": "no_g4", "orange-text": "限产20%",
        "orange-indicators": "用电量",
        "red-action": "stop", "red-transport": "no_g4", "red-text": "停产", "red-indicators": "用电量、投料量",
    }
    data.update(overrides)
    return data


def _confirmed(client, url, data):
    """Post a line form that the rules warn about: the warnings come first, nothing is saved; then confirm."""
    first = client.post(url, data=data)
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "尚未保存" in page
    seen = re.search(r'name="warnings_seen" type="hidden" value="([0-9a-f]+)"', page).group(1)
    return first, client.post(url, data={**data, "warnings_seen": seen, "confirm_warnings": "y"})


def test_whole_line_with_three_measures_in_one_form(world, login):
    client = login(world["users"]["city"])
    response = client.post(f"/enterprises/{world['own'].id}/lines/new", data=_line_form())
    assert response.status_code == 302
    line = db.session.query(ProductionLine).filter_by(name="2#熟料生产线").one()
    measures = {m.level: (m.action, m.limit_pct, m.other_fraction, m.transport) for m in line.measures}
    assert measures == {"yellow": ("none", None, None, "no_g4"), "orange": ("limit", 20.0, None, "no_g4"),
                        "red": ("stop", None, None, "no_g4")}
    assert line.daily_baseline("nox") == pytest.approx(0.3)


@pytest.mark.parametrize("overrides, message", [
    ({"name": "1#生产线"}, "本企业已有同名生产线"),
    ({"so2_t_yr": "-1"}, "不能为负数"),
    ({"so2_t_yr": "abc"}, "请填写数字"),
    ({"operating_days": "400"}, "应在1到366之间"),
    ({"orange-limit_pct": ""}, "“限产”须填写比例（%）"),
    ({"orange-limit_pct": "100"}, "限产比例应大于0且小于100"),
    ({"red-action": ""}, "请选择措施类型"),
    ({"yellow-action": "other", "yellow-other_fraction": "1.5"}, "削减比例应在0到1之间"),
    ({"red-action": "coking_time", "red-hours": "500"}, "延长后的结焦时间应大于0且不超过240小时"),
    ({"red-action": "heat_led"}, "“以热定产”须填写负荷上限（%）"),
    ({"red-transport": "trucks"}, "不是有效的选择"),
    ({"coking_hours": "-3"}, "应在1到240小时之间"),
])
def test_bad_line_input_shows_error_and_writes_nothing(world, login, overrides, message):
    client = login(world["users"]["city"])
    before = (db.session.query(ProductionLine).count(), db.session.query(LineMeasure).count())
    response = client.post(f"/enterprises/{world['own'].id}/lines/new", data=_line_form(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert (db.session.query(ProductionLine).count(), db.session.query(LineMeasure).count()) == before


def test_edit_line_changes_red_measure(world, login):
    client = login(world["users"]["county_own"])
    url = f"/enterprises/{world['own'].id}/lines/{world['line'].id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "1#生产线" in form and "red措施" in form        # pre-filled from the stored line and measure
    # 限产60% at red is weaker than the clinker B floor (停产): a warning first, saved once confirmed.
    warned, response = _confirmed(client, url, _line_form(name="1#生产线", version=str(world["line"].version),
                                                          **{"red-action": "limit", "red-limit_pct": "60"}))
    assert "红色预警：弱于行业措施底线" in warned.get_data(as_text=True)
    assert response.status_code == 302
    db.session.expire_all()
    red = db.session.get(ProductionLine, world["line"].id).measure_for("red")
    assert (red.action, red.limit_pct) == ("limit", 60.0)


def test_delete_line_and_enterprise(world, login):
    client = login(world["users"]["city"])
    own = world["own"].id
    assert client.post(f"/enterprises/{own}/lines/{world['line'].id}/delete").status_code == 302
    assert db.session.query(ProductionLine).filter_by(enterprise_id=own).count() == 0
    assert client.post(f"/enterprises/{own}/delete").status_code == 302
    assert db.session.get(Enterprise, own) is None
    assert db.session.query(LineMeasure).count() == 3          # only the other enterprise's line remains


def test_delete_needs_confirmation_page(world, login):
    page = login(world["users"]["city"]).get(f"/enterprises/{world['own'].id}/delete").get_data(as_text=True)
    assert "确认删除" in page and "城区甲水泥有限公司" in page
    assert db.session.get(Enterprise, world["own"].id) is not None


@pytest.mark.parametrize("query, shown, hidden", [
    ("q=甲水泥", "城区甲水泥有限公司", "泽州乙水泥有限公司"),
    ("q=%25", "没有符合条件的企业。", "城区甲水泥有限公司"),         # a literal % matches nothing here
    ("q=' OR 1=1 --", "没有符合条件的企业。", "城区甲水泥有限公司"),
    ("grade=grade:C", "没有符合条件的企业。", "城区甲水泥有限公司"),
    ("grade=grade:B", "城区甲水泥有限公司", None),
    ("flag=violation", "没有符合条件的企业。", "城区甲水泥有限公司"),
    ("sort=bogus", "城区甲水泥有限公司", None),                   # an unknown sort falls back to name
])
def test_search_and_filters(world, login, query, shown, hidden):
    response = login(world["users"]["city"]).get(f"/enterprises?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert shown in page
    if hidden:
        assert hidden not in page


def test_search_by_credit_code_prefix(world, login):
    code = world["other"].credit_code
    page = login(world["users"]["city"]).get(f"/enterprises?q={code[:17].lower()}").get_data(as_text=True)
    assert "泽州乙水泥有限公司" in page and "城区甲水泥有限公司" not in page


def test_pagination(world, make_enterprise, login):
    for i in range(55):
        make_enterprise(name=f"分页测试{i:02d}有限公司")
    client = login(world["users"]["city"])
    first = client.get("/enterprises?sort=name").get_data(as_text=True)
    assert "第 1 / 2 页，共 57 条" in first
    second = client.get("/enterprises?sort=name&page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second and "上一页" in second


def test_second_clerk_saving_the_same_enterprise_gets_a_conflict(world, login, make_user):
    url = f"/enterprises/{world['own'].id}/edit"
    base = _enterprise_form(world, credit_code=world["own"].credit_code, name="城区甲水泥有限公司")
    version = str(world["own"].version)
    first = login(world["users"]["city"]).post(url, data={**base, "version": version, "town": "北石店镇"})
    assert first.status_code == 302
    second = login(world["users"]["county_own"]).post(url, data={**base, "version": version, "town": "钟家庄街道"})
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "该记录已被他人修改" in page and "钟家庄街道" in page and "北石店镇" in page
    db.session.expire_all()
    assert db.session.get(Enterprise, world["own"].id).town == "北石店镇"      # nothing overwritten
    # The conflict page carries the current version: saving again is a deliberate overwrite.
    current = str(db.session.get(Enterprise, world["own"].id).version)
    assert f'value="{current}"' in page
    again = login(world["users"]["county_own"]).post(url, data={**base, "version": current, "town": "钟家庄街道"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Enterprise, world["own"].id).town == "钟家庄街道"


def test_measure_edit_by_another_clerk_conflicts_on_the_line(world, login):
    url = f"/enterprises/{world['own'].id}/lines/{world['line'].id}/edit"
    version = str(world["line"].version)
    data = _line_form(name="1#生产线")
    _, saved = _confirmed(login(world["users"]["city"]), url, {**data, "version": version, "red-action": "limit",
                                                               "red-limit_pct": "70"})
    assert saved.status_code == 302
    second = login(world["users"]["county_own"]).post(url, data={**data, "version": version})
    page = second.get_data(as_text=True)
    assert second.status_code == 409 and "红色预警：措施类型" in page and "限产" in page
    db.session.expire_all()
    red = db.session.get(ProductionLine, world["line"].id).measure_for("red")
    assert (red.action, red.limit_pct) == ("limit", 70.0)


def test_grade_changed_in_the_form_enters_the_grade_history(world, login):
    from models import GradeHistory
    client = login(world["users"]["city"])
    data = _enterprise_form(world, credit_code=world["own"].credit_code, name="城区甲水泥有限公司", grade_code="C",
                            version=str(world["own"].version))
    assert client.post(f"/enterprises/{world['own'].id}/edit", data=data).status_code == 302
    db.session.expire_all()
    data["version"] = str(world["own"].version)
    entry = db.session.query(GradeHistory).filter_by(enterprise_id=world["own"].id).one()
    assert (entry.kind, entry.old_grade_code, entry.new_grade_code, entry.status) == ("registry", "B", "C", "applied")
    assert entry.decided_by_name == world["users"]["city"].username
    # Saving again without a grade change adds nothing.
    assert client.post(f"/enterprises/{world['own'].id}/edit", data=data).status_code == 302
    assert db.session.query(GradeHistory).filter_by(enterprise_id=world["own"].id).count() == 1


@pytest.mark.parametrize("overrides, warning", [
    ({"red-action": "limit", "red-limit_pct": "50"}, "红色预警：弱于行业措施底线（停产；禁止国四及以下重型载货车辆（含燃气）运输）："
                                                     "削减比例50%低于底线100%"),
    ({"orange-transport": "none"}, "橙色预警：弱于行业措施底线（限产20%；禁止国四及以下重型载货车辆（含燃气）运输）："
                                   "运输管控弱于底线（应禁止国四及以下重型载货车辆（含燃气）运输）"),
    ({"yellow-action": "limit", "yellow-limit_pct": "30", "orange-limit_pct": "20"},
     "橙色预警：弱于本生产线黄色预警措施（限产30%；禁止国四及以下重型载货车辆（含燃气）运输）"),
    ({"orange-text": "全厂停产"}, "橙色预警：措施文字“全厂停产”写的是“停产”，与措施类型“限产”不一致"),
])
def test_line_form_warns_next_to_the_level_before_saving(world, login, overrides, warning):
    client = login(world["users"]["city"])
    url = f"/enterprises/{world['own'].id}/lines/new"
    before = db.session.query(LineMeasure).count()
    warned, saved = _confirmed(client, url, _line_form(**overrides))
    page = warned.get_data(as_text=True)
    assert warning in page and "我已核对上述提示，仍按填报内容保存" in page
    assert db.session.query(LineMeasure).count() == before + 3 and saved.status_code == 302


def test_a_confirmation_covers_only_the_warnings_shown(world, login):
    client = login(world["users"]["city"])
    url = f"/enterprises/{world['own'].id}/lines/new"
    first = client.post(url, data=_line_form(**{"red-action": "limit", "red-limit_pct": "50"}))
    seen = re.search(r'name="warnings_seen" type="hidden" value="([0-9a-f]+)"', first.get_data(as_text=True)).group(1)
    # The clerk then weakens the measure further: the earlier confirmation does not cover the new warning.
    again = client.post(url, data={**_line_form(**{"red-action": "limit", "red-limit_pct": "30"}),
                                   "warnings_seen": seen, "confirm_warnings": "y"})
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and "削减比例30%低于底线100%" in page and "尚未保存" in page
    assert db.session.query(ProductionLine).filter_by(name="2#熟料生产线").count() == 0


def test_a_line_that_meets_every_floor_saves_at_once(world, login):
    client = login(world["users"]["city"])
    response = client.post(f"/enterprises/{world['own'].id}/lines/new", data=_line_form())
    assert response.status_code == 302
    assert db.session.query(ProductionLine).filter_by(name="2#熟料生产线").count() == 1


def test_enterprise_page_shows_the_effective_measure_beside_the_entered_one(world, login, make_enterprise, make_line):
    firm = make_enterprise(name="A级自主企业", grade="A")
    make_line(firm, measures={"yellow": ("limit", 20.0, None), "orange": ("limit", 20.0, None),
                              "red": ("stop", None, None)})
    page = login(world["users"]["city"]).get(f"/enterprises/{firm.id}").get_data(as_text=True)
    assert "填报：停产 → 执行：自主减排" in page and "依据：A级、引领性企业自主采取减排措施" in page
    enterprise_view = login(world["users"]["ent_own"]).get(f"/enterprises/{world['own'].id}").get_data(as_text=True)
    assert "停产；禁止国四及以下重型载货车辆（含燃气）运输" in enterprise_view


@pytest.mark.parametrize("overrides, message", [
    ({"category_code": "LIVELIHOOD", "grade_code": ""}, "“民生”仅适用于居民供暖锅炉、生活服务业，不适用于“水泥（熟料）”"),
    ({"category_code": "GUARANTEED", "grade_code": "B"}, "“保障类”企业须填写保障类别"),
    ({"category_code": "NON_COMPLIANT", "grade_code": ""}, "“不纳入绩效分级”企业须填写不纳入绩效分级的原因"),
])
def test_enterprise_form_refuses_livelihood_outside_its_industries_and_categories_without_a_reason(
        world, login, overrides, message):
    client = login(world["users"]["city"])
    own = world["own"]
    data = _enterprise_form(world, credit_code=own.credit_code, name=own.name, version=str(own.version), **overrides)
    response = client.post(f"/enterprises/{own.id}/edit", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(Enterprise, own.id).category_code, db.session.get(Enterprise, own.id).category_reason) \
        == ("GRADED", "")


def test_a_guaranteed_firm_saves_with_its_reason(world, login):
    client = login(world["users"]["city"])
    own = world["own"]
    data = _enterprise_form(world, credit_code=own.credit_code, name=own.name, version=str(own.version),
                            category_code="GUARANTEED", grade_code="B", category_reason="保障民生")
    assert client.post(f"/enterprises/{own.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Enterprise, own.id)
    assert (saved.category_code, saved.category_reason, saved.grade_label) == ("GUARANTEED", "保障民生", "保障类（B）")
