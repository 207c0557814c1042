"""Which database the suite runs on. It is never the one that ``DATABASE_URL`` names.

- ``TEST_DATABASE_URL`` when set;
- else, when ``DATABASE_URL`` names a PostgreSQL database, a sibling database on the same server called
  ``<name>_pytest``, created on first use (so `.ci/run` and `make test-pg` test on PostgreSQL without touching
  the database a bureau may have loaded);
- else a SQLite file in pytest's temporary directory.

The suite drops every table at the start and the end of a session, so it refuses a database that holds tables
it did not create: the first session writes the ``pytest_owned`` marker table, and a database with other
tables but no marker is left alone.
"""
import os

from sqlalchemy import create_engine, inspect, make_url, text

MARKER = "pytest_owned"


def postgres_base():
    """The PostgreSQL URL the suite derives its databases from, or None to run on SQLite."""
    for name in ("TEST_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name)
        if url:
            return url if url.startswith("postgresql") else None
    return None


def sibling(url, name):
    """The URL of database ``name`` on the server of ``url``."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def create_database(url, name):
    """Create database ``name`` on the server of ``url``, through the server's maintenance database."""
    admin = create_engine(sibling(url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def drop_database(url, name):
    admin = create_engine(sibling(url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def suite_url(tmp_dir):
    """The URL the session's app uses (see the module docstring)."""
    if os.environ.get("TEST_DATABASE_URL"):
        url = os.environ["TEST_DATABASE_URL"]
    elif (base := postgres_base()) is not None:
        name = make_url(base).database + "_pytest"
        create_database(base, name)
        url = sibling(base, name)
    else:
        return "sqlite:///" + str(tmp_dir / "test.sqlite")
    claim(url)
    return url


def claim(url):
    """Refuse a database holding tables the suite did not create; mark it as the suite's otherwise."""
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        if tables and MARKER not in tables:
            raise SystemExit(f"The test database {make_url(url).database!r} holds tables the tests did not create "
                             f"({len(tables)}); the suite drops every table, so it refuses to run there. "
                             "Point TEST_DATABASE_URL at an empty database.")
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE IF NOT EXISTS {MARKER} (created_at TIMESTAMP)"))
    finally:
        engine.dispose()
