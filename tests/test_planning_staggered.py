"""The solver on staggered lines (hand-made): a line at 错峰限产30% is eligible, its candidate cut applies to the
remaining 70% (reduction and lost production alike); a line stopped for the season (错峰停产中) is never touched."""
import re
from datetime import timedelta

import pytest

from emergency.clock import local_today
from emergency.planning import proposal as plans
from models import LineMeasure, Season, StaggerRule, db
from tests.baseline_support import set_baselines


@pytest.fixture
def boilers(make_enterprise, make_line, county):
    """Three 城区 boilers at 限产30% at red, 0.1 t/d SO2 each: 燃煤锅炉 staggered at 30%, 燃气锅炉 stopped for the
    season, 生物质锅炉 under no regime; 1000 万元 a year each. The list counts 0.1 × 0.3 × 0.7 + 0.1 × 0.3 = 0.051."""
    today = local_today()
    season = Season(name="本季", starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))
    db.session.add(season)
    db.session.flush()
    db.session.add_all([StaggerRule(season_id=season.id, process="燃煤锅炉", regime="limit", limit_pct=30.0),
                        StaggerRule(season_id=season.id, process="燃气锅炉", regime="season_stop")])
    lines = {}
    for process in ("燃煤锅炉", "燃气锅炉", "生物质锅炉"):
        firm = make_enterprise(name=f"{process}有限公司", industry_code="boiler", category="GENERAL", grade=None,
                               output_value=1000.0)
        lines[process] = make_line(firm, name="1#锅炉", process_stage=process, capacity=10, so2_t_yr=30.0,
                                   nox_t_yr=0.0, pm_t_yr=0.0, measures={"red": ("limit", 30.0, None, "no_g4")})

    def target(tpd):
        set_baselines({(county().id, "so2"): tpd / 0.3}, season=season)
        db.session.commit()
        return lines
    return target


def test_a_staggered_line_is_cut_on_its_remaining_output_and_is_the_cheaper_choice(boilers, county):
    lines = boilers(0.09)            # 0.039 t/d missing
    proposal = plans.make_proposal("red", county())
    (change,) = proposal.changes
    assert change.line_id == lines["燃煤锅炉"].id and change.after.startswith("停产")
    # 停产 adds 0.1 × 0.7 (remaining) × (1.0 − 0.3) = 0.049 t/d at 1000/300 × 0.7 × 0.7 万元/日; the boiler under no
    # regime would add 0.07 for 2.333, so the staggered one is the least cost.
    assert (change.before_cut, change.after_cut) == (pytest.approx(0.3), 1.0)
    assert change.added["so2"] == pytest.approx(0.049)
    assert change.cost == pytest.approx(1000 / 300 * 0.49)
    assert proposal.feasible and proposal.eligible == 2 and proposal.untouched == 1


def test_a_line_stopped_for_the_season_stays_untouched_when_the_gap_cannot_be_closed(boilers, county):
    lines = boilers(0.3)             # 0.249 missing; at most 0.049 + 0.07 reachable
    proposal = plans.make_proposal("red", county())
    assert {c.line_id for c in proposal.changes} == {lines["燃煤锅炉"].id, lines["生物质锅炉"].id}
    (name, pollutant, amount), = proposal.unreachable
    assert (name, pollutant) == ("城区", "so2") and amount == pytest.approx(0.3 - 0.051 - 0.049 - 0.07)


def test_accepting_the_staggered_change_meets_the_target_on_the_list(boilers, county, make_user, login):
    lines = boilers(0.09)
    client = login(make_user("city"))
    page = client.get("/lists/red/solve?county=城区").get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)
    response = client.post("/lists/red/solve?county=城区", data={"fingerprint": fingerprint,
                                                               "lines": [lines["燃煤锅炉"].id]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(LineMeasure).filter_by(line_id=lines["燃煤锅炉"].id, level="red").one().action == "stop"
    assert db.session.query(LineMeasure).filter_by(line_id=lines["燃气锅炉"].id, level="red").one().limit_pct == 30.0
    listing = re.sub(r"\s+", " ", re.sub(r'<span class="n">([^<]*)</span>', r"\1",
                                         client.get("/lists/red?county=城区").get_data(as_text=True)))
    assert "另有错峰生产已减 0.1300" in listing
    assert "达标" in listing and "未达标" not in listing
