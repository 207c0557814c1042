"""Two app instances with their own instance folders share what the database holds: the dashboard's figures
(FIGURES_BACKEND=database) and kept files (STORAGE_BACKEND=database), as two hosts would."""
import pytest

from app import create_app
from emergency.dashboard import figures as dashboard
from emergency.web.sessions import stamp
from models import LineMeasure, db
from tests.test_dashboard import FULL, figures, tpd


@pytest.fixture
def host_b(app, tmp_path):
    """A second app on the same database, with an instance data folder and figure folder of its own."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                        "SECRET_KEY": app.config["SECRET_KEY"], "WTF_CSRF_ENABLED": False,
                        "INSTANCE_DATA": str(tmp_path / "host-b"), "DASHBOARD_CACHE_DIR": str(tmp_path / "b-dash"),
                        "JOBS_DIR": str(tmp_path / "b-jobs"),
                        "FIGURES_BACKEND": "database", "STORAGE_BACKEND": "database"})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _client_of(other, user):
    client = other.test_client()
    with other.app_context(), client.session_transaction() as session:
        stamp(session, user)
    return client


def test_an_edit_committed_through_one_host_changes_the_figures_the_other_serves(
        app, host_b, make_enterprise, make_line, make_user, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "FIGURES_BACKEND", "database")
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_DIR", str(tmp_path / "a-dash"))
    dashboard.clear_cache()
    firm = make_enterprise(name="城区B级水泥", county_name="城区", grade="B")
    make_line(firm, name="1#窑", measures=FULL)
    user = make_user("city")
    db.session.commit()
    b = _client_of(host_b, user)
    before = figures(b.get("/dashboard").get_data(as_text=True))

    measure = db.session.query(LineMeasure).filter_by(level="orange", action="limit").one()
    measure.limit_pct = 80.0
    db.session.commit()                                              # committed through host A
    computed_on_a = dashboard.cached_figures()                      # A computes the new generation once
    calls, real = [], dashboard.compute_figures
    monkeypatch.setattr(dashboard, "compute_figures", lambda county_id=None: calls.append(county_id) or real(county_id))
    after = figures(b.get("/dashboard").get_data(as_text=True))
    assert after["orange-so2-reduction"] != before["orange-so2-reduction"]
    assert calls == []                                               # B serves A's computation
    reduction = computed_on_a.levels[1].totals.checks["so2"].reduction
    assert after["orange-so2-reduction"] == tpd(reduction)
    assert not list((tmp_path / "a-dash").glob("*.json")) and not list((tmp_path / "b-dash").glob("*.json"))
    dashboard.clear_cache()
