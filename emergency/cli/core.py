"""Flask CLI commands. Each wraps a domain function and commits once; names are a contract."""
from functools import wraps

import click
from flask.cli import with_appcontext

from emergency.accounts.users import create_account
from emergency.audit.trail import acting_as
from emergency.cli.admin import COMMANDS as ADMIN_COMMANDS
from emergency.cli.grading import COMMANDS as REQUEST_COMMANDS
from emergency.cli.lists import COMMANDS as LIST_COMMANDS
from emergency.errors import DomainError
from models import ROLES, County, db
from seed.load import load_reference


def attributed(name):
    """Run a command inside ``acting_as("cli", "cli:<name>")`` so the audit log names it."""
    def decorator(command):
        @wraps(command)
        def wrapped(*args, **kwargs):
            with acting_as("cli", f"cli:{name}"):
                return command(*args, **kwargs)
        return wrapped
    return decorator


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also load the synthetic demo registry and demo logins.")
@with_appcontext
@attributed("seed")
def seed_command(demo):
    """Load reference data (idempotent); with --demo, also the synthetic demo registry."""
    load_reference()
    click.echo("参考数据已加载：县（市、区）、行业与分级方案、措施底线、目标比例。")
    if demo:
        from seed.demo import load_demo

        summary = load_demo()
        click.echo(f"演示数据（合成，非真实企业数据）：{summary['enterprises']} 家企业，{summary['lines']} 条生产线。")
        click.echo("演示账号：")
        for login in summary["logins"]:
            click.echo(f"  {login['username']:<14} 密码 {login['password']:<12} {login['note']}")
    db.session.commit()


@click.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--county", "county_name", help="County name, for county users.")
@click.option("--enterprise", "enterprise_code", help="Credit code, for enterprise users.")
@click.option("--password", required=True)
@click.option("--real-name", default="", help="The person's name (姓名), printed instead of the login.")
@click.option("--unit", default="", help="The person's unit (单位).")
@click.option("--phone", default="", help="The person's phone (电话).")
@with_appcontext
@attributed("create-user")
def create_user_command(name, role, county_name, enterprise_code, password, real_name, unit, phone):
    """Create a login with a role."""
    county_id = None
    if county_name:
        county = db.session.query(County).filter_by(name=county_name.strip()).one_or_none()
        if county is None:
            raise click.ClickException(f"未找到县（市、区）：{county_name}")
        county_id = county.id
    try:
        user = create_account(name, role, password, county_id=county_id, enterprise_code=enterprise_code,
                              profile={"real_name": real_name, "unit": unit, "phone": phone})
    except DomainError as exc:
        raise click.ClickException("；".join(exc.errors.values())) from None
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{user.role_label}）")


COMMANDS = [seed_command, create_user_command, *LIST_COMMANDS, *ADMIN_COMMANDS, *REQUEST_COMMANDS]

from emergency.cli.imports import import_list_command  # noqa: E402  (appended so the list above stays untouched)

COMMANDS.append(import_list_command)

from emergency.cli.floors import COMMANDS as FLOOR_COMMANDS  # noqa: E402

COMMANDS.extend(FLOOR_COMMANDS)

from emergency.cli.api_tokens import COMMANDS as API_TOKEN_COMMANDS  # noqa: E402

COMMANDS.extend(API_TOKEN_COMMANDS)
from emergency.cli.baseline import COMMANDS as BASELINE_COMMANDS  # noqa: E402

COMMANDS.extend(BASELINE_COMMANDS)
from emergency.cli.power import COMMANDS as POWER_COMMANDS  # noqa: E402

COMMANDS.extend(POWER_COMMANDS)

from emergency.cli.planning import COMMANDS as PLANNING_COMMANDS  # noqa: E402

COMMANDS.extend(PLANNING_COMMANDS)
from emergency.cli.workers import COMMANDS as WORKER_COMMANDS  # noqa: E402

COMMANDS.extend(WORKER_COMMANDS)
