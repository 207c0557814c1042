"""The staff dashboard: its figures equal the list's totals, county scoping, charts, tiles, cache, access."""
import json
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from app import create_app
from emergency.dashboard import charts as dashboard_charts
from emergency.dashboard import figures as dashboard
from emergency.dashboard import redis_store
from emergency.dashboard import store as dashboard_store
from emergency.lists.page import build_list_page
from emergency.lists.quality import run_checks
from emergency.publishing.alerts import start_alert
from emergency.publishing.versions import publish_version
from models import LEVELS, POLLUTANTS, County, Enterprise, Grade, LineMeasure, SharedFigure, db
from models.base import utcnow
from tests.baseline_support import set_baselines
from tests.html import has_inline_script, loads_external
from tests.querycount import count_queries
from tests.redis_support import require_redis

# Meets the B floors (with the truck ban), and counts something at every level.
FULL = {"yellow": ("other", None, 0.1, "no_g4"), "orange": ("limit", 20.0, None, "no_g4"),
        "red": ("stop", None, None, "no_g4")}


@pytest.fixture(autouse=True, params=dashboard_store.BACKENDS)
def _fresh_cache(app, tmp_path, monkeypatch, request):
    """Every test runs on each figure store: this host's files, the database and Redis (when it answers)."""
    # Tests delete rows behind the ORM's back; real edits always go through audited flushes.
    if request.param == "redis":
        monkeypatch.setitem(app.config, "REDIS_URL", require_redis())
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_DIR", str(tmp_path / "dashboard"))
    monkeypatch.setitem(app.config, "FIGURES_BACKEND", request.param)
    dashboard.clear_cache()
    yield
    dashboard.clear_cache()


@pytest.fixture
def second_app(app):
    """Another app on the same database and cache folder, as a second gunicorn worker would have."""
    other = create_app({key: app.config.get(key) for key in ("SQLALCHEMY_DATABASE_URI", "TESTING", "DASHBOARD_CACHE_DIR",
                                                             "FIGURES_BACKEND", "REDIS_URL")})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def registry(make_enterprise, make_line):
    """Baselines for every county; firms in 城区 and 泽州县 of several grades, one with a missing measure."""
    set_baselines({(c.id, p): 2.0 for c in db.session.query(County) for p in POLLUTANTS})
    db.session.commit()
    a = make_enterprise(name="城区B级水泥", county_name="城区", grade="B")
    make_line(a, name="1#窑", measures=FULL)
    make_line(a, name="2#窑", measures=FULL, so2_t_yr=150.0, nox_t_yr=300.0)
    make_line(make_enterprise(name="城区A级水泥", county_name="城区", grade="A"), measures=FULL)
    c = make_enterprise(name="泽州C级水泥", county_name="泽州县", grade="C")
    make_line(c, name="1#窑", measures={"yellow": ("limit", 50.0, None), "orange": ("stop", None, None)})
    make_enterprise(name="泽州无生产线企业", county_name="泽州县")
    make_line(make_enterprise(name="泽州焦化", county_name="泽州县", industry_code="coking", grade="B"),
              measures=FULL, vocs_t_yr=60.0)
    return a


def figures(body):
    """{data-figure key: printed value} of a dashboard page."""
    return dict(re.findall(r'data-figure="([^"]+)">(?:<span class="n">)?([^<]*)<', body))


def tpd(value):
    return "—" if value is None else f"{value:.4f}"


def assert_equals_list(found, county=None):
    for level in LEVELS:
        total = build_list_page(level, county).summary.total
        assert found[f"{level}-enterprises"] == str(total.enterprises)
        assert found[f"{level}-lines"] == str(total.lines)
        for p in POLLUTANTS:
            check = total.checks[p]
            assert found[f"{level}-{p}-reduction"] == tpd(check.reduction), (level, p)
            assert found[f"{level}-{p}-target"] == tpd(check.target), (level, p)


def test_staff_land_on_the_dashboard_and_enterprises_on_their_obligations(registry, make_user, login):
    city = login(make_user("city")).get("/")
    assert city.status_code == 200 and "应急减排清单概况（全市）" in city.get_data(as_text=True)
    county = login(make_user("county", county_name="城区")).get("/")
    assert county.status_code == 200 and "应急减排清单概况（城区）" in county.get_data(as_text=True)
    assert login(make_user("enterprise", enterprise=registry)).get("/").headers["Location"].endswith("/obligations")


