"""错峰生产告知书: one numbered notice per firm under the season's regime (豁免 firms get none), frozen when issued,
printed one per A4 page per county; city staff issue them, a county reads its own, an enterprise only its own."""
import re
from datetime import datetime, timedelta

import pytest

from emergency.clock import local_today
from emergency.staggering import notices as stagger_notices
from emergency.staggering.store import adopt_defaults
from models import AuditLog, County, Season, Setting, StaggerNotice, StaggerRule, db
from seed.load import load_stagger_defaults

PAGE = '<article class="order notice-page" data-kind="stagger">'
ISSUED_UTC = datetime(2026, 12, 1, 17, 30)      # 2026-12-02 01:30 Beijing time: the notice is dated 12月2日


@pytest.fixture
def world(make_enterprise, make_line, make_user, monkeypatch):
    load_stagger_defaults()
    today = local_today()
    season = Season(name="本季秋冬季", starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=100))
    db.session.add(season)
    db.session.flush()
    adopt_defaults(season)
    db.session.add(StaggerRule(season_id=season.id, grade_code="C", process="粉磨", regime="days", stop_days="1,11,21"))
    firms = {"d": make_enterprise(name="城区丁级水泥有限公司", grade="D"),
             "c": make_enterprise(name="泽州丙级水泥有限公司", grade="C", county_name="泽州县"),
             "a": make_enterprise(name="泽州甲级水泥有限公司", grade="A", county_name="泽州县")}
    make_line(firms["d"], name="丁1#窑")
    make_line(firms["c"], name="丙1#窑")
    make_line(firms["c"], name="丙2#磨", process_stage="粉磨")
    make_line(firms["a"], name="甲1#窑")
    users = {"city": make_user("city"), "county": make_user("county", county_name="城区"),
             "county_zz": make_user("county", county_name="泽州县"),
             "ent_d": make_user("enterprise", enterprise=firms["d"]),
             "ent_c": make_user("enterprise", enterprise=firms["c"])}
    monkeypatch.setattr(stagger_notices, "utcnow", lambda: ISSUED_UTC)
    db.session.commit()
    return {**firms, "season": season, "users": users}


def _issue(client, season):
    response = client.post(f"/staggering/seasons/{season.id}/notices/issue")
    assert response.status_code == 302
    return response


def _notice(firm):
    return db.session.query(StaggerNotice).filter_by(enterprise_id=firm.id).one()


def _text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_city_issues_one_notice_per_firm_under_a_regime_with_its_official_texts(world, login):
    client, season = login(world["users"]["city"]), world["season"]
    _issue(client, season)
    assert {n.enterprise_id for n in db.session.query(StaggerNotice)} == {world["d"].id, world["c"].id}
    year = season.starts_on.year
    page = _text(client, f"/staggering/notices/{_notice(world['d']).id}")
    for text in ("晋城市生态环境局", "错峰生产告知书", f"晋市环错峰〔{year}〕001号", "城区丁级水泥有限公司",
                 world["d"].credit_code, "丁1#窑", "整季停产", "2026年12月2日",
                 f"{season.starts_on.year}年{season.starts_on.month}月{season.starts_on.day}日至"
                 f"{season.ends_on.year}年{season.ends_on.month}月{season.ends_on.day}日停产，不得组织生产",
                 "山西省2020—2021年秋冬季重点行业错峰生产有关要求", "列入本季秋冬季错峰生产企业名单", "城区生态环境部门"):
        assert text in page, text
    c_page = _text(client, f"/staggering/notices/{_notice(world['c']).id}")
    assert f"晋市环错峰〔{year}〕002号" in c_page
    assert "错峰限产30%" in c_page and "生产负荷不超过正常产能的70%" in c_page
    assert "每月1、11、21日错峰停产" in c_page and "丙2#磨" in c_page
    assert "甲1#窑" not in c_page and "豁免" not in c_page


