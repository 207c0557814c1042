"""CLI command for grade changes: apply those whose effective date has come (run daily, e.g. from cron)."""
import click
from flask.cli import with_appcontext

from emergency.audit.trail import acting_as
from emergency.clock import local_today
from emergency.grading.history import apply_due_grades
from models import db


@click.command("apply-due-grades")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Apply as of this date (YYYY-MM-DD).")
@with_appcontext
def apply_due_grades_command(today):
    """Apply the grade changes whose effective date is today or earlier."""
    day = today.date() if today else local_today()
    with acting_as("cli", "cli:apply-due-grades"):
        count = apply_due_grades(day)
        db.session.commit()
    click.echo(f"已生效的等级调整：{count} 项（截至 {day}）。")


COMMANDS = [apply_due_grades_command]
