"""The import-list command: the same dry run and all-or-nothing commit as /import, for files on disk."""
import getpass
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from emergency.audit.trail import acting_as
from emergency.importing.pipeline import DEFAULT_MAX_BYTES, commit_file, inspect_file
from emergency.limits import lower_priority
from emergency.spreadsheets.reader import human_size
from models import db


def _os_user():
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.command("import-list")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report only; write nothing.")
@with_appcontext
def import_list_command(file, dry_run):
    """Import the registry from FILE (.xlsx, .xls or .csv); exit 1, writing nothing, when it has problems."""
    filename = os.path.basename(file)
    limit = current_app.config.get("IMPORT_MAX_BYTES") or current_app.config.get("MAX_CONTENT_LENGTH") \
        or DEFAULT_MAX_BYTES
    if os.path.getsize(file) > limit:
        size = human_size(os.path.getsize(file))
        click.echo(f"文件：{filename}\n无法导入：文件大小 {size} 超过上限 {human_size(limit)}")
        raise SystemExit(1)
    with open(file, "rb") as fh:
        data = fh.read()
    run_import(data, filename, dry_run, inspect_file,
               lambda data, name, username: commit_file(data, name, username=username, source="cli"),
               lambda report: f"已导入（导入批次 {report.batch_id}）。")


def run_import(data, filename, dry_run, inspect, commit, done):
    """Check a file (dry run) or import it all or nothing as ``cli:<os user>``, print the report, and exit 1
    when it has problems.

    ``inspect(data, filename)`` returns (report, plans); ``commit(data, filename, username)`` returns a report
    whose ``committed`` says whether it wrote; ``done(report)`` is the closing line of a commit.
    """
    username = f"cli:{_os_user()}"
    lower_priority()           # batch work, like the job worker's imports: the web's requests come first
    with acting_as(username, f"import:{filename}"):
        if dry_run:
            report, _ = inspect(data, filename)
        else:
            report = commit(data, filename, username)
            if report.committed:
                db.session.commit()
            else:
                db.session.rollback()
    for line in report.lines():
        click.echo(line)
    if not report.clean:
        raise SystemExit(1)
    click.echo("检查通过（试运行，未写入任何数据）。" if dry_run else done(report))
