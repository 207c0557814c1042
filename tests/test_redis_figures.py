"""The dashboard's figures in Redis (FIGURES_BACKEND=redis): shared by two apps with instance folders of their
own, as two hosts would; the lease; a Redis that does not answer. Runs against the real Redis (tests/redis_support)."""
import json

import pytest

from app import create_app
from emergency.dashboard import figures as dashboard
from emergency.dashboard import redis_store
from emergency.dashboard import store as dashboard_store
from emergency.web.sessions import stamp
from models import LineMeasure, db
from tests.redis_support import require_redis
from tests.test_dashboard import FULL, figures, tpd


@pytest.fixture
def on_redis(app, tmp_path, monkeypatch):
    url = require_redis()
    monkeypatch.setitem(app.config, "FIGURES_BACKEND", "redis")
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_DIR", str(tmp_path / "a-dash"))
    dashboard.clear_cache()
    yield url
    dashboard.clear_cache()


@pytest.fixture
def host_b(app, on_redis, tmp_path):
    """A second app on the same database and Redis, with instance and figure folders of its own."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                        "SECRET_KEY": app.config["SECRET_KEY"], "INSTANCE_DATA": str(tmp_path / "host-b"),
                        "DASHBOARD_CACHE_DIR": str(tmp_path / "b-dash"), "FIGURES_BACKEND": "redis",
                        "REDIS_URL": on_redis})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _count_computations(monkeypatch):
    calls, real = [], dashboard.compute_figures
    monkeypatch.setattr(dashboard, "compute_figures", lambda county_id=None: calls.append(county_id) or real(county_id))
    return calls


def _entry(generation, quality_errors):
    computed = dashboard.compute_figures()
    data = dashboard.figures_to_dict(computed)
    data["quality_errors"] = quality_errors
    return {"generation": generation, "computed_at": computed.computed_at, "code": dashboard_store.code_version(),
            "figures": data}


def test_an_edit_committed_on_one_host_changes_the_figures_the_other_serves_without_recomputing(
        app, host_b, make_enterprise, make_line, make_user, tmp_path, monkeypatch):
    firm = make_enterprise(name="城区B级水泥", county_name="城区", grade="B")
    make_line(firm, name="1#窑", measures=FULL)
    user = make_user("city")
    db.session.commit()
    b = host_b.test_client()
    with host_b.app_context(), b.session_transaction() as session:
        stamp(session, user)
    before = figures(b.get("/dashboard").get_data(as_text=True))

    db.session.query(LineMeasure).filter_by(level="orange", action="limit").one().limit_pct = 80.0
    db.session.commit()                                              # committed through host A
    computed_on_a = dashboard.cached_figures()                      # A computes the new generation once
    calls = _count_computations(monkeypatch)
    after = figures(b.get("/dashboard").get_data(as_text=True))
    assert calls == []                                               # B serves A's computation
    assert after["orange-so2-reduction"] != before["orange-so2-reduction"]
    assert after["orange-so2-reduction"] == tpd(computed_on_a.levels[1].totals.checks["so2"].reduction)
    stored = json.loads(redis_store._redis().get(redis_store._entry_key("city")))
    assert stored["generation"] == dashboard.registry_generation()
    assert not (tmp_path / "a-dash").exists() and not (tmp_path / "b-dash").exists()   # neither host's disk


def test_one_process_holds_a_scope_and_its_lease_expires_by_itself(on_redis, app, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_LEASE_SECONDS", 30)
    client, key = redis_store._redis(), redis_store._lease_key("city")
    with dashboard_store.computing("city", wait=False) as ours:
        assert ours is True
        assert 0 < client.pttl(key) <= 30_000                        # a holder that dies blocks for 30 s at most
        with dashboard_store.computing("city", wait=False) as theirs:
            assert theirs is False
        assert client.get(key) is not None                           # the loser did not release the holder's lease
    assert client.get(key) is None
    with dashboard_store.computing("city", wait=False) as ours:
        assert ours is True


def test_a_process_that_outlived_its_lease_neither_overwrites_nor_releases_the_new_holders(on_redis, app):
    client, key = redis_store._redis(), redis_store._lease_key("city")
    with dashboard_store.computing("city", wait=True):
        client.set(key, "another-host:42:beef", px=30_000)           # our lease expired; another process took it
        dashboard_store.write("city", _entry("stale", 111))
        assert dashboard_store.read("city") is None                  # the late write was dropped
    assert client.get(key) == "another-host:42:beef"                 # and its lease kept
    client.delete(key)
    with dashboard_store.computing("city", wait=True):
        dashboard_store.write("city", _entry("fresh", 222))
    assert dashboard_store.read("city")["figures"]["quality_errors"] == 222


def test_clearing_keeps_a_held_lease_and_another_database_sees_nothing(on_redis, app, monkeypatch):
    dashboard_store.write("city", _entry("g1", 5))
    assert dashboard_store.read("city")["generation"] == "g1"
    with pytest.MonkeyPatch.context() as elsewhere:
        elsewhere.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://elsewhere/other")
        assert dashboard_store.read("city") is None                  # keys carry the database's digest
    with dashboard_store.computing("city", wait=False) as ours:
        assert ours is True
        dashboard_store.clear()
        assert dashboard_store.read("city") is None
        assert redis_store._redis().get(redis_store._lease_key("city")) is not None


def test_a_redis_that_does_not_answer_costs_only_the_sharing(app, make_enterprise, make_line, make_user, login,
                                                             monkeypatch, caplog):
    make_line(make_enterprise(name="城区B级水泥", county_name="城区", grade="B"), measures=FULL)
    user = make_user("city")
    db.session.commit()                                              # a generation token: figures are shared
    monkeypatch.setitem(app.config, "FIGURES_BACKEND", "redis")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")   # nothing listens on port 1
    app.extensions.pop("dashboard_figures", None)
    response = login(user).get("/dashboard")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>应急减排清单概况（全市）</h1>" in body
    assert figures(body)["orange-so2-reduction"] == tpd(dashboard.compute_figures().levels[1].totals.checks["so2"].reduction)
    assert "Dashboard figures not shared (Redis" in caplog.text
    app.extensions.pop("dashboard_figures", None)


def test_the_redis_backend_without_a_redis_url_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "FIGURES_BACKEND", "redis")
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(ValueError, match="REDIS_URL"):
        dashboard_store.read("city")


def test_hosts_whose_database_urls_differ_only_in_the_password_share_the_figures():
    one = redis_store.key_prefix("postgresql+psycopg://app:old-secret@db.internal:5432/emergency")
    assert one == redis_store.key_prefix("postgresql+psycopg://app:new-secret@db.internal:5432/emergency")
    assert one != redis_store.key_prefix("postgresql+psycopg://app:old-secret@db.internal:5432/emergency_copy")
    assert one.startswith("emergency:figures:") and "secret" not in one
