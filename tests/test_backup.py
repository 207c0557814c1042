"""Backup of a live SQLite database and restore, compared table by table."""

import pytest
from sqlalchemy import text

from app import create_app
from models import Enterprise, db
from tests.database import postgres_base

pytestmark = pytest.mark.skipif(postgres_base() is not None, reason="SQLite backup API; PostgreSQL uses pg_dump")


@pytest.fixture
def live(tmp_path):
    """A separate app on its own SQLite file, so restoring does not disturb the suite's database."""
    from seed.demo import load_demo
    from seed.load import load_reference

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite'}", "TESTING": True})
    with app.app_context():
        db.create_all()
        load_reference()
        load_demo(n=120)
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def _dump():
    """Every row of every table, in a comparable form."""
    with db.engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t.name}"'))), key=repr)
                for t in db.metadata.sorted_tables}


def test_backup_then_restore_gives_back_every_table(live, tmp_path):
    runner = live.test_cli_runner()
    before = _dump()
    out = tmp_path / "backup.sqlite"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0 and "已备份到" in result.output and out.stat().st_size > 0
    first = db.session.query(Enterprise).order_by(Enterprise.id).first()
    first.name = "备份后被改掉的名字"
    from models import ProductionLine
    db.session.delete(db.session.query(ProductionLine).order_by(ProductionLine.id).first())
    db.session.commit()
    assert _dump() != before
    result = runner.invoke(args=["restore", "--from", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    after = _dump()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table


def test_restore_refuses_a_file_that_is_not_a_backup(live, tmp_path):
    runner = live.test_cli_runner()
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"this is not a database" * 100)
    before = _dump()
    result = runner.invoke(args=["restore", "--from", str(bogus), "--yes"])
    assert result.exit_code == 1 and "不是有效的 SQLite 备份文件" in result.output
    missing = runner.invoke(args=["restore", "--from", str(tmp_path / "nope.sqlite"), "--yes"])
    assert missing.exit_code == 1 and "找不到备份文件" in missing.output
    assert _dump() == before


def test_backup_is_consistent_while_another_connection_writes(live, tmp_path):
    from emergency.platform.backup import backup
    with db.engine.connect() as writer:
        writer.execute(text("UPDATE enterprise SET town = '写入中' WHERE id = 1"))
        # Uncommitted: the backup must not see it.
        backup(tmp_path / "b.sqlite")
        writer.rollback()
    import sqlite3
    copy = sqlite3.connect(tmp_path / "b.sqlite")
    assert copy.execute("SELECT count(*) FROM enterprise WHERE town = '写入中'").fetchone()[0] == 0
    assert copy.execute("SELECT count(*) FROM enterprise").fetchone()[0] == 120
    copy.close()
