"""Fixtures: one app and schema per session, a clean database per test, and factory fixtures.

The database is SQLite in a temporary file, or PostgreSQL when ``TEST_DATABASE_URL`` or ``DATABASE_URL`` is set
(CI runs both); tests/database.py chooses it and never uses the database ``DATABASE_URL`` names.
"""
import itertools

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import exists, select, text
from werkzeug.security import generate_password_hash

from app import create_app
from emergency.registry import credit_code
from emergency.web.sessions import stamp
from models import (
    Category,
    County,
    Enterprise,
    Grade,
    Industry,
    LineMeasure,
    MeasureFloor,
    ProductionLine,
    User,
    db,
)
from models.append_only import MESSAGES as APPEND_ONLY
from models.append_only import sqlite_triggers
from seed.load import load_reference
from tests.database import suite_url
from tests.official import OrderWatch, dispatched_markers

REFERENCE_TABLES = {"county", "grade_scheme", "grade", "category", "industry", "measure_floor", "target_ratio",
                    "measure_type", "category_reason",
                    "batch_cutoff"}
PASSWORD = "Test-pass-2020"


class FreshGClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``.

    Tests keep an app context open, and Flask reuses it for requests, so without this the logged-in user
    cached in ``g`` by Flask-Login would carry over from one request to the next.
    """

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = suite_url(tmp_path_factory.mktemp("db"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test",
        "JOBS_DIR": str(tmp_path_factory.mktemp("jobs")),
        # Jobs run inside the request that starts them: no worker process reads a queue here
        # (tests/test_job_workers.py starts real ones). A dead job is closed, not queued again, unless a test
        # turns retries on.
        "JOBS_SYNC": True,
        "JOB_RETRIES": 0,
        "DASHBOARD_CACHE_DIR": str(tmp_path_factory.mktemp("dashboard")),
        # Figures follow every committed edit at once; the recompute window's own tests turn it on.
        "DASHBOARD_RECOMPUTE_SECONDS": 0,
        # ... computed by the request itself: the background refresh's own test turns the forked child on.
        "FIGURES_IN_BACKGROUND": False,
        # Boards are cached per alert id, and ids repeat between tests: only the cache's own test turns it on.
        "SUPERVISION_CACHE": False,
        # The command-line imports run in this process: they must not lower the suite's own priority
        # (tests/test_job_workers.py checks the niceness in processes of their own).
        "JOB_NICENESS": 0,
    })
    app.test_client_class = FreshGClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference()
        db.session.commit()
        wipe()   # the seed's own audit entries (floors are audited): every test starts with an empty log
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def wipe():
    """Delete every row but the reference data, the append-only tables' rows included, and commit.

    The database refuses to delete those (models/append_only.py). PostgreSQL's row triggers do not fire on
    TRUNCATE, which costs a few milliseconds a table, so only the ones holding rows are truncated. SQLite has
    no TRUNCATE: the transaction drops their triggers, deletes and creates the triggers again.
    """
    db.session.rollback()
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    guarded = [t for t in tables if t.name in APPEND_ONLY and db.session.scalar(select(exists(t.select())))]
    # The other tables first (the append-only ones refer to none of them): the first DELETE opens the
    # transaction, as Python's sqlite3 would run a DDL statement before any DML outside of it.
    for table in tables:
        if table not in guarded:
            db.session.execute(table.delete())
    if guarded and db.session.get_bind().dialect.name == "postgresql":
        # CASCADE because dispatch refers to dispatch_file, even empty (as it is by now).
        db.session.execute(text(f"TRUNCATE {', '.join(t.name for t in guarded)} CASCADE"))
    elif guarded:
        triggers = {k: v for t in guarded for k, v in sqlite_triggers(t.name, APPEND_ONLY[t.name]).items()}
        for name in triggers:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        for table in guarded:
            db.session.execute(table.delete())
        for statement in triggers.values():
            db.session.execute(text(statement))
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_db(app, request):
    """Give every test an app context and leave only reference data behind."""
    with app.app_context():
        yield
        if request.node.get_closest_marker("mutates_reference"):
            restore_reference()
        wipe()
        db.session.remove()


def restore_reference():
    """Reload the reference data a test changed. Floors edited on the floors page are skipped by the seed
    loader, so they are deleted first and loaded afresh."""
    db.session.rollback()
    db.session.query(MeasureFloor).filter(MeasureFloor.edited_at.is_not(None)).delete()
    load_reference()
    db.session.commit()


@pytest.fixture(autouse=True)
def official_outputs(_clean_db):
    """Fail any test in which an order page renders, or a dispatched workbook holds, 待核定 or 【错误.

    Yields the ``OrderWatch`` (its ``found`` list), torn down before the database is wiped.
    """
    watch = OrderWatch()
    with watch.connected():
        yield watch
    found = watch.found + dispatched_markers()
    if found:
        pytest.fail(f"an official output carries an error marker: {found}")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def password_hash():
    return generate_password_hash(PASSWORD)


_codes = itertools.count(1)


def new_credit_code(county_code="140502"):
    """A fresh valid credit code (GB 32100 check digit) for test fixtures."""
    serial = f"{next(_codes):07d}"
    return credit_code.make(f"91{county_code}MA{serial}"[:17])


@pytest.fixture
def county():
    def get(name="城区"):
        return db.session.query(County).filter_by(name=name).one()
    return get


@pytest.fixture
def industry():
    def get(code="cement_clinker"):
        return db.session.query(Industry).filter_by(code=code).one()
    return get


@pytest.fixture
def make_enterprise(county, industry):
    def make(name="测试企业有限公司", county_name="城区", industry_code="cement_clinker",
             category="GRADED", grade="B", **kw):
        enterprise = Enterprise(
            name=name, credit_code=kw.pop("credit_code", None) or new_credit_code(),
            county=county(county_name), industry=industry(industry_code),
            category=db.session.get(Category, category),
            grade=db.session.get(Grade, grade) if grade else None, **kw)
        db.session.add(enterprise)
        db.session.commit()
        return enterprise
    return make


# A clinker B line's measures that meet the floors: trucks banned at yellow, 限产20% at orange, 停产 at red.
DEFAULT_MEASURES = {"yellow": ("none", None, None, "no_g4"), "orange": ("limit", 20.0, None, "no_g4"),
                    "red": ("stop", None, None, "no_g4")}


def measure_values(spec):
    """A measure given as a dict of columns, or as (action, limit_pct, other_fraction[, transport])."""
    if isinstance(spec, dict):
        return spec
    action, pct, fraction, *rest = spec
    return {"action": action, "limit_pct": pct, "other_fraction": fraction, "transport": rest[0] if rest else "none"}


@pytest.fixture
def make_line():
    def make(enterprise, name="1#生产线", measures=None, **kw):
        defaults = dict(process_stage="熟料烧成", facilities="回转窑", capacity=2500, capacity_unit="吨/日",
                        so2_t_yr=30.0, nox_t_yr=60.0, pm_t_yr=15.0, vocs_t_yr=0.0, operating_days=300)
        defaults.update(kw)
        line = ProductionLine(enterprise=enterprise, name=name, **defaults)
        for level, spec in (DEFAULT_MEASURES if measures is None else measures).items():
            line.measures.append(LineMeasure(level=level, text=f"{level}措施", indicators="用电量",
                                             **measure_values(spec)))
        db.session.add(line)
        db.session.commit()
        return line
    return make


@pytest.fixture
def make_user(county, password_hash):
    def make(role, username=None, county_name=None, enterprise=None):
        user = User(username=username or f"{role}-{next(_codes)}", role=role, password_hash=password_hash,
                    county=county(county_name) if county_name else None, enterprise=enterprise)
        db.session.add(user)
        db.session.commit()
        return user
    return make


@pytest.fixture
def login(client):
    def as_user(user):
        with client.session_transaction() as session:
            stamp(session, user)
        return client
    return as_user


@pytest.fixture
def parties(make_enterprise, make_user):
    """A C-grade clinker firm in 城区 with its user, and every other kind of user around it."""
    own = make_enterprise(name="城区甲水泥", grade="C")
    other = make_enterprise(name="泽州乙水泥", county_name="泽州县", grade="C")
    return {
        "own": own, "other": other,
        "ent": make_user("enterprise", enterprise=own),
        "ent_other": make_user("enterprise", enterprise=other),
        "county": make_user("county", county_name="城区"),
        "county_other": make_user("county", county_name="泽州县"),
        "city": make_user("city"),
        "admin": make_user("admin"),
    }
