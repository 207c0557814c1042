"""Start-up that fails in one Chinese line: a bad ``DATABASE_URL``, a missing driver or an unreachable database
stops ``flask`` commands, ``make run`` and gunicorn with what is wrong and how to fix it, not a traceback."""
import os
import stat
import sys

import sqlalchemy.exc as sa_exc
from sqlalchemy import make_url, text

from models import db

EXAMPLES = "postgresql+psycopg://用户:密码@主机:5432/库名 或 sqlite:////绝对路径/emergency.sqlite"
# What a driver's connection error says, and what to tell the operator (first match wins).
CONNECT_REASONS = (
    ("password authentication failed", "用户名或密码错误"),
    ("does not exist", "数据库或用户不存在（PostgreSQL 请先 createdb）"),
    ("could not translate host name", "主机名无法解析"),
    ("name or service not known", "主机名无法解析"),
    ("connection refused", "数据库服务未启动或端口不对（连接被拒绝）"),
    ("timeout", "连接超时（主机不可达或被防火墙拦截）"),
)


# gunicorn's "worker failed to boot" status: the master stops instead of booting the same failure forever.
GUNICORN_BOOT_ERROR = 3


class StartupError(SystemExit):
    """Stops the process with one line on stderr (exit status 1; under gunicorn, status 3 after the line)."""

    def __init__(self, message):
        self.message = message
        if "gunicorn.arbiter" in sys.modules:
            print(message, file=sys.stderr, flush=True)
            super().__init__(GUNICORN_BOOT_ERROR)
        else:
            super().__init__(message)

    def __str__(self):
        return self.message


def _shown(uri):
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return repr(uri)


def explain(uri, error):
    """One Chinese line for ``error`` raised while opening ``uri``."""
    shown = _shown(uri)
    if isinstance(error, sa_exc.NoSuchModuleError):
        return f"数据库地址 DATABASE_URL 的类型不受支持：{shown}。请改为 {EXAMPLES}。"
    if isinstance(error, sa_exc.ArgumentError):
        return f"数据库地址 DATABASE_URL 格式不正确：{shown}。正确格式如 {EXAMPLES}。"
    if isinstance(error, ImportError):
        return (f"缺少数据库驱动 {error.name or ''}（{shown}）。PostgreSQL 请用已安装的驱动 postgresql+psycopg://，"
                "或 pip install 该驱动后重试。")
    if uri.startswith("sqlite"):
        return f"无法打开 SQLite 数据库 {shown}：请确认所在目录存在且当前用户可读写，或改正 DATABASE_URL。"
    detail = str(getattr(error, "orig", error)).lower()
    reason = next((why for needle, why in CONNECT_REASONS if needle in detail), "无法连接")
    return (f"无法连接数据库 {shown}：{reason}。请确认数据库服务已启动、DATABASE_URL 中的主机、端口、库名和账号正确"
            "（PostgreSQL 可用 psql 试连）。")


SQLITE_BUSY_TIMEOUT_SECONDS = 10


def open_database(app):
    """Bind ``db`` to the app and try one connection, or stop with ``StartupError``.

    On SQLite a writer waits ``SQLITE_BUSY_TIMEOUT_SECONDS`` for another's write to end before giving up with
    "database is locked" (which becomes the 系统繁忙 page, emergency.web.failures).
    """
    uri = app.config.get("SQLALCHEMY_DATABASE_URI", "")
    if str(uri).startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        timeout = app.config.get("SQLITE_BUSY_TIMEOUT_SECONDS", SQLITE_BUSY_TIMEOUT_SECONDS)
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": timeout}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    try:
        db.init_app(app)
        with app.app_context(), db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (sa_exc.ArgumentError, sa_exc.OperationalError, sa_exc.InterfaceError, ImportError) as error:
        raise StartupError(explain(uri, error)) from None
    with app.app_context():
        private_sqlite_file(db.engine.url)


def private_sqlite_file(url):
    """Take the "other" permission bits (and the group's write) off a SQLite database file: 0640 at most.

    SQLite creates the file with the process's umask (often 0644), readable by every local user; its -wal and
    -shm files take the database's own mode.
    """
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.query.get("mode") == "ro" or url.database.startswith("file:"):
        return
    try:
        mode = stat.S_IMODE(os.stat(url.database).st_mode)
        if mode & ~0o640:
            os.chmod(url.database, mode & 0o640)
    except OSError:   # not ours to change (another owner, a read-only mount): leave it as it is
        pass
