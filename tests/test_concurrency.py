"""Concurrent writers (as several gunicorn workers would be) neither fail with "database is locked" nor lose writes."""
import threading

import pytest
from sqlalchemy import text

from emergency.registry import operations
from models import Category, County, Enterprise, Industry, Setting, db
from tests.conftest import new_credit_code

WRITERS, WRITES = 4, 15


def _writer(app, number, ids, errors):
    with app.app_context():
        county = db.session.query(County).filter_by(name="城区").one()
        industry = db.session.query(Industry).filter_by(code="boiler").one()
        try:
            for i in range(WRITES):
                operations.create_enterprise({
                    "name": f"并发写入{number}-{i}有限公司", "credit_code": ids[number][i], "county_id": county.id,
                    "industry_id": industry.id, "category_code": "GENERAL", "grade_code": None})
                # A read-modify-write done by the database itself, so concurrent increments cannot be lost.
                db.session.execute(text("UPDATE setting SET value = CAST(value AS INTEGER) + 1 WHERE key = 'counter'"))
                db.session.commit()
        except Exception as error:  # collect, so the main thread can report what went wrong
            errors.append(repr(error))
            db.session.rollback()
        finally:
            db.session.remove()


def test_concurrent_writers_all_land(app):
    db.session.add(Setting(key="counter", value="0"))
    db.session.commit()
    assert db.session.get(Category, "GENERAL") is not None
    ids = [[new_credit_code() for _ in range(WRITES)] for _ in range(WRITERS)]
    errors = []
    threads = [threading.Thread(target=_writer, args=(app, n, ids, errors)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    assert db.session.query(Enterprise).filter(Enterprise.name.like("并发写入%")).count() == WRITERS * WRITES
    assert db.session.get(Setting, "counter").value == str(WRITERS * WRITES)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    if db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
