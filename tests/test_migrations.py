"""The Alembic migrations build the same schema as the models, on SQLite and on PostgreSQL."""
import re
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import CheckConstraint, inspect, text

from app import create_app
from models import db
from seed.load import load_reference
from tests import database, invariants


@pytest.fixture
def empty_database_url(tmp_path):
    url = database.postgres_base()
    if url is None:
        yield "sqlite:///" + str(tmp_path / "migrate.sqlite")
        return
    name = "migrations_" + uuid.uuid4().hex[:8]
    database.create_database(url, name)
    yield database.sibling(url, name)
    database.drop_database(url, name)


def test_upgrade_matches_models(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert {"enterprise", "production_line", "line_measure", "measure_floor", "alembic_version"} <= tables


def _guards(engine):
    """CHECK constraints, partial indexes and triggers (and PostgreSQL's trigger function) as the database has them."""
    inspector = inspect(engine)
    checks = {(table, check["name"]): check["sqltext"] for table in inspector.get_table_names()
              for check in inspector.get_check_constraints(table)}
    if engine.dialect.name == "postgresql":
        queries = ("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexdef LIKE '% WHERE %'",
                   "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal UNION ALL "
                   "SELECT 'refuse_change()', pg_get_functiondef('refuse_change'::regproc)")
    else:
        queries = ("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'",
                   "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    with engine.connect() as conn:
        indexes, triggers = (dict(conn.execute(text(sql)).all()) for sql in queries)
    return checks, indexes, triggers


def test_upgrade_builds_the_models_checks_partial_indexes_and_triggers(empty_database_url):
    """compare_metadata sees neither CHECK constraints nor triggers nor index conditions: compare them here."""
    built = _guards(db.engine)          # the test database, built by create_all
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade()
        migrated = _guards(db.engine)
        db.engine.dispose()
    declared = {(t.name, c.name) for t in db.metadata.tables.values() for c in t.constraints
                if isinstance(c, CheckConstraint)}
    assert declared and set(built[0]) == declared
    assert set(built[1]) == {"uq_grade_request_open_enterprise", "uq_alert_county_running_county",
                             "uq_measure_floor_graded", "uq_measure_floor_industry", "uq_measure_floor_common"}
    tables = ("audit_log", "dispatch_file")
    assert set(built[2]) == ({f"{t}_refuse_change" for t in tables} | {"refuse_change()"}
                             if db.engine.dialect.name == "postgresql"
                             else {f"{t}_refuse_{event}" for t in tables for event in ("update", "delete")})
    assert migrated == built


def test_upgraded_database_refuses_what_the_models_refuse(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade()
        load_reference()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    invariants.check_everything(empty_database_url)


def test_upgrade_keeps_every_row_and_marks_the_ended_alerts(empty_database_url):
    """SQLite rebuilds each table to add its CHECKs: no row may be lost, nor cascade away with a parent."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            invariants.legacy_reference(conn)
            p = invariants.parents(conn)
            for level, action in (("yellow", "limit"), ("orange", "stop"), ("red", "stop")):
                invariants.insert(conn, "line_measure", line_id=p["line"], level=level, action=action,
                                  limit_pct=50.0 if action == "limit" else None)
            invariants.insert(conn, "request_event", request_id=p["request"], action="create", to_state="draft")
            ended = invariants.insert(conn, "alert", level="red", started_at=invariants.T0, ended_at=invariants.T0)
            county_ids = conn.execute(text("SELECT id FROM county ORDER BY id LIMIT 2")).scalars().all()
            for alert, county in ((p["alert"], county_ids[0]), (ended, county_ids[0]), (ended, county_ids[1])):
                conn.execute(text("INSERT INTO alert_county (alert_id, county_id) VALUES (:a, :c)"),
                             {"a": alert, "c": county})
        tables = sorted(set(db.metadata.tables) & set(db.inspect(db.engine).get_table_names()))
        count = lambda conn: {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}  # noqa: E731
        with db.engine.connect() as conn:
            before = count(conn)
        upgrade()
        with db.engine.connect() as conn:
            after = count(conn)
            marks = conn.execute(text("SELECT alert_id, ended FROM alert_county ORDER BY alert_id, county_id")).all()
        db.engine.dispose()
    assert after == before and before["line_measure"] == 3 and before["enterprise"] == 2
    assert [(a, bool(e)) for a, e in marks] == [(p["alert"], False), (ended, True), (ended, True)]


def test_upgrade_to_typed_measures_keeps_what_each_stored_measure_meant(empty_database_url):
    """0006 moves the truck ban out of the text and types texts that name a typed measure; nothing else moves."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as conn:
            invariants.legacy_reference(conn)
            p = invariants.parents(conn)
            rows = {
                "yellow": ("other", None, 0.0, "禁止使用国四及以下重型载货车辆（含燃气）运输"),
                "orange": ("limit", 50.0, None, "停产50%，以生产线计；禁止使用国四及以下重型载货车辆"),
                "red": ("stop", None, None, "停产保窑；停止公路运输"),
            }
            for level, (action, pct, fraction, text_) in rows.items():
                invariants.insert(conn, "line_measure", line_id=p["line"], level=level, action=action,
                                  limit_pct=pct, other_fraction=fraction, text=text_)
            second = invariants.insert(conn, "production_line", enterprise_id=p["enterprise"], name="2#线")
            invariants.insert(conn, "line_measure", line_id=second, level="red", action="other", other_fraction=0.2,
                              text="以热定产，削减20%")
            invariants.insert(conn, "line_measure", line_id=second, level="orange", action="limit", limit_pct=30.0,
                              text="限产30%")
        upgrade()
        with db.engine.connect() as conn:
            found = conn.execute(text("SELECT line_id, level, action, limit_pct, other_fraction, cap_pct, transport, "
                                      "text FROM line_measure ORDER BY line_id, level")).all()
        db.engine.dispose()
    assert [tuple(r[1:7]) for r in found] == [
        ("orange", "line_share", 50.0, None, None, "no_g4"),
        ("red", "hot_standby", None, None, None, "no_road"),
        ("yellow", "none", None, None, None, "no_g4"),
        ("orange", "limit", 30.0, None, None, "none"),
        ("red", "heat_led", None, None, 80.0, "none"),
    ]
    assert found[1][7] == "停产保窑；停止公路运输"     # texts are kept as the clerk wrote them


def test_upgrade_keeps_stored_baselines_as_the_other_source_type_of_a_season(empty_database_url):
    """Baselines stored before 0007 (one total per county and pollutant) keep their numbers, as 其他 of a season."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            invariants.legacy_reference(conn)
            county = conn.execute(text("SELECT min(id) FROM county")).scalar()
            for pollutant, value, source in (("so2", 12.5, "2020年统计"), ("nox", 3.25, "")):
                conn.execute(text("INSERT INTO whole_society_emission (county_id, pollutant, baseline_t_per_day, "
                                  "source) VALUES (:c, :p, :v, :s)"), {"c": county, "p": pollutant, "v": value,
                                                                       "s": source})
        upgrade()
        with db.engine.connect() as conn:
            seasons = conn.execute(text("SELECT id, name, note FROM season")).all()
            rows = conn.execute(text("SELECT season_id, county_id, source_type, pollutant, baseline_t_per_day "
                                     "FROM whole_society_emission ORDER BY pollutant")).all()
        db.engine.dispose()
    (season_id, name, note), = seasons
    assert re.fullmatch(r"(\d{4})–(\d{4})年秋冬季", name) and "原数据来源：2020年统计" in note
    assert [tuple(row) for row in rows] == [(season_id, county, "other", "nox", 3.25),
                                            (season_id, county, "other", "so2", 12.5)]
