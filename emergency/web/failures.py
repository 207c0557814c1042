"""Failing well when the database or the disk cannot do what a request needs.

- SQLite busy under a long write (``database is locked``; PostgreSQL lock timeouts): 503 系统繁忙，请稍后重试,
  and the posted form comes back as a 重新提交 button carrying every field, so nothing typed is lost.
- A full disk, a read-only database and an unreachable one: 503 pages that say so in Chinese and what to do.

These pages, and any error page whose normal rendering fails, are rendered from the template alone: no context
processor, no ``current_user``, no query, so they appear even when the database is gone.
"""
import errno

from flask import current_app, g, request
from sqlalchemy.exc import DBAPIError, OperationalError

from models import db

# (kind, substrings of the driver's message or SQLSTATEs)
KINDS = (
    ("busy", ("database is locked", "database table is locked", "lock timeout", "55p03", "40p01",
              "could not obtain lock", "deadlock detected")),
    ("disk_full", ("disk is full", "no space left", "53100", "diskfull")),
    ("read_only", ("readonly database", "read-only", "25006", "read only")),
)
PAGES = {
    "busy": ("系统繁忙，请稍后重试",
             "数据库正忙于处理其他用户的大批量写入（如导入），您的操作未能完成，也未保存任何内容。"),
    "disk_full": ("服务器磁盘已满",
                  "服务器磁盘空间不足，您的操作未能保存。请联系系统管理员清理磁盘空间（备份、导出文件、日志）后重试。"),
    "read_only": ("数据库当前为只读",
                  "数据库文件或数据库服务当前只允许读取（如权限变更、磁盘只读或维护中），"
                  "您的修改未能保存。请联系系统管理员恢复写权限后重试。"),
    "unreachable": ("数据库暂时无法连接",
                    "系统暂时无法连接数据库，请稍后重试；若持续出现，请联系系统管理员检查数据库服务。"),
}
# The plain error pages' sentences, by status.
MESSAGES = {400: "请求无效，请检查后重试。", 403: "您没有权限执行此操作。", 404: "页面不存在，或您无权查看。",
            405: "不支持的请求方式。", 413: "上传的文件过大。", 429: "操作过于频繁，请稍后再试。",
            500: "系统内部错误，请稍后重试或联系管理员。", 503: "服务暂时不可用，请稍后重试。"}
DISK_ERRNOS = {errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full", errno.EROFS: "read_only"}


def classify(error):
    """The kind of failure ``error`` is (a key of ``PAGES``), or None for one this module does not explain."""
    if isinstance(error, OSError):
        return DISK_ERRNOS.get(error.errno)
    if not isinstance(error, DBAPIError):
        return None
    orig = getattr(error, "orig", None)
    text = f"{orig} {getattr(orig, 'sqlstate', '') or ''} {type(orig).__name__}".lower()
    for kind, needles in KINDS:
        if any(needle in text for needle in needles):
            return kind
    return "unreachable" if isinstance(error, OperationalError) else None


def _resubmit():
    """The posted fields (files cannot be kept), for a button that posts them again to the same address."""
    if request.method != "POST":
        return None
    return {"action": request.full_path.rstrip("?"), "fields": list(request.form.items(multi=True)),
            "had_files": bool(request.files)}


def standalone(code, title, message, resubmit=None):
    """An error page rendered from its template alone (see the module docstring)."""
    template = current_app.jinja_env.get_template("errors/standalone.html")
    body = template.render(code=code, title=title, message=message, resubmit=resubmit,
                           request_id=g.get("request_id"))
    return body, code, {"Retry-After": "5"} if code == 503 else {}


def respond(error):
    """The response for a failure ``classify`` knows, logged with the request id; None for any other."""
    kind = classify(error)
    if kind is None:
        return None
    try:
        db.session.rollback()
    except Exception:   # the connection itself may be what failed
        current_app.logger.warning("rollback failed after %s", kind)
    current_app.logger.warning("%s on %s: %s", kind, g.get("request_id"), error)
    title, message = PAGES[kind]
    return standalone(503, title, message, _resubmit() if kind == "busy" else None)
