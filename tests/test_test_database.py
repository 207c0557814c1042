"""`make test` never touches the database DATABASE_URL names: a run with DATABASE_URL pointing at a loaded
database leaves it byte-identical (SQLite) or row-identical (PostgreSQL); TEST_DATABASE_URL at a loaded one is
refused before anything is dropped."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from models import County, db
from seed.load import load_reference
from tests.database import claim, create_database, drop_database, postgres_base, sibling

ROOT = Path(__file__).resolve().parent.parent


def _load(url):
    """A bureau's database: every table, the reference data and one row of its own."""
    loaded = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with loaded.app_context():
        db.create_all()
        load_reference()
        db.session.add(County(code="140599", name="本局自建县", sort_order=99))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _rows(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{t.name}"'))))
                    for t in db.metadata.sorted_tables}
    finally:
        engine.dispose()


def _run_suite_with(database_url):
    """One small test file in a fresh pytest, as `make test` would run it with DATABASE_URL exported."""
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = database_url
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_credit_code.py"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_run_with_database_url_at_a_loaded_sqlite_file_leaves_it_byte_identical(tmp_path):
    folder = tmp_path / "bureau"
    folder.mkdir()
    url = f"sqlite:///{folder / 'emergency.sqlite'}"
    _load(url)
    before = _digest(folder)
    _run_suite_with(url)
    assert _digest(folder) == before


@pytest.mark.skipif(postgres_base() is None, reason="needs a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL)")
def test_a_run_with_database_url_at_a_loaded_postgres_database_leaves_it_row_identical():
    base = postgres_base()
    name = f"{db.engine.url.database}_bureau"
    drop_database(base, name)
    create_database(base, name)
    url = sibling(base, name)
    try:
        _load(url)
        before = _rows(url)
        _run_suite_with(url)
        assert _rows(url) == before and sum(map(len, before.values())) > 0
    finally:
        drop_database(base, f"{name}_pytest")
        drop_database(base, name)


def test_the_suite_refuses_a_test_database_holding_tables_it_did_not_create(tmp_path):
    url = f"sqlite:///{tmp_path / 'loaded.sqlite'}"
    _load(url)
    before = _rows(url)
    with pytest.raises(SystemExit, match="holds tables the tests did not create"):
        claim(url)
    assert _rows(url) == before
