"""The pieces ``create_app`` wires together: extensions, blueprints, app-wide hooks, commands and error pages.

Every app-wide request hook, template filter and context processor is registered here, never by a blueprint.
"""
import os

from flask import g, render_template
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from emergency.errors import Busy, Forbidden, NotFound
from models import User, db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"
csrf = CSRFProtect()
migrate = Migrate()


@login_manager.user_loader
def _load_user(session_id):
    # The session carries "<id>:<epoch>" (User.get_id): a session from before the user's last logout, password
    # change, reset or deactivation names an older epoch and loads nobody. Deactivated users load nobody either.
    user_id, _, epoch = str(session_id).partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Foreign keys are off by default in SQLite; WAL and a busy timeout let several workers write (the timeout
    # is the connection's own: SQLITE_BUSY_TIMEOUT_SECONDS, emergency.platform.startup).
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        _restrict_sqlite_files(cursor.execute("PRAGMA database_list").fetchone()[2])
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _restrict_sqlite_files(path):
    """Make the database file 0640 before WAL mode creates its -wal and -shm files (SQLite gives them the
    database file's mode); the file holds password hashes and the whole registry."""
    for name in (path, f"{path}-wal", f"{path}-shm") if path else ():
        try:
            if os.stat(name).st_mode & 0o037:
                os.chmod(name, 0o640)
        except OSError:      # not there yet, or another user's file: nothing to narrow here
            continue


def register_extensions(app):
    from emergency.audit import trail as audit
    from emergency.platform import startup
    from emergency.web import input_guard, security, sessions

    security.init_app(app)
    sessions.init_app(app)
    input_guard.install_converter(app)
    # First of all hooks (CSRF's own included): every page, error pages too, has its id and refuses NUL.
    app.before_request(security.assign_request_id)
    app.before_request(input_guard.refuse_nul)
    app.after_request(security.security_headers)
    audit.install()
    startup.open_database(app)   # db.init_app, then one connection: a bad DATABASE_URL stops here in one line
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    login_manager.init_app(app)
    app.before_request(sessions.enforce_timeouts)
    csrf.init_app(app)


def register_blueprints(app):
    from emergency.web import auth, lists, registry

    for module in (auth, registry, lists):
        app.register_blueprint(module.bp)

    from emergency.web import account, jobs

    app.register_blueprint(account.bp)
    app.register_blueprint(jobs.bp)

    from emergency.web import audit_log
    from emergency.web import grade_requests as requests

    app.register_blueprint(requests.bp)
    app.register_blueprint(audit_log.bp)

    from emergency.web import alerts, dashboard, versions

    for module in (versions, alerts, dashboard):
        app.register_blueprint(module.bp)

    from emergency.web import notices, stagger_notices, staggering

    app.register_blueprint(notices.bp)
    app.register_blueprint(staggering.bp)
    app.register_blueprint(stagger_notices.bp)

    from emergency.web import floors, imports

    app.register_blueprint(imports.bp)
    app.register_blueprint(floors.bp)

    from emergency.web import api, api_tokens

    # The API takes GET only and authenticates by bearer token, never by the session cookie CSRF guards.
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_tokens.bp)

    from emergency.web import baseline

    app.register_blueprint(baseline.bp)

    from emergency.web import inspections, supervision

    app.register_blueprint(supervision.bp)
    app.register_blueprint(inspections.bp)

    from emergency.web import planning

    app.register_blueprint(planning.bp)


def register_hooks(app):
    """The hooks that read the database, after the extensions' own (so CSRF is checked first), and the
    template globals and filters."""
    from emergency.web import context, hooks

    app.before_request(hooks.apply_due_grades)
    app.context_processor(context.inject_globals)
    for name, function in context.TEMPLATE_FILTERS.items():
        app.add_template_filter(function, name)


def register_commands(app):
    from emergency.cli import core as cli

    for command in cli.COMMANDS:
        app.cli.add_command(command)


def _refuse_damaged_files(app, page):
    """A kept file whose bytes no longer match its checksum is never served, inline or as a download; a kept file
    that is gone is a Chinese 404, not a server error."""
    from emergency.platform.storage import DamagedFile, MissingFile

    def damaged(error):
        app.logger.error("Damaged stored file %s on %s", error, g.get("request_id"))
        return page(409, "文件校验失败：存储的内容与上传时登记的不一致，已拒绝提供。请联系系统管理员。")

    def missing(error):
        app.logger.error("Missing stored file %s on %s", error, g.get("request_id"))
        return page(404, "文件已不在存储中（可能已被清理），请联系系统管理员。")

    app.errorhandler(DamagedFile)(damaged)
    app.errorhandler(MissingFile)(missing)


def register_errorhandlers(app):
    from emergency.web import api, failures

    def page(code, message=None):
        if api.is_api_request():       # machine clients get JSON, never an HTML page
            return api.refusal(code)
        message = message or failures.MESSAGES.get(code, "请求未能完成。")
        try:
            return render_template("errors/error.html", code=code, message=message,
                                   request_id=g.get("request_id")), code
        except Exception:
            # The normal page needs the database (the logged-in user, the navigation's figures): without it,
            # the same sentence from the template alone.
            app.logger.exception("error page %s could not render normally", code)
            return failures.standalone(code, str(code), message)

    def render_error(error):
        return page(getattr(error, "code", 500) or 500)

    def unexpected(error):
        if isinstance(error, HTTPException):
            return render_error(error)
        explained = failures.respond(error)   # busy, disk full, read-only, unreachable: 503 and why
        if explained is not None:
            return api.refusal(503, message=failures.PAGES[failures.classify(error)][0]) \
                if api.is_api_request() else explained
        # Log the stack trace with the request id; the user sees only a Chinese page with that id.
        try:
            db.session.rollback()
        except Exception:
            app.logger.warning("rollback failed")
        app.logger.exception("Unhandled error on %s", g.get("request_id"))
        return page(500)

    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.errorhandler(code)(render_error)
    # The domain's refusals become responses here and nowhere else.
    app.errorhandler(NotFound)(lambda error: page(404))
    app.errorhandler(Forbidden)(lambda error: page(403))
    app.errorhandler(Busy)(lambda error: page(429, error.message))
    _refuse_damaged_files(app, page)
    app.errorhandler(Exception)(unexpected)
