"""CLI commands for the reduction list: quality check and Excel exports (same functions as the web views)."""
import time

import click
from flask.cli import with_appcontext

from emergency.lists.exports import export_counties, export_list, export_registry
from emergency.lists.listing import find_county
from emergency.lists.quality import run_checks
from models import LEVEL_LABELS, LEVELS

LEVEL_ALIASES = {**{level: level for level in LEVELS}, **{label: level for level, label in LEVEL_LABELS.items()},
                 **{label[0]: level for level, label in LEVEL_LABELS.items()}}


def _level(ctx, param, value):
    level = LEVEL_ALIASES.get((value or "").strip().lower())
    if level is None:
        raise click.BadParameter(f"预警级别“{value}”无效，应为 yellow、orange 或 red（黄色、橙色、红色）")
    return level


def _county(ctx, param, value):
    if value is None:
        return None
    county = find_county(value)
    if county is None:
        raise click.BadParameter(f"未找到县（市、区）：{value}")
    return county


level_option = click.option("--level", required=True, callback=_level, help="yellow, orange or red.")
county_option = click.option("--county", callback=_county, help="County name or id; default: the whole city.")
out_option = click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True),
                          help="The file to write.")


@click.command("check-list")
@county_option
@with_appcontext
def check_list_command(county):
    """Check the registry for list errors; exit 1 when any error exists."""
    report = run_checks(county.id if county else None)
    for finding in report.findings:
        click.echo(finding.as_text())
    click.echo(f"共发现错误 {report.errors} 项，警告 {report.warnings} 项。")
    if report.errors:
        raise SystemExit(1)


def _write(out, export, *args):
    """Write an export to the file ``out``; return what the export returns."""
    with open(out, "wb") as fh:
        return export(fh, *args)


@click.command("export-list")
@level_option
@county_option
@out_option
@with_appcontext
def export_list_command(level, county, out):
    """Export the list workbook (汇总, 清单, 停限产企业, 全国格式清单, 企业基本信息, 说明) for the city or a county."""
    started = time.perf_counter()
    total = _write(out, export_list, level, county).total
    click.echo(f"已导出{LEVEL_LABELS[level]}预警减排清单：{total.enterprises} 家企业，{total.lines} 条生产线"
               f"（{time.perf_counter() - started:.1f} 秒）→ {out}")


@click.command("export-counties")
@level_option
@out_option
@with_appcontext
def export_counties_command(level, out):
    """Export a zip with one list workbook per county."""
    names = _write(out, export_counties, level)
    click.echo(f"已导出 {len(names)} 个县（市、区）的{LEVEL_LABELS[level]}预警减排清单 → {out}")


@click.command("export-registry")
@county_option
@out_option
@with_appcontext
def export_registry_command(county, out):
    """Export the full registry, one row per production line."""
    click.echo(f"已导出企业名录：{_write(out, export_registry, county)} 行 → {out}")


COMMANDS = [check_list_command, export_list_command, export_counties_command, export_registry_command]
