"""The pieces ``create_app`` wires together: extensions, blueprints, commands and error pages."""
from flask import render_template
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from models import User, db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"
csrf = CSRFProtect()
migrate = Migrate()


@login_manager.user_loader
def _load_user(user_id):
    return db.session.get(User, int(user_id))


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
    from emergency import audit

    audit.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)


def register_blueprints(app):
    from emergency.web import auth, lists, registry

    for module in (auth, registry, lists):
        app.register_blueprint(module.bp)

    from emergency.web.context import inject_globals

    app.context_processor(inject_globals)


def register_commands(app):
    from emergency import cli

    for command in cli.COMMANDS:
        app.cli.add_command(command)


def register_errorhandlers(app):
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        return render_template("errors/error.html", code=code), code

    for code in (400, 403, 404, 405, 413, 500):
        app.errorhandler(code)(render_error)