def test_dashboard_figures_equal_the_list_totals(registry, make_user, login, county):
    body = login(make_user("city")).get("/dashboard").get_data(as_text=True)
    found = figures(body)
    assert_equals_list(found)
    assert float(found["red-so2-reduction"]) > 0 and float(found["red-so2-target"]) > 0     # a target, not "—"
    assert found["county-城区"] == "2" and found["county-泽州县"] == "3"
    assert found["category-A"] == "1" and found["category-B"] == "3" and found["category-C"] == "1"
    assert found["industry-焦化"] == "1"
    assert 'id="tile-enterprises">5<' in body


def test_county_users_see_their_county_only(registry, make_user, login, county):
    client = login(make_user("county", county_name="泽州县"))
    body = client.get("/dashboard").get_data(as_text=True)
    found = figures(body)
    assert_equals_list(found, county("泽州县"))
    assert "county-城区" not in found and found["county-泽州县"] == "3"
    assert "应急减排清单概况（泽州县）" in body
    assert client.get("/dashboard?county=城区").status_code == 404
    city = login(make_user("city")).get("/dashboard?county=城区").get_data(as_text=True)
    assert_equals_list(figures(city), county("城区"))


def test_charts_are_inline_svg_bars_without_script(registry, make_user, login):
    body = login(make_user("admin")).get("/dashboard").get_data(as_text=True)
    assert body.count('<svg class="bar-chart"') == 6           # three levels, three count charts
    assert body.count('class="bar-reduction') == 12 and body.count('class="bar-target"') == 12
    widths = [float(w) for w in re.findall(r'<rect class="bar-[^"]*" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', body)]
    assert max(widths) == dashboard_charts.PLOT_WIDTH and min(widths) >= 0
    lowered = body.lower()
    assert "<h1>应急减排清单概况（全市）</h1>" in lowered
    assert not has_inline_script(lowered) and not loads_external(lowered) and "cdn" not in lowered


def test_chart_bars_are_scaled_to_the_largest_value():
    chart = dashboard_charts.bar_chart("t", [("甲", [("a", 2.0, "x")]), ("乙", [("a", 4.0, "x"), ("b", None, "y")])],
                                lambda v: f"{v:g}")
    bars = [bar for group in chart.groups for bar in group.bars]
    assert [b.width for b in bars] == [dashboard_charts.PLOT_WIDTH / 2, dashboard_charts.PLOT_WIDTH, 0]
    assert [b.text for b in bars] == ["2", "4", "—"]
    assert bars[0].y < bars[1].y < bars[2].y and chart.height > bars[2].y


def test_tiles_show_requests_alert_and_quality_errors(registry, make_user, login, monkeypatch):
    monkeypatch.setattr(dashboard, "pending_count", lambda user: 7)
    city = make_user("city")
    # The registry has quality errors (what the tile counts): published and dispatched over them.
    publish_version("2020年修订版", "", city, override_reason="测试：带错误发布")
    zezhou = db.session.query(County).filter_by(name="泽州县").one()
    alert = start_alert({"level": "orange", "all_counties": False, "county_ids": [zezhou.id],
                         "started_at": utcnow() - timedelta(hours=1), "note": "",
                         "override_reason": "测试：带错误下发"}, city)
    db.session.commit()
    body = login(city).get("/dashboard").get_data(as_text=True)
    assert 'id="tile-requests">7<' in body
    assert 'id="tile-alerts">1<' in body and f"橙色预警 #{alert.id}" in body and "已签收 0/1" in body
    assert f'id="tile-errors">{run_checks().errors}<' in body and run_checks().errors > 0
    other = login(make_user("county", county_name="城区")).get("/dashboard").get_data(as_text=True)
    assert 'id="tile-alerts">0<' in other and f"#{alert.id}" not in other
    assert f'id="tile-errors">{run_checks(db.session.query(County).filter_by(name="城区").one().id).errors}<' in other


def test_pending_requests_tile_uses_the_inbox(registry, make_user, login):
    body = login(make_user("city")).get("/dashboard").get_data(as_text=True)
    assert 'id="tile-requests">0<' in body


def test_any_edit_invalidates_the_cached_figures(registry, make_user, login):
    client = login(make_user("city"))
    before = figures(client.get("/dashboard").get_data(as_text=True))
    assert figures(client.get("/dashboard").get_data(as_text=True)) == before          # served from the cache
    _edit_orange_limit(80.0)              # the first line's (an A-grade line's measure would not count)
    after = figures(client.get("/dashboard").get_data(as_text=True))
    assert after["orange-so2-reduction"] != before["orange-so2-reduction"]
    assert_equals_list(after)


