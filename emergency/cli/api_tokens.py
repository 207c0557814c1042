"""CLI commands for read-API tokens: create (the token printed once), revoke and list (same functions as the
admin's page)."""
import click
from flask.cli import with_appcontext

from emergency.accounts import api_tokens
from emergency.audit.trail import acting_as
from emergency.cli.lists import county_option
from emergency.clock import to_local
from emergency.errors import DomainError, NotFound
from models import db


@click.group("api-token")
def api_token_group():
    """Create, revoke and list the read API's bearer tokens."""


@api_token_group.command("create")
@click.argument("name")
@county_option
@with_appcontext
def create_command(name, county):
    """Create a token for the client NAME (the whole city unless --county); print it once."""
    with acting_as("cli", "cli:api-token"):
        try:
            issued = api_tokens.create_token(name, county.id if county else None)
        except DomainError as error:
            raise click.ClickException("；".join(error.errors.values())) from None
        db.session.commit()
    click.echo(f"已创建令牌“{issued.token.name}”（编号 {issued.token.key}，可读范围：{issued.token.scope_name}）。")
    click.echo("令牌只显示这一次，请立即复制：")
    click.echo(issued.plain)


@api_token_group.command("revoke")
@click.argument("reference")
@with_appcontext
def revoke_command(reference):
    """Revoke the token with id or key REFERENCE."""
    with acting_as("cli", "cli:api-token"):
        try:
            token = api_tokens.revoke_token(api_tokens.find_token(reference))
        except NotFound:
            raise click.ClickException(f"未找到令牌：{reference}") from None
        except DomainError as error:
            raise click.ClickException("；".join(error.errors.values())) from None
        db.session.commit()
    click.echo(f"已吊销令牌“{token.name}”（编号 {token.key}）。")


@api_token_group.command("list")
@with_appcontext
def list_command():
    """List every token: id, key, scope, state, name and last use (Beijing time)."""
    for token in api_tokens.tokens_page():
        used = to_local(token.last_used_at).strftime("%Y-%m-%d %H:%M") if token.last_used_at else "从未使用"
        state = "已吊销" if token.revoked else "有效"
        click.echo(f"{token.id}\t{token.key}\t{token.scope_name}\t{state}\t{token.name}\t最近使用：{used}")


COMMANDS = [api_token_group]
