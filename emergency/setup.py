"""The pieces ``create_app`` wires together: extensions, blueprints, app-wide hooks, commands and error pages.

Every app-wide request hook, template filter and context processor is registered here, never by a blueprint.
"""
from flask import g, render_template
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from emergency.errors import Forbidden, NotFound
from models import User, db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"
csrf = CSRFProtect()
migrate = Migrate()


@login_manager.user_loader
def _load_user(user_id):
    # A deactivated user's existing session stops working at the next request.
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Foreign keys are off by default in SQLite; WAL and a busy timeout let several workers write.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def register_extensions(app):
    from emergency.audit import trail as audit
    from emergency.web import input_guard, security

    security.init_app(app)
    input_guard.install_converter(app)
    # First of all hooks (CSRF's own included): every page, error pages too, has its id and refuses NUL.
    app.before_request(security.assign_request_id)
    app.before_request(input_guard.refuse_nul)
    app.after_request(security.security_headers)
    audit.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    login_manager.init_app(app)
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

    from emergency.web import notices

    app.register_blueprint(notices.bp)

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


def register_errorhandlers(app):
    from emergency.web import api

    def page(code):
        if api.is_api_request():       # machine clients get JSON, never an HTML page
            return api.refusal(code)
        return render_template("errors/error.html", code=code, request_id=g.get("request_id")), code

    def render_error(error):
        return page(getattr(error, "code", 500) or 500)

    def unexpected(error):
        if isinstance(error, HTTPException):
            return render_error(error)
        # Log the stack trace with the request id; the user sees only a Chinese page with that id.
        db.session.rollback()
        app.logger.exception("Unhandled error on %s", g.get("request_id"))
        return page(500)

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.errorhandler(code)(render_error)
    # The domain's refusals become responses here and nowhere else.
    app.errorhandler(NotFound)(lambda error: page(404))
    app.errorhandler(Forbidden)(lambda error: page(403))
    app.errorhandler(Exception)(unexpected)