def test_cache_is_reused_while_nothing_changes(registry, app, monkeypatch):
    calls = []
    real = dashboard.compute_figures
    monkeypatch.setattr(dashboard, "compute_figures", lambda county_id=None: calls.append(county_id) or real(county_id))
    dashboard.cached_figures()
    dashboard.cached_figures()
    assert calls == [None]
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 0)
    dashboard.cached_figures()
    assert calls == [None, None]


def test_enterprise_users_and_anonymous_cannot_see_the_dashboard(registry, make_user, login, client):
    anonymous = client.get("/dashboard")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login(make_user("enterprise", enterprise=registry)).get("/dashboard").status_code == 403


def test_bad_county_is_404(make_user, login):
    assert login(make_user("city")).get("/dashboard?county=火星县").status_code == 404


def test_generation_changes_with_each_committed_registry_edit_only(registry, make_user):
    from emergency.registry import generation

    first = generation.current()
    assert first is not None                               # the fixture's commits set it
    make_user("city")                                      # users are not what the list is made of
    assert generation.current() == first
    registry.name = "改名企业"
    db.session.rollback()                                  # a rolled-back edit changes nothing
    assert generation.current() == first
    registry.name = "改名企业"
    db.session.commit()
    second = generation.current()
    assert second != first
    db.session.execute(LineMeasure.__table__.update().values(text="批量修改"))   # DML outside the ORM units
    db.session.commit()
    assert generation.current() not in (first, second)


@pytest.mark.mutates_reference
def test_the_narrower_tokens_move_only_with_what_they_key(registry):
    """"reference" (the rules' inputs) moves with reference data only; "order" (the list's ids) with firms and
    lines added, deleted, renamed or moved only; "registry" with all of them."""
    from emergency.registry import generation

    def tokens():
        return {aspect: generation.current(aspect) for aspect in ("registry", "reference", "order")}

    def moved(before):
        now = tokens()
        assert all(now.values())
        return {aspect for aspect in now if now[aspect] != before[aspect]}

    first = tokens()
    assert all(first.values())                                   # the fixture's commits created all three
    firm = db.session.query(Enterprise).filter_by(name="城区B级水泥").one()
    firm.contact_phone = "0356-1234567"
    db.session.commit()
    assert moved(first) == {"registry"}
    step = tokens()
    _edit_orange_limit(80.0)                                     # a measure
    assert moved(step) == {"registry"}
    step = tokens()
    firm.name = "城区乙级水泥"                                     # a rename moves the firm in the list
    db.session.commit()
    assert moved(step) == {"registry", "order"}
    step = tokens()
    db.session.delete(firm.lines[0])                             # a line deleted
    db.session.commit()
    assert moved(step) == {"registry", "order"}
    step = tokens()
    db.session.get(Grade, "C").label = "C级"                      # reference data the rules read
    db.session.commit()
    assert moved(step) == {"registry", "reference"}


def numbers(found):
    """The figures' plain numbers, without the time they were computed."""
    values = dashboard.figures_to_dict(found)
    del values["computed_at"]
    return values


def _edit_orange_limit(pct):
    measure = db.session.query(LineMeasure).filter_by(level="orange", action="limit").order_by(LineMeasure.id).first()
    measure.limit_pct = pct
    db.session.commit()


def test_a_second_app_reuses_the_stored_figures_without_recomputing(registry, second_app):
    computed = dashboard.cached_figures()
    with second_app.app_context():
        with count_queries() as statements:
            shared = dashboard.cached_figures()
        # The generation token only, and on the database store the figures' row.
        assert len(statements) == _store_reads() and "setting" in statements[0]
        assert dashboard.figures_to_dict(shared) == dashboard.figures_to_dict(computed)
        assert not shared.updating and shared.levels[2].chart == computed.levels[2].chart


def test_an_edit_made_through_another_app_invalidates_the_figures_everywhere(registry, second_app):
    before = dashboard.cached_figures()
    with second_app.app_context():
        assert dashboard.figures_to_dict(dashboard.cached_figures()) == dashboard.figures_to_dict(before)
        _edit_orange_limit(80.0)
    db.session.expire_all()
    after = dashboard.cached_figures()                    # this app sees the new generation and recomputes
    reduction = after.levels[1].totals.checks["so2"].reduction
    assert reduction > before.levels[1].totals.checks["so2"].reduction
    assert reduction == build_list_page("orange", None).summary.total.checks["so2"].reduction
    with second_app.app_context():
        with count_queries() as statements:
            again = dashboard.cached_figures()            # and the other app reuses that computation
        assert len(statements) == _store_reads() and again.levels[1].totals.checks["so2"].reduction == reduction


