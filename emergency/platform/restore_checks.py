"""What ``restore`` checks before it replaces anything: that the file is this system's database at this
system's schema revision, and that no server holds the live database open.

A server is seen two ways: the pid file gunicorn writes while it runs (``gunicorn.conf.py``, ``server.pid`` in
the instance folder), and any other process with the database file open (``/proc/<pid>/fd``; a ``flask run``
server holds it once it has answered a request).
"""
import os
import sqlite3
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import current_app

from models import db

PID_FILE = "server.pid"


class RestoreRefused(RuntimeError):
    """The file is not one to restore, or the database is in use; a Chinese message."""


def expected_tables():
    return set(db.metadata.tables) | {"alembic_version"}


def head_revisions():
    """The schema revision(s) this code's migrations end at."""
    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    return set(ScriptDirectory.from_config(config).get_heads())


def check_schema(source, name):
    """Refuse a backup whose tables or alembic revision are not this system's (``source`` an sqlite3 connection)."""
    tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
              if not r[0].startswith("sqlite_")}
    if tables != expected_tables():
        missing, extra = sorted(expected_tables() - tables), sorted(tables - expected_tables())
        parts = ([f"缺少 {len(missing)} 张表（{'、'.join(missing[:5])}）"] if missing else []) + \
                ([f"多出 {len(extra)} 张表（{'、'.join(extra[:5])}）"] if extra else [])
        detail = "；".join(parts)
        raise RestoreRefused(f"{name} 不是本系统的数据库：{detail}。未做任何更改。")
    try:
        revisions = {r[0] for r in source.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.DatabaseError:
        revisions = set()
    if revisions != head_revisions():
        raise RestoreRefused(f"{name} 的数据库版本（{'、'.join(sorted(revisions)) or '无'}）与本系统"
                             f"（{'、'.join(sorted(head_revisions()))}）不一致，不能恢复。请用同一版本系统的备份，"
                             "或先在旧版本系统中恢复后再升级（flask db upgrade）。未做任何更改。")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _server_pid():
    path = Path(current_app.instance_path) / PID_FILE
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid != os.getpid() and _pid_alive(pid) else None


def _openers(database):
    """Other processes with ``database`` (or its -wal/-shm files) open."""
    names = {os.path.realpath(database + suffix) for suffix in ("", "-wal", "-shm")}
    found = set()
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.path.realpath(fd) in names for fd in (entry / "fd").iterdir()):
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def holders(database):
    """The pids of servers or other processes holding ``database``, sorted."""
    pids = _openers(database)
    server = _server_pid()
    if server is not None:
        pids.add(server)
    return sorted(pids)


def check_not_held(database):
    pids = holders(database)
    if pids:
        raise RestoreRefused(f"数据库正被其他进程使用（进程号 {', '.join(map(str, pids))}，如运行中的服务器）。"
                             "请先停止服务器再恢复；确认无误时可加 --force 强制恢复。未做任何更改。")