def test_a_notice_is_frozen_when_issued_and_issuing_again_numbers_only_new_firms(world, login, make_enterprise,
                                                                                 make_line):
    client, season = login(world["users"]["city"]), world["season"]
    _issue(client, season)
    rule = db.session.query(StaggerRule).filter_by(season_id=season.id, grade_code="D").one()
    rule.regime, rule.limit_pct = "limit", 50.0
    db.session.add(Setting(key="stagger_notice_number_prefix", value="晋市环新前缀〔{year}〕"))
    db.session.commit()
    page = _text(client, f"/staggering/notices/{_notice(world['d']).id}")
    assert "整季停产" in page and "错峰限产50%" not in page
    late = make_enterprise(name="城区新列入丙级水泥有限公司", grade="C")
    make_line(late, name="新1#窑")
    overview = _text(client, f"/staggering/seasons/{season.id}/notices")
    assert re.search(r"<td>城区</td><td class=\"num\">1</td><td class=\"num\">1</td>", overview)
    _issue(client, season)
    assert _notice(late).number == f"晋市环新前缀〔{season.starts_on.year}〕003号"
    assert _notice(world["d"]).seq == 1 and db.session.query(StaggerNotice).count() == 3
    _issue(client, season)
    assert db.session.query(StaggerNotice).count() == 3


def test_a_countys_bundle_prints_its_notices_one_per_page_in_number_order(world, login, make_enterprise, make_line):
    second = make_enterprise(name="泽州丁级铸造有限公司", grade="D", county_name="泽州县")
    make_line(second, name="铸1#线")
    client, season = login(world["users"]["city"]), world["season"]
    _issue(client, season)
    zz = db.session.query(County).filter_by(name="泽州县").one()
    page = _text(client, f"/staggering/seasons/{season.id}/notices/county/{zz.id}")
    assert page.count(PAGE) == 2 and '<strong id="notice-count">2</strong>' in page
    assert page.index("泽州丙级水泥有限公司") < page.index("泽州丁级铸造有限公司")
    assert "城区丁级水泥有限公司" not in page and "泽州" in page


def test_who_may_read_and_issue_notices(world, login):
    season, users = world["season"], world["users"]
    _issue(login(users["city"]), season)
    d_notice, c_notice = _notice(world["d"]), _notice(world["c"])
    chengqu = db.session.query(County).filter_by(name="城区").one()
    zz = db.session.query(County).filter_by(name="泽州县").one()
    county = login(users["county"])
    assert "城区丁级水泥有限公司" in _text(county, f"/staggering/notices/{d_notice.id}")
    assert county.get(f"/staggering/notices/{c_notice.id}").status_code == 404
    assert PAGE in _text(county, f"/staggering/seasons/{season.id}/notices/county/{chengqu.id}")
    assert county.get(f"/staggering/seasons/{season.id}/notices/county/{zz.id}").status_code == 404
    overview = _text(county, f"/staggering/seasons/{season.id}/notices")
    assert "<td>城区</td>" in overview and "<td>泽州县</td>" not in overview and "编号下达" not in overview
    ent = login(users["ent_d"])
    assert "城区丁级水泥有限公司" in _text(ent, f"/staggering/notices/{d_notice.id}")
    obligations = _text(ent, "/obligations")
    assert f'href="/staggering/notices/{d_notice.id}">{d_notice.number}</a>' in obligations
    assert "丁1#窑 整季停产" in obligations and c_notice.number not in obligations
    assert ent.get(f"/staggering/notices/{c_notice.id}").status_code == 404
    assert ent.get(f"/staggering/seasons/{season.id}/notices/county/{chengqu.id}").status_code == 403
    # Only city staff number notices: a county's or an enterprise's POST is refused and writes nothing.
    logged = db.session.query(AuditLog).count()
    db.session.delete(d_notice)
    db.session.commit()
    for user in (users["county"], users["ent_d"]):
        assert login(user).post(f"/staggering/seasons/{season.id}/notices/issue").status_code == 403
    assert db.session.query(StaggerNotice).count() == 1 and db.session.query(AuditLog).count() == logged


def test_bad_addresses_are_404_and_a_season_without_rules_issues_nothing(world, login):
    client, season = login(world["users"]["city"]), world["season"]
    assert client.get("/staggering/notices/999999").status_code == 404
    assert client.get("/staggering/seasons/999999/notices").status_code == 404
    assert client.post("/staggering/seasons/999999/notices/issue").status_code == 404
    assert client.get(f"/staggering/seasons/{season.id}/notices/county/999999").status_code == 404
    empty = Season(name="无规则季", starts_on=season.starts_on, ends_on=season.ends_on)
    db.session.add(empty)
    db.session.commit()
    response = client.post(f"/staggering/seasons/{empty.id}/notices/issue", follow_redirects=True)
    assert "没有需要新编号的企业" in response.get_data(as_text=True)
    assert db.session.query(StaggerNotice).filter_by(season_id=empty.id).count() == 0
