"""The recompute window: after an edit, the previous figures (marked 统计正在更新) until the window has passed since
the last computation, then the new ones, computed once per generation by all workers, on both figure stores."""
import time
from types import SimpleNamespace

import pytest

from emergency.dashboard import figures as dashboard
from emergency.dashboard import store as dashboard_store
from tests.test_dashboard import (  # noqa: F401 - fixtures: both figure stores, the registry, a second worker
    _edit_orange_limit,
    _fresh_cache,
    figures,
    registry,
    second_app,
)

WINDOW = 60


@pytest.fixture
def clock(app, monkeypatch):
    """The store's clock, moved by hand: [seconds added to the real time]."""
    offset = [0.0]
    monkeypatch.setitem(app.config, "DASHBOARD_RECOMPUTE_SECONDS", WINDOW)
    monkeypatch.setattr(dashboard_store, "time", SimpleNamespace(time=lambda: time.time() + offset[0]))
    return offset


@pytest.fixture
def computations(monkeypatch):
    calls, real = [], dashboard.compute_figures
    monkeypatch.setattr(dashboard, "compute_figures", lambda county_id=None: calls.append(county_id) or real(county_id))
    return calls


def test_the_window_is_a_setting_with_a_default_from_the_limits_file(app, monkeypatch):
    from emergency.limits import defaults

    assert defaults()["dashboard_recompute_seconds"] == 30
    monkeypatch.setitem(app.config, "DASHBOARD_RECOMPUTE_SECONDS", 7)
    assert dashboard_store.recompute_seconds() == 7


def test_an_edit_within_the_window_shows_the_previous_figures_as_updating(
        registry, make_user, login, clock, computations):  # noqa: F811
    client = login(make_user("city"))
    before = figures(client.get("/dashboard").get_data(as_text=True))
    assert computations == [None]
    _edit_orange_limit(80.0)
    page = client.get("/dashboard").get_data(as_text=True)
    assert figures(page) == before and computations == [None]
    assert 'id="figures-updating"' in page and "统计正在更新" in page
    listed = client.get("/lists/orange").get_data(as_text=True)          # the list's totals: the same figures
    assert "统计正在更新：合计为上一次计算的结果" in listed and "城区B级水泥" in listed
    clock[0] = WINDOW + 1
    fresh = client.get("/dashboard").get_data(as_text=True)
    assert "<h1>应急减排清单概况（全市）</h1>" in fresh and 'id="figures-updating"' not in fresh
    assert figures(fresh)["orange-so2-reduction"] != before["orange-so2-reduction"]
    assert computations == [None, None]
    again = client.get("/lists/orange").get_data(as_text=True)
    assert "统计正在更新" not in again and "城区B级水泥" in again and computations == [None, None]


def test_each_generation_is_computed_once_by_all_workers_and_the_last_edit_wins(
        registry, second_app, clock, computations):  # noqa: F811
    first = dashboard.cached_figures()
    _edit_orange_limit(80.0)
    _edit_orange_limit(70.0)                       # two generations within the window: only the last is computed
    with second_app.app_context():
        within = dashboard.cached_figures()
    assert within.updating and dashboard.figures_to_dict(within) == dashboard.figures_to_dict(first)
    clock[0] = WINDOW + 1
    after = dashboard.cached_figures()
    with second_app.app_context():
        shared = dashboard.cached_figures()
        assert not shared.updating and dashboard.figures_to_dict(shared) == dashboard.figures_to_dict(after)
    assert not after.updating and computations == [None, None]
    reduction = after.levels[1].totals.checks["so2"].reduction
    assert reduction != first.levels[1].totals.checks["so2"].reduction
    assert dashboard.cached_figures().levels[1].totals.checks["so2"].reduction == reduction
    assert computations == [None, None]


def test_without_previous_figures_the_window_does_not_hold_back_the_first_computation(
        registry, clock, computations):  # noqa: F811
    found = dashboard.cached_figures()
    assert computations == [None] and not found.updating and found.enterprises == 5


def test_a_due_computation_runs_in_a_forked_child_and_no_request_waits_for_it(
        app, registry, make_user, login, clock, computations, monkeypatch):  # noqa: F811
    """In production the figures of a new generation are computed by a forked child at the job workers' priority:
    the request that finds them due shows the previous ones (统计正在更新) at once, and the child stores the new
    ones for every worker."""
    monkeypatch.setitem(app.config, "FIGURES_IN_BACKGROUND", True)
    client = login(make_user("city"))
    before = figures(client.get("/dashboard").get_data(as_text=True))
    assert computations == [None]                  # no previous figures: the request computes them itself
    _edit_orange_limit(80.0)
    clock[0] = WINDOW + 1
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="figures-updating"' in page and figures(page) == before
    assert computations == [None]                  # not in this process
    child = app.extensions["figures_children"]["city"]
    child.join(timeout=60)
    assert child.exitcode == 0
    fresh = client.get("/dashboard").get_data(as_text=True)
    assert "<h1>应急减排清单概况（全市）</h1>" in fresh and 'id="figures-updating"' not in fresh
    assert computations == [None]
    assert figures(fresh)["orange-so2-reduction"] != before["orange-so2-reduction"]
