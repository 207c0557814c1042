"""`make bench-readme`: put the reports of the last `make bench` runs into the README's performance section.

`python -m bench.readme [REPORT ...]` (default: bench/out/report-sqlite.txt and report-postgresql.txt, those that
exist) replaces what stands between the README's two markers with each report as `make bench` printed it: its
heading, the table of measurements and the verdict lines, so the README says exactly what the run said.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- bench-results:start -->", "<!-- bench-results:end -->"
DEFAULT_REPORTS = [ROOT / "bench" / "out" / f"report-{database}.txt" for database in ("sqlite", "postgresql")]


class ReportError(ValueError):
    """A report or the README cannot be used; the message says why."""


def section(report_texts):
    """The README text between the markers for ``report_texts`` (each a `make bench` report)."""
    parts = []
    for text in report_texts:
        lines = text.strip("\n").splitlines()
        if not lines or not lines[0].startswith("# make bench"):
            raise ReportError("not a make bench report: its first line is not “# make bench — …”")
        if not any(line.startswith("VERDICT ") for line in lines):
            raise ReportError(f"{lines[0]}: the report has no VERDICT lines (an unfinished run?)")
        title = lines[0].removeprefix("# ").strip()
        parts.append(f"**{title}**\n\n```\n" + "\n".join(lines[1:]).strip("\n") + "\n```\n")
    return "\n".join(parts)


def replace_section(readme, body):
    """``readme`` with the text between the markers replaced by ``body``."""
    if readme.count(START) != 1 or readme.count(END) != 1 or readme.index(START) > readme.index(END):
        raise ReportError(f"the README needs exactly one {START} followed by one {END}")
    before, rest = readme.split(START)
    _, after = rest.split(END)
    return f"{before}{START}\n{body}{END}{after}"


def main(argv):
    paths = [Path(a) for a in argv] or [p for p in DEFAULT_REPORTS if p.exists()]
    if not paths:
        raise SystemExit("no report: run make bench first (bench/out/report-<database>.txt)")
    readme = ROOT / "README.md"
    try:
        updated = replace_section(readme.read_text(encoding="utf-8"),
                                  section([p.read_text(encoding="utf-8") for p in paths]))
    except (OSError, ReportError) as exc:
        raise SystemExit(f"README not changed: {exc}") from None
    readme.write_text(updated, encoding="utf-8")
    print(f"README.md: performance section from {', '.join(str(p) for p in paths)}")


if __name__ == "__main__":
    main(sys.argv[1:])
