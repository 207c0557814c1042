"""The power-supervision commands: import the grid company's readings (the same functions as /supervision)."""
import os

import click
from flask.cli import with_appcontext

from emergency.cli.imports import run_import
from emergency.supervision.power_import import commit_power, inspect_power
from models import db


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


@click.command("seed-demo-power")
@with_appcontext
def seed_demo_power_command():
    """Load the demo alert and synthetic daily power data (演示数据) for the firms on its list; idempotent."""
    from seed.demo_power import load_demo_power

    summary = load_demo_power()
    db.session.commit()
    click.echo(f"演示数据（合成）：演示预警 #{summary['alert'].id}，{summary['firms']} 家清单企业，"
               f"写入日用电量 {summary['readings']} 条；其中 {len(summary['ignoring'])} 家设为停产但用电几乎未降，"
               f"{len(summary['silent'])} 家无数据。")


COMMANDS.append(seed_demo_power_command)
