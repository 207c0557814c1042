"""The baseline's commands: export a season's workbook and import one back (the same functions as /baseline)."""
import os

import click
from flask.cli import with_appcontext

from emergency.baseline.reading import commit_baseline, inspect_baseline
from emergency.baseline.seasons import season_by_name, season_in_force
from emergency.baseline.sheets import export_baseline
from emergency.cli.imports import run_import


@click.command("export-baseline")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="The .xlsx file to write.")
@click.option("--season", "season_name", help="The season's name (default: the season in force).")
@with_appcontext
def export_baseline_command(out, season_name):
    """Export a season's whole-society baseline and non-industrial reductions to a workbook import-baseline reads."""
    season = season_by_name(season_name) if season_name else season_in_force()
    if season is None:
        raise click.ClickException(f"未找到季节：{season_name}" if season_name else "尚未设立季节")
    with open(out, "wb") as fh:
        count = export_baseline(fh, season)
    click.echo(f"已导出季节“{season.name}”的全社会排放量基数和非工业源减排量（{count} 行）→ {out}")


@click.command("import-baseline")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
@with_appcontext
def import_baseline_command(file, dry_run):
    """Import seasons, whole-society baselines and non-industrial reductions from FILE (.xlsx, .xls or .csv);
    exit 1, writing nothing, when it has problems."""
    with open(file, "rb") as fh:
        data = fh.read()
    run_import(data, os.path.basename(file), dry_run, inspect_baseline, commit_baseline,
               lambda report: "已导入。")


COMMANDS = [export_baseline_command, import_baseline_command]
