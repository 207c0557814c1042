"""Build a fresh benchmark database holding a synthetic registry of N enterprises with about 5 lines each."""
import os
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

OUT = Path(__file__).parent / "out"


def fresh_database_url(n, prefix="bench_"):
    """A new empty database: a SQLite file under bench/out, or a new PostgreSQL database when DATABASE_URL is set.

    The PostgreSQL database gets a name of its own (prefix, size, process id and a random part) and nothing else on
    the server is dropped: ``drop_database`` removes exactly this one when the run ends.
    """
    base = os.environ.get("DATABASE_URL")
    if base and base.startswith("postgresql"):
        name = f"{prefix}{n}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return base.rsplit("/", 1)[0] + "/" + name
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{prefix}{n}.sqlite"
    _remove_sqlite(path)
    return f"sqlite:///{path}"


def drop_database(url):
    """Remove the database ``fresh_database_url`` made for this run, and nothing else."""
    base = os.environ.get("DATABASE_URL")
    if url.startswith("postgresql") and base:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()
    elif url.startswith("sqlite:///"):
        _remove_sqlite(Path(url[len("sqlite:///"):]))


def _remove_sqlite(path):
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def generate(url, n, lines=5):
    """Create the schema, the reference data and the synthetic registry; return (seconds, enterprises, lines)."""
    from flask_migrate import upgrade

    from app import create_app
    from emergency.platform.statistics import analyze
    from models import db
    from seed.demo import load_demo
    from seed.load import load_reference

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        load_reference()
        summary = load_demo(n=n, lines=lines)
        analyze()   # PostgreSQL: plan the benchmarks on the loaded tables' statistics, as after an import
        db.session.commit()
        db.engine.dispose()
    return time.perf_counter() - started, summary["enterprises"], summary["lines"]
