"""The floor table's commands: export it to a workbook and import it back (the same functions as /floors)."""
import os

import click
from flask.cli import with_appcontext

from emergency.cli.imports import run_import
from emergency.registry.floor_sheets import commit_floors, export_floors, inspect_floors


@click.command("export-floors")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file to write.")
@with_appcontext
def export_floors_command(out):
    """Export the measure floors (措施底线) to a workbook that import-floors reads back."""
    with open(out, "wb") as fh:
        count = export_floors(fh)
    click.echo(f"已导出措施底线 {count} 行 → {out}")


@click.command("import-floors")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
@with_appcontext
def import_floors_command(file, dry_run):
    """Import measure floors from FILE (.xlsx, .xls or .csv); exit 1, writing nothing, when it has problems."""
    with open(file, "rb") as fh:
        data = fh.read()
    run_import(data, os.path.basename(file), dry_run, inspect_floors, commit_floors, lambda report: "已导入。")


COMMANDS = [export_floors_command, import_floors_command]
