"""Consistent backups of a live SQLite database (the online backup API), and restoring one."""
import os
import sqlite3
from pathlib import Path

from models import db


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, with a Chinese message."""


def _sqlite_path():
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError("backup/restore 仅用于 SQLite 数据库文件；"
                          "PostgreSQL 请使用 pg_dump / pg_restore（见 README）")
    return url.database


def backup(out):
    """Copy the live database to ``out`` page by page while other connections keep working."""
    source_path, target = _sqlite_path(), Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The copy holds every account's password hash: readable by its owner only, whatever the umask.
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(target, 0o600)
    source, dest = sqlite3.connect(source_path), sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target.stat().st_size


def restore(src):
    """Replace the live database's contents with the backup at ``src`` (after checking it is one)."""
    target_path, source_file = _sqlite_path(), Path(src)
    if not source_file.is_file():
        raise BackupError(f"找不到备份文件：{src}")
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        ok = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError:
        source.close()
        raise BackupError(f"不是有效的 SQLite 备份文件：{src}") from None
    if not ok or "enterprise" not in tables:
        source.close()
        raise BackupError(f"备份文件损坏或不是本系统的数据库：{src}")
    db.session.remove()
    db.engine.dispose()   # no pooled connection may hold the old pages
    dest = sqlite3.connect(target_path)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
