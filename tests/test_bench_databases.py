"""`make bench` makes its PostgreSQL databases under names of its own and drops only those."""
import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from bench import generate

PG = next((url for url in (os.environ.get("TEST_DATABASE_URL"), os.environ.get("DATABASE_URL"))
           if url and url.startswith("postgresql")), None)


def _names(base):
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        names = {name for (name,) in conn.execute(text("SELECT datname FROM pg_database"))}
    engine.dispose()
    return names


@pytest.mark.skipif(PG is None, reason="needs PostgreSQL")
def test_the_bench_leaves_other_bench_databases_alone_and_drops_its_own(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", PG)
    # Someone else's benchmark database, named the way the old generator named (and dropped) them.
    decoy = f"bench_7_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{decoy}"'))
    try:
        first, second = generate.fresh_database_url(7), generate.fresh_database_url(7)
        made = {first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]}
        assert len(made) == 2 and made <= _names(PG) and decoy in _names(PG)
        generate.drop_database(first)
        names = _names(PG)
        assert first.rsplit("/", 1)[1] not in names
        assert second.rsplit("/", 1)[1] in names and decoy in names
        generate.drop_database(second)
        names = _names(PG)
        assert second.rsplit("/", 1)[1] not in names and decoy in names
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{decoy}"'))
        admin.dispose()


def test_the_sqlite_bench_database_is_a_file_of_its_own_that_the_run_removes(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(generate, "OUT", tmp_path)
    other = tmp_path / "bench_8.sqlite"
    other.write_bytes(b"someone else's")
    url = generate.fresh_database_url(9)
    assert url == f"sqlite:///{tmp_path / 'bench_9.sqlite'}"
    (tmp_path / "bench_9.sqlite").write_bytes(b"x")
    (tmp_path / "bench_9.sqlite-wal").write_bytes(b"x")
    generate.drop_database(url)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench_8.sqlite"]
