"""Staggered production pages: city staff edit a season's rules (audited, bad input refused with nothing written);
staff read the firms under the regime, a county user only their own county; the xlsx export per county."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from emergency.clock import local_today
from models import AuditLog, Season, StaggerRule, db
from seed.load import load_stagger_defaults


@pytest.fixture
def season():
    load_stagger_defaults()
    today = local_today()
    found = Season(name="本季", starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))
    db.session.add(found)
    db.session.commit()
    return found


def _season_count(season):
    return db.session.query(StaggerRule).filter_by(season_id=season.id).count()


def test_city_adopts_defaults_adds_and_deletes_rules_with_an_audit_trail(season, make_user, login):
    client = login(make_user("city"))
    url = f"/staggering/seasons/{season.id}/rules"
    seeded = db.session.query(AuditLog).filter_by(entity_type="stagger_rule").count()   # the defaults' own
    assert client.post(url, data={"action": "adopt"}).status_code == 302
    assert _season_count(season) == 9
    response = client.post(url, data={"action": "add", "regime": "days", "stop_days": "1、11，21", "grade_code": "C",
                                      "process": "熟料烧成", "source": "市局通知"})
    assert response.status_code == 302
    added = db.session.query(StaggerRule).filter_by(season_id=season.id, process="熟料烧成").one()
    assert (added.regime, added.stop_days, added.grade_code, added.provisional) == ("days", "1,11,21", "C", False)
    page = client.get(url).get_data(as_text=True)
    assert "每月1,11,21日" in page and "市局通知" in page
    # Categories by their Chinese labels, percentages as entered: no stored code on the page.
    start = page.index('id="season-rules"')
    rules = page[start:page.index("</table>", start)]
    assert "非引领性" in rules and "错峰限产 30%" in rules
    assert "NON_LEADING" not in rules and "30.0%" not in rules
    assert client.post(url, data={"action": "delete", "rule_id": str(added.id)}).status_code == 302
    assert _season_count(season) == 9
    actions = [a for (a,) in db.session.query(AuditLog.action).filter_by(entity_type="stagger_rule")]
    assert actions.count("create") == seeded + 10 and actions.count("delete") == 1


@pytest.mark.parametrize("data, message", [
    ({"regime": "limit", "limit_pct": "150"}, "错峰限产比例须为大于0、小于100的数字"),
    ({"regime": "limit", "limit_pct": "三成"}, "错峰限产比例须为大于0、小于100的数字"),
    ({"regime": "days", "stop_days": "32"}, "每月停产日须为1至31的日期"),
    ({"regime": "halt"}, "请选择错峰方式"),
    ({"regime": "exempt", "grade_code": "C", "category_code": "GRADED"}, "绩效等级和类别只能填写其中一项"),
    ({"regime": "exempt", "grade_code": "Z"}, "绩效等级不存在"),
    ({"regime": "exempt", "industry_id": "99999"}, "行业不存在"),
])
def test_bad_rules_are_refused_in_chinese_and_nothing_is_written(season, make_user, login, data, message):
    client = login(make_user("city"))
    logged = db.session.query(AuditLog).count()
    response = client.post(f"/staggering/seasons/{season.id}/rules", data={"action": "add", **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _season_count(season) == 0 and db.session.query(AuditLog).count() == logged


def test_deleting_another_seasons_rule_is_a_404(season, make_user, login):
    other = Season(name="他季", starts_on=season.starts_on, ends_on=season.ends_on)
    db.session.add(other)
    db.session.flush()
    rule = StaggerRule(season_id=other.id, regime="exempt")
    db.session.add(rule)
    db.session.commit()
    client = login(make_user("city"))
    response = client.post(f"/staggering/seasons/{season.id}/rules", data={"action": "delete", "rule_id": rule.id})
    assert response.status_code == 404 and db.session.get(StaggerRule, rule.id) is not None


@pytest.fixture
def firms(season, make_enterprise, make_line):
    from emergency.staggering.store import adopt_defaults
    adopt_defaults(season)
    db.session.commit()
    make_line(make_enterprise(name="城区丁级水泥有限公司", grade="D"))
    make_line(make_enterprise(name="泽州丙级水泥有限公司", grade="C", county_name="泽州县"))
    make_line(make_enterprise(name="泽州甲级水泥有限公司", grade="A", county_name="泽州县"))
    return season


def test_the_city_sees_every_county_and_exports_the_list(firms, make_user, login):
    client = login(make_user("city"))
    page = client.get("/staggering/").get_data(as_text=True)
    for text in ("城区丁级水泥有限公司", "整季停产", "泽州丙级水泥有限公司", "错峰限产30%", "泽州甲级水泥有限公司", "豁免"):
        assert text in page
    response = client.get("/staggering/export.xlsx?county=泽州县")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = {row[2]: row[8] for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], int)}
    assert names == {"泽州丙级水泥有限公司": "错峰限产30%", "泽州甲级水泥有限公司": "豁免"}


def test_a_county_user_sees_only_their_county(firms, make_user, login):
    client = login(make_user("county", county_name="城区"))
    page = client.get("/staggering/").get_data(as_text=True)
    assert "城区丁级水泥有限公司" in page and "泽州丙级水泥有限公司" not in page
    assert client.get("/staggering/?county=泽州县").status_code == 404
    assert client.get("/staggering/export.xlsx?county=泽州县").status_code == 404
    assert client.get(f"/staggering/seasons/{db.session.query(Season.id).scalar()}/rules").status_code == 403


def test_the_dashboard_counts_firms_per_regime_and_county(firms, make_user, login):
    page = login(make_user("city")).get("/dashboard").get_data(as_text=True)
    assert "城区</td><td>整季停产 1 家</td>" in page
    assert "泽州县</td><td>错峰限产30% 1 家；豁免 1 家</td>" in page or \
        "泽州县</td><td>豁免 1 家；错峰限产30% 1 家</td>" in page
    county_page = login(make_user("county", county_name="城区")).get("/dashboard").get_data(as_text=True)
    assert "整季停产 1 家" in county_page and "泽州县</td>" not in county_page


def test_a_rule_edit_shows_on_the_dashboard_at_once(firms, make_user, login):
    """A stagger rule is part of what the list is made of: its edit renews the registry generation, so the cached
    figures are recomputed instead of showing the old regime for the cache's lifetime."""
    from emergency.registry import generation

    client = login(make_user("city"))
    assert "泽州县</td><td>" in client.get("/dashboard").get_data(as_text=True)
    before = generation.current()
    rule = db.session.query(StaggerRule).filter_by(season_id=firms.id, grade_code="C", regime="limit").one()
    response = client.post(f"/staggering/seasons/{firms.id}/rules/{rule.id}",
                           data={"version": str(rule.version), "regime": "limit", "limit_pct": "40",
                                 "grade_code": "C", "source": "市局通知"})
    assert response.status_code == 302
    assert generation.current() != before
    page = client.get("/dashboard").get_data(as_text=True)
    assert "错峰限产40% 1 家" in page and "错峰限产30%" not in page and "整季停产 1 家" in page


