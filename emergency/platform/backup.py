"""Consistent backups of a live SQLite database (the online backup API), and restoring one.

``restore`` changes nothing unless the file is this system's database at this system's schema revision
(``restore_checks``) and no server holds the live database (unless forced); then it first copies the live
database to a safety backup, and only then replaces it. Backup files are created mode 0600.
"""
import os
import sqlite3
from pathlib import Path

from flask import current_app

from emergency.clock import local_now
from emergency.platform.restore_checks import RestoreRefused, check_not_held, check_schema
from models import db

SAFETY_DIR = "backups"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, with a Chinese message."""


def _sqlite_path():
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError("backup/restore 仅用于 SQLite 数据库文件；"
                          "PostgreSQL 请使用 pg_dump / pg_restore（见 README）")
    return url.database


def _private(path):
    """Create ``path`` empty and readable by its owner only, before any byte of the database goes in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


def backup(out):
    """Copy the live database to ``out`` page by page while other connections keep working."""
    source_path, target = _sqlite_path(), Path(out)
    _private(target)
    source, dest = sqlite3.connect(source_path), sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target.stat().st_size


def _open_backup(source_file):
    """The backup at ``source_file``, read-only, after its integrity and schema checks."""
    if not source_file.is_file():
        raise BackupError(f"找不到备份文件：{source_file}")
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        ok = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if not ok:
            raise BackupError(f"备份文件损坏：{source_file}。未做任何更改。")
        check_schema(source, source_file)
    except sqlite3.DatabaseError:
        source.close()
        raise BackupError(f"不是有效的 SQLite 备份文件：{source_file}。未做任何更改。") from None
    except (BackupError, RestoreRefused) as error:
        source.close()
        raise BackupError(str(error)) from None
    return source


def safety_path(target_path):
    """Where the live database is copied before a restore replaces it."""
    stamp = local_now().strftime("%Y%m%d-%H%M%S")
    folder = Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / SAFETY_DIR)
    return folder / f"恢复前自动备份-{Path(target_path).stem}-{stamp}.sqlite"


def restore(src, force=False):
    """Replace the live database's contents with the backup at ``src``; return the safety backup's path."""
    target_path = _sqlite_path()
    db.session.remove()
    db.engine.dispose()   # no pooled connection of ours may hold the old pages, nor count as a holder
    source = _open_backup(Path(src))
    try:
        if not force:
            check_not_held(target_path)
        safety = safety_path(target_path)
        backup(safety)
        dest = sqlite3.connect(target_path)
        try:
            source.backup(dest)
        finally:
            dest.close()
    except RestoreRefused as error:
        raise BackupError(str(error)) from None
    finally:
        source.close()
    return safety
