"""The database itself refuses rows that break the model's invariants, whatever writes them (raw SQL here).

The probes live in tests/invariants.py, so that tests/test_migrations.py runs the same ones on a database
built by the migrations.
"""
from datetime import datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from emergency.platform import jobs
from emergency.publishing.alerts import end_alert
from models import Alert, AuditLog, alert_county, db
from models.job import JOB_KINDS
from tests import invariants
from tests.conftest import wipe


@pytest.fixture
def conn(app):
    with invariants.rolled_back(app.config["SQLALCHEMY_DATABASE_URI"]) as conn:
        yield conn


@pytest.mark.parametrize("table, column, good, bad", [case[1:] for case in invariants.CASES],
                         ids=[case[0] for case in invariants.CASES])
def test_closed_vocabularies_and_ranges(conn, table, column, good, bad):
    invariants.check_column(conn, table, column, good, bad)


def test_one_open_grade_request_per_enterprise(conn):
    invariants.check_open_requests(conn)


def test_floor_keys_follow_their_scope_and_are_unique(conn):
    invariants.check_floor_keys(conn)


def test_one_running_alert_per_county(conn):
    invariants.check_running_alerts(conn)


def test_a_season_ends_after_it_starts_and_has_a_unique_name(conn):
    invariants.check_season_dates(conn)


def test_one_baseline_figure_per_season_county_source_type_and_pollutant(conn):
    invariants.check_baseline_keys(conn)


@pytest.mark.parametrize("table", sorted(invariants.APPEND_ONLY))
def test_append_only_tables_refuse_update_and_delete(conn, table):
    invariants.check_append_only(conn, table)


def test_the_test_cleanup_empties_the_log_and_leaves_it_guarded(parties):
    assert db.session.query(AuditLog).count() > 0          # the parties' users and enterprises were logged
    wipe()
    assert db.session.query(AuditLog).count() == 0
    db.session.add(AuditLog(entity_type="user", action="create", summary="探测"))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("DELETE FROM audit_log"))
    db.session.rollback()
    assert db.session.scalars(select(AuditLog.summary)).all() == ["探测"]


def test_ending_an_alert_frees_its_counties(make_user, county):
    """The domain keeps alert_county.ended, the copy of "end recorded" the running-alert index reads."""
    user = make_user("city")
    alert = Alert(level="red", started_at=datetime(2020, 12, 1), counties=[county("城区"), county("泽州县")])
    kept = Alert(level="yellow", started_at=datetime(2020, 12, 1), counties=[county("高平市")])
    db.session.add_all([alert, kept])
    db.session.flush()
    rows = lambda: sorted(db.session.execute(select(alert_county.c.alert_id, alert_county.c.ended)))  # noqa: E731
    assert rows() == sorted([(alert.id, False), (alert.id, False), (kept.id, False)])
    end_alert(alert, datetime(2020, 12, 2), user)
    assert rows() == sorted([(alert.id, True), (alert.id, True), (kept.id, False)])
    db.session.add(Alert(level="orange", started_at=datetime(2020, 12, 3), counties=[county("城区")]))
    db.session.flush()
    with pytest.raises(IntegrityError):
        db.session.add(Alert(level="orange", started_at=datetime(2020, 12, 3), counties=[county("高平市")]))
        db.session.flush()


def test_job_kinds_are_the_registered_runners():
    """The CHECK on job.kind is built from JOB_KINDS; a runner of any other kind is refused when it registers."""
    assert set(jobs.RUNNERS) == set(JOB_KINDS)
    with pytest.raises(ValueError, match="JOB_KINDS"):
        jobs.runner("mine_bitcoin")
    assert "mine_bitcoin" not in jobs.RUNNERS
