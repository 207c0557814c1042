"""The power-supervision commands: import the grid company's readings (the same functions as /supervision)."""
import os

import click
from flask.cli import with_appcontext

from emergency.cli.imports import run_import
from emergency.supervision.power_import import commit_power, inspect_power


@click.command("import-power")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
@with_appcontext
def import_power_command(file, dry_run):
    """Import electricity readings per account and day (or hour) from FILE (.xlsx, .xls or .csv); exit 1,
    writing nothing, when it has problems."""
    with open(file, "rb") as fh:
        data = fh.read()
    run_import(data, os.path.basename(file), dry_run, inspect_power,
               lambda data, name, username: commit_power(data, name, username),
               lambda report: f"已导入：{report.counts()}。")


COMMANDS = [import_power_command]