def test_while_another_worker_computes_the_previous_figures_are_shown_as_updating(registry, make_user, login):
    client = login(make_user("city"))
    before = figures(client.get("/dashboard").get_data(as_text=True))
    _edit_orange_limit(80.0)
    calls = []
    with dashboard_store.computing("city", wait=True):    # another worker holds the lock and is computing
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(dashboard, "compute_figures", lambda county_id=None: calls.append(county_id))
            page = client.get("/dashboard").get_data(as_text=True)
    assert calls == [] and figures(page) == before
    assert 'id="figures-updating"' in page and "统计正在更新" in page
    fresh = client.get("/dashboard").get_data(as_text=True)   # the lock is free again: this worker computes
    assert "<h1>应急减排清单概况（全市）</h1>" in fresh and 'id="figures-updating"' not in fresh
    assert figures(fresh)["orange-so2-reduction"] != before["orange-so2-reduction"]
    assert_equals_list(figures(fresh))


def _count_computations(monkeypatch):
    calls, real = [], dashboard.compute_figures
    monkeypatch.setattr(dashboard, "compute_figures", lambda county_id=None: calls.append(county_id) or real(county_id))
    return calls


def test_a_worker_without_previous_figures_waits_for_the_one_computing(registry, app, monkeypatch):
    computed, token = dashboard.compute_figures(), dashboard.registry_generation()
    locked, started = threading.Event(), time.monotonic()

    def other_worker():
        with app.app_context(), dashboard_store.computing("city", wait=True):
            locked.set()
            time.sleep(0.3)
            dashboard_store.write("city", {"generation": token, "computed_at": computed.computed_at,
                                           "code": dashboard_store.code_version(),
                                           "figures": dashboard.figures_to_dict(computed)})

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(5)
    calls = _count_computations(monkeypatch)
    found = dashboard.cached_figures()
    thread.join()
    assert calls == [] and time.monotonic() - started >= 0.3
    assert dashboard.figures_to_dict(found) == dashboard.figures_to_dict(computed)


def _store_reads():
    """Statements a worker sends to reuse stored figures: the token, and the row on the database store (Redis: none)."""
    return 2 if dashboard_store.backend() == "database" else 1


def _stored_city(app):
    if dashboard_store.backend() == "redis":
        return redis_store._redis().get(redis_store._entry_key("city"))
    if dashboard_store.backend() == "database":
        return db.session.get(SharedFigure, "city", populate_existing=True).payload
    [stored] = Path(app.config["DASHBOARD_CACHE_DIR"]).glob("*-city.json")
    return stored.read_text(encoding="utf-8")


def _replace_stored_city(app, text):
    if dashboard_store.backend() == "redis":
        redis_store._redis().set(redis_store._entry_key("city"), text)
        return
    if dashboard_store.backend() == "database":
        db.session.get(SharedFigure, "city").payload = text
        db.session.commit()
        return
    [stored] = Path(app.config["DASHBOARD_CACHE_DIR"]).glob("*-city.json")
    stored.write_text(text, encoding="utf-8")


def test_a_damaged_stored_entry_is_computed_again(registry, app, monkeypatch):
    first = dashboard.cached_figures()
    _replace_stored_city(app, "{not json")
    app.extensions.pop("dashboard_figures")                  # as in a worker that has not computed yet
    calls = _count_computations(monkeypatch)
    again = dashboard.cached_figures()
    assert calls == [None] and numbers(again) == numbers(first) and again.computed_at > first.computed_at
    assert json.loads(_stored_city(app))["generation"] == dashboard.registry_generation()


def test_figures_stored_by_other_code_are_computed_again(registry, app, monkeypatch):
    first = dashboard.cached_figures()
    entry = json.loads(_stored_city(app))
    entry["code"] = "an-older-deploy"
    entry["figures"]["quality_errors"] = 999
    _replace_stored_city(app, json.dumps(entry))
    app.extensions.pop("dashboard_figures")
    calls = _count_computations(monkeypatch)
    again = dashboard.cached_figures()
    assert calls == [None] and again.quality_errors == first.quality_errors != 999
