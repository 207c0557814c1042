"""A published version freezes staggered production as it stood: the 错峰停产中 lines, the reductions on the
remaining output and the accounting's 错峰生产已减 stay what the live list showed at publishing, after the rules change."""
from datetime import timedelta

import pytest

from emergency.clock import local_today
from emergency.lists.accounting import accumulator_for
from emergency.lists.listing import counties, iter_list_rows
from emergency.publishing.frozen import iter_version_rows
from emergency.publishing.versions import accumulator_for_version, publish_version, version_totals
from emergency.staggering.store import adopt_defaults
from models import POLLUTANTS, Season, StaggerRule, db
from seed.load import load_stagger_defaults


@pytest.fixture
def published(make_enterprise, make_line, make_user):
    load_stagger_defaults()
    today = local_today()
    season = Season(name="本季", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
    db.session.add(season)
    db.session.flush()
    adopt_defaults(season)
    for name, grade in (("丁级水泥有限公司", "D"), ("丙级水泥有限公司", "C"), ("乙级水泥有限公司", "B")):
        make_line(make_enterprise(name=name, grade=grade), measures={"red": ("stop", None, None, "no_g4")})
    live = {r.enterprise_name: r for r in iter_list_rows("red")}
    live_sum = accumulator_for("red", counties())
    for row in live.values():
        live_sum.add(row)
    city = make_user("city")
    version = publish_version("错峰冻结版", "", city, override_reason="测试")
    # The rules change after publishing: staggering is lifted for D and C.
    for rule in db.session.query(StaggerRule).filter_by(season_id=season.id):
        if rule.grade_code in ("C", "D"):
            rule.regime, rule.limit_pct = "exempt", None
    db.session.commit()
    return version, live, live_sum.result().total, city


def test_the_frozen_rows_keep_the_staggered_verdicts_and_amounts(published):
    version, live, _, _ = published
    now = {r.enterprise_name: r for r in iter_list_rows("red")}
    assert now["丁级水泥有限公司"].measure.label != "错峰停产中" and now["丁级水泥有限公司"].staggered == {}
    assert now["丁级水泥有限公司"].measure.label.startswith("停产")
    frozen = {r.enterprise_name: r for r in iter_version_rows(version.id, "red")}
    d, c, b = frozen["丁级水泥有限公司"], frozen["丙级水泥有限公司"], frozen["乙级水泥有限公司"]
    assert d.measure.label == "错峰停产中" and d.measure.stagger_label == "整季停产"
    assert d.reductions == {p: 0.0 for p in POLLUTANTS}
    assert c.measure.stagger_label == "错峰限产30%" and c.measure.staggered == pytest.approx(0.3)
    assert "按剩余70%产能核算" in c.measure.reason
    for name in ("丁级水泥有限公司", "丙级水泥有限公司"):
        assert frozen[name].staggered == pytest.approx(live[name].staggered)
        assert frozen[name].reductions == pytest.approx(live[name].reductions)
    assert b.staggered == {} and b.measure.stagger_label == live["乙级水泥有限公司"].measure.stagger_label == ""
    assert b.reductions["nox"] == pytest.approx(0.2)


def test_the_versions_accounting_and_page_show_what_staggering_removed_at_publishing(published, login):
    version, _, live_total, city = published
    frozen_sum = accumulator_for_version(version, "red")
    for row in iter_version_rows(version.id, "red"):
        frozen_sum.add(row)
    total = frozen_sum.result().total
    nox = total.checks["nox"]
    assert nox.staggered == pytest.approx(live_total.checks["nox"].staggered)
    assert nox.staggered == pytest.approx(0.2 + 0.2 * 0.3)
    assert nox.industrial == pytest.approx(live_total.checks["nox"].industrial)
    red = next(t for t in version_totals(version) if t.level == "red")
    assert red.staggered["nox"] == pytest.approx(0.26) and red.staggered["vocs"] == 0.0
    page = login(city).get(f"/versions/{version.id}").get_data(as_text=True)
    row = page[page.index("另有错峰生产已减（发布时，不计入上列）"):]
    assert '<span class="n">0.2600</span>' in row[:600]
