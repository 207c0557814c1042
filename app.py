"""Application factory: ``flask --app app ...`` and ``gunicorn "app:create_app()"`` both call it."""
import os

from flask import Flask


def create_app(test_config=None):
    """Build the app: config, extensions, blueprints, hooks, commands, error pages. Nothing runs at import."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY="dev-only-change-me",
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "emergency.sqlite"),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        ENTERPRISES_PER_PAGE=50,
        # Printed as 发布单位 on the 说明 sheet of every list workbook.
        ISSUING_BODY="晋城市生态环境局",
        # The notices' defaults until city staff change them on the 通知文书设置 page (emergency.publishing
        # .notice_settings); "{year}" in the prefix is the alert's start year.
        NOTICE_NUMBER_PREFIX="晋市环应急〔{year}〕",
        NOTICE_LEGAL_BASIS="《晋城市重污染天气应急预案》和晋城市重污染天气应急减排清单",
        NOTICE_CONSEQUENCES="未按要求落实应急减排措施的，由生态环境部门依法查处，并纳入绩效等级降级处理",
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("EMERGENCY")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.update(test_config)

    from emergency.setup import (
        register_blueprints,
        register_commands,
        register_errorhandlers,
        register_extensions,
        register_hooks,
    )

    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    register_errorhandlers(app)
    return app
