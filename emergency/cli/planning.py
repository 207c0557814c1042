"""CLI command of the target solver: print the proposal, optionally write it as a workbook (same as the page)."""
import click
from flask.cli import with_appcontext

from emergency.cli.lists import county_option, level_option
from emergency.planning.proposal import make_proposal
from emergency.planning.sheets import summary_lines, write_proposal


@click.command("solve")
@level_option
@county_option
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Also write the proposal as .xlsx.")
@with_appcontext
def solve_command(level, county, out):
    """Print the least-cost proposal closing the targets at a level (read only: nothing is saved)."""
    proposal = make_proposal(level, county)
    for line in summary_lines(proposal):
        click.echo(line)
    if out:
        with open(out, "wb") as fh:
            write_proposal(fh, proposal)
        click.echo(f"已写入 → {out}")


COMMANDS = [solve_command]
