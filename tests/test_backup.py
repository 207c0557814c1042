"""Backup of a live SQLite database and restore, compared table by table."""

import os
import sqlite3
import subprocess
import sys

import pytest
from flask_migrate import stamp
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

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite'}", "TESTING": True,
                      "BACKUP_DIR": str(tmp_path / "safety")})
    with app.app_context():
        db.create_all()
        stamp()   # at this code's head revision, as `flask db upgrade` leaves it
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
    safety = list((tmp_path / "safety").iterdir())
    assert len(safety) == 1 and f"已自动备份到 {safety[0]}" in result.output
    assert oct(safety[0].stat().st_mode & 0o777) == "0o600" and oct(out.stat().st_mode & 0o777) == "0o600"
    changed = sqlite3.connect(safety[0])   # the safety copy holds what the restore replaced
    assert changed.execute("SELECT count(*) FROM enterprise WHERE name = '备份后被改掉的名字'").fetchone()[0] == 1
    changed.close()
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


def _foreign(path, tables=("enterprise",), revision=None):
    """A SQLite file that is not this system's database: a table called enterprise, and maybe a revision."""
    conn = sqlite3.connect(path)
    for table in tables:
        conn.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, name TEXT)')
    if revision:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    conn.commit()
    conn.close()
    return path


def _live_file(tmp_path):
    """The live database's bytes (with its WAL), after our connections are closed."""
    db.session.remove()
    db.engine.dispose()
    return {p.name: p.read_bytes() for p in tmp_path.glob("live.sqlite*")}


def test_restore_refuses_a_foreign_database_and_changes_nothing(live, tmp_path):
    runner = live.test_cli_runner()
    before, files = _dump(), _live_file(tmp_path)
    foreign = _foreign(tmp_path / "foreign.sqlite")
    result = runner.invoke(args=["restore", "--from", str(foreign), "--yes"])
    assert result.exit_code == 1 and "不是本系统的数据库" in result.output and "未做任何更改" in result.output
    assert _live_file(tmp_path) == files and _dump() == before
    assert not (tmp_path / "safety").exists()   # refused before even the safety copy


def test_restore_refuses_this_systems_tables_at_another_revision(live, tmp_path):
    out = tmp_path / "old.sqlite"
    assert live.test_cli_runner().invoke(args=["backup", "--out", str(out)]).exit_code == 0
    conn = sqlite3.connect(out)
    conn.execute("UPDATE alembic_version SET version_num = '0003'")
    conn.commit()
    conn.close()
    files = _live_file(tmp_path)
    result = live.test_cli_runner().invoke(args=["restore", "--from", str(out), "--yes"])
    assert result.exit_code == 1 and "数据库版本（0003）与本系统" in result.output
    assert _live_file(tmp_path) == files


def test_restore_refuses_while_another_process_holds_the_database_unless_forced(live, tmp_path):
    out = tmp_path / "backup.sqlite"
    runner = live.test_cli_runner()
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('SELECT count(*) FROM enterprise').fetchone(); print('ready', flush=True); time.sleep(120)",
         str(tmp_path / "live.sqlite")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        files = _live_file(tmp_path)
        refused = runner.invoke(args=["restore", "--from", str(out), "--yes"])
        assert refused.exit_code == 1 and f"进程号 {holder.pid}" in refused.output and "--force" in refused.output
        assert _live_file(tmp_path) == files
        forced = runner.invoke(args=["restore", "--from", str(out), "--yes", "--force"])
        assert forced.exit_code == 0, forced.output
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_restore_refuses_while_the_servers_pid_file_names_a_live_process(live, tmp_path):
    out = tmp_path / "backup.sqlite"
    runner = live.test_cli_runner()
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    pid_file = tmp_path / "instance-server.pid"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        from emergency.platform import restore_checks
        live.instance_path = str(tmp_path)
        pid_file = tmp_path / restore_checks.PID_FILE
        pid_file.write_text(str(sleeper.pid))
        refused = runner.invoke(args=["restore", "--from", str(out), "--yes"])
        assert refused.exit_code == 1 and f"进程号 {sleeper.pid}" in refused.output
    finally:
        sleeper.kill()
        sleeper.wait()
    assert runner.invoke(args=["restore", "--from", str(out), "--yes"]).exit_code == 0   # a stale pid file
    assert os.path.exists(pid_file)
