"""Operations commands: backup and restore of a SQLite installation, and the clean-up of jobs."""
import click
from flask.cli import with_appcontext

from emergency.platform.backup import BackupError, backup, restore
from emergency.platform.job_lifecycle import purge
from models import db


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Backup file to write.")
@with_appcontext
def backup_command(out):
    """Make a consistent copy of the live SQLite database."""
    try:
        size = backup(out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"已备份到 {out}（{size} 字节）")


@click.command("restore")
@click.option("--from", "src", required=True, type=click.Path(dir_okay=False), help="Backup file to restore.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Restore even while a server or another process holds the database.")
@with_appcontext
def restore_command(src, yes, force):
    """Replace the database with a backup made by `backup` (of this system, at this schema revision).

    The live database is copied to a safety backup first; nothing changes when a check refuses.
    """
    if not yes:
        click.confirm("恢复将覆盖当前数据库的全部数据，确定继续？", abort=True)
    try:
        safety = restore(src, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"恢复前的数据库已自动备份到 {safety}")
    click.echo(f"已从 {src} 恢复数据库")


@click.command("purge-jobs")
@with_appcontext
def purge_jobs_command():
    """Close jobs whose process died, delete outputs past their keeping days and orphaned files."""
    counts = purge()
    db.session.commit()
    click.echo(f"已关闭中断的任务 {counts['closed']} 个，删除过期结果 {counts['expired']} 个、"
               f"无主文件 {counts['orphans']} 个")


COMMANDS = [backup_command, restore_command, purge_jobs_command]