def _rule(season, **values):
    rule = StaggerRule(season_id=season.id, **{"regime": "limit", "limit_pct": 30.0, "grade_code": "C", **values})
    db.session.add(rule)
    db.session.commit()
    return rule


def test_city_edits_a_rule_in_place_and_the_history_shows_it_in_beijing_time(season, make_user, login):
    rule = _rule(season, source="暂定")
    client = login(make_user("city"))
    url = f"/staggering/seasons/{season.id}/rules/{rule.id}"
    form = client.get(url).get_data(as_text=True)
    assert 'name="version" value="1"' in form and 'value="30"' in form
    response = client.post(url, data={"version": "1", "regime": "limit", "limit_pct": "40", "grade_code": "C",
                                      "source": "市局2026年错峰通知"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(StaggerRule, rule.id)
    assert (stored.limit_pct, stored.source, stored.version, stored.provisional) == (40.0, "市局2026年错峰通知", 2,
                                                                                     False)
    log = db.session.query(AuditLog).filter_by(entity_type="stagger_rule", entity_id=rule.id, action="update").one()
    page = client.get(f"/staggering/seasons/{season.id}/rules").get_data(as_text=True)
    history = page[page.index('id="rule-history"'):]
    # The history is one section of the page body, not part of its <title>.
    assert "<title>错峰生产规则 · 应急减排清单管理系统</title>" in page and page.count('id="rule-history"') == 1
    from emergency.clock import to_local
    assert to_local(log.at).strftime("%Y-%m-%d %H:%M") in history
    assert "错峰限产比例（%）" in history and "修改" in history and "市局2026年错峰通知" in history
    # A deleted rule stays in its season's history; another season's rules do not show.
    other = Season(name="他季", starts_on=season.starts_on, ends_on=season.ends_on)
    db.session.add(other)
    db.session.commit()
    _rule(other, source="他季规则")
    assert client.post(f"/staggering/seasons/{season.id}/rules",
                       data={"action": "delete", "rule_id": rule.id}).status_code == 302
    history = client.get(f"/staggering/seasons/{season.id}/rules").get_data(as_text=True).split('id="rule-history"')[1]
    assert "删除" in history and "市局2026年错峰通知" in history and "他季规则" not in history


def test_an_edit_opened_on_an_older_version_is_refused_and_nothing_written(season, make_user, login):
    rule = _rule(season)
    client = login(make_user("city"))
    url = f"/staggering/seasons/{season.id}/rules/{rule.id}"
    assert client.post(url, data={"version": "1", "regime": "limit", "limit_pct": "40", "grade_code": "C"}
                       ).status_code == 302
    logged = db.session.query(AuditLog).count()
    stale = client.post(url, data={"version": "1", "regime": "season_stop", "grade_code": "C"})
    assert stale.status_code == 409 and "该规则已被他人修改，未保存" in stale.get_data(as_text=True)
    assert 'name="version" value="2"' in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StaggerRule, rule.id).regime == "limit" and db.session.query(AuditLog).count() == logged


@pytest.mark.parametrize("data, message", [
    ({"regime": "limit", "limit_pct": "0"}, "错峰限产比例须为大于0、小于100的数字"),
    ({"regime": "days", "stop_days": "一日"}, "每月停产日须为1至31的日期"),
    ({"regime": "exempt", "grade_code": "C", "category_code": "GRADED"}, "绩效等级和类别只能填写其中一项"),
    ({"regime": "season_stop", "category_reason": "未按期完成秋冬季治理任务"}, "填写分类原因时须选择类别"),
    ({"regime": "season_stop", "category_code": "NON_COMPLIANT", "category_reason": "保障民生"},
     "分类原因不是该类别认可的原因"),
])
def test_a_bad_edit_is_refused_in_chinese_and_nothing_is_written(season, make_user, login, data, message):
    rule = _rule(season)
    client = login(make_user("city"))
    logged = db.session.query(AuditLog).count()
    response = client.post(f"/staggering/seasons/{season.id}/rules/{rule.id}", data={"version": "1", **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(StaggerRule, rule.id)
    assert (stored.regime, stored.limit_pct, stored.version) == ("limit", 30.0, 1)
    assert db.session.query(AuditLog).count() == logged


def test_a_rule_on_a_category_reason_is_added_and_only_city_staff_edit(season, make_user, login):
    client = login(make_user("city"))
    response = client.post(f"/staggering/seasons/{season.id}/rules", data={
        "action": "add", "regime": "season_stop", "category_code": "NON_COMPLIANT",
        "category_reason": "未按期完成秋冬季治理任务"})
    assert response.status_code == 302
    rule = db.session.query(StaggerRule).filter_by(season_id=season.id).one()
    assert rule.category_reason == "未按期完成秋冬季治理任务"
    assert "不纳入绩效分级：未按期完成秋冬季治理任务" in client.get(
        f"/staggering/seasons/{season.id}/rules").get_data(as_text=True)
    url = f"/staggering/seasons/{season.id}/rules/{rule.id}"
    county = login(make_user("county", county_name="城区"))
    assert county.post(url, data={"version": "1", "regime": "exempt"}).status_code == 403
    other = Season(name="他季", starts_on=season.starts_on, ends_on=season.ends_on)
    db.session.add(other)
    db.session.commit()
    city = login(make_user("city", username="city2"))
    assert city.get(f"/staggering/seasons/{other.id}/rules/{rule.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(StaggerRule, rule.id).regime == "season_stop"
