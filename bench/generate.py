"""Build a fresh benchmark database holding a synthetic registry of N enterprises with about 5 lines each."""
import os
import re
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

OUT = Path(__file__).parent / "out"


def fresh_database_url(n, prefix="bench_"):
    """A new empty database: a SQLite file under bench/out, or a new PostgreSQL database when DATABASE_URL is set.

    Leftovers of earlier runs with the same prefix and size are dropped; other prefixes and sizes (someone
    else's benchmark on the same server) are left alone.
    """
    base = os.environ.get("DATABASE_URL")
    if base and base.startswith("postgresql"):
        leftover = re.compile(re.escape(f"{prefix}{n}_") + r"[0-9a-f]{6}$")
        name = f"{prefix}{n}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for (old,) in conn.execute(text("SELECT datname FROM pg_database")):
                if leftover.match(old):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return base.rsplit("/", 1)[0] + "/" + name
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{prefix}{n}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


def generate(url, n, lines=5):
    """Create the schema, the reference data and the synthetic registry; return (seconds, enterprises, lines)."""
    from flask_migrate import upgrade

    from app import create_app
    from models import db
    from seed.demo import load_demo
    from seed.load import load_reference

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        load_reference()
        summary = load_demo(n=n, lines=lines)
        db.session.commit()
        db.engine.dispose()
    return time.perf_counter() - started, summary["enterprises"], summary["lines"]
