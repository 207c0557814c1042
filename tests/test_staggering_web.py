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
    assert _season_count(season) == 7
    response = client.post(url, data={"action": "add", "regime": "days", "stop_days": "1、11，21", "grade_code": "C",
                                      "process": "熟料烧成", "source": "市局通知"})
    assert response.status_code == 302
    added = db.session.query(StaggerRule).filter_by(season_id=season.id, process="熟料烧成").one()
    assert (added.regime, added.stop_days, added.grade_code, added.provisional) == ("days", "1,11,21", "C", False)
    page = client.get(url).get_data(as_text=True)
    assert "每月1,11,21日" in page and "市局通知" in page
    assert client.post(url, data={"action": "delete", "rule_id": str(added.id)}).status_code == 302
    assert _season_count(season) == 7
    actions = [a for (a,) in db.session.query(AuditLog.action).filter_by(entity_type="stagger_rule")]
    assert actions.count("create") == seeded + 8 and actions.count("delete") == 1


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
