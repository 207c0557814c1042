"""Small reference tables read back from workbooks (measure floors, the whole-society baseline).

Their files are read by the same tolerant reader as the registry (``spreadsheets.reader``); what they share is
here: a header found by its spellings (data, ``seed/data/*header_synonyms.csv``), cells looked up in tables of
codes and labels, a Chinese problem per unreadable cell with its sheet, row and column, and the dry run's report
(problems, then the rows to add, change or leave) that both the pages and the commands print.
"""
from dataclasses import dataclass, field

from emergency.importing.values import cell_text, is_blank, key, parse_number
from models import LEVEL_LABELS
from seed.load import read_csv

HEADER_SCAN_ROWS = 10
MIN_HEADER_FIELDS = 3
CREATED, CHANGED = "新增", "修改"


def read_synonyms(filename):
    """{folded header: field} from a ``field,header`` CSV of seed/data."""
    return {key(row["header"]): row["field"] for row in read_csv(filename)}


def label_table(labels, *extra):
    """A look-up of codes by code or label (folded), plus (text, code) pairs."""
    table = {key(code): code for code in labels}
    table.update((key(label), code) for code, label in labels.items())
    table.update((key(text), code) for text, code in extra)
    return table


def level_table():
    """Alert levels by code, label (红色), label with 预警 (红色预警) or first character (红)."""
    return label_table(LEVEL_LABELS, *((f"{label}预警", c) for c, label in LEVEL_LABELS.items()),
                       *((label[0], c) for c, label in LEVEL_LABELS.items()))


def find_header(rows, synonyms, minimum=MIN_HEADER_FIELDS):
    """{field: column} of the first row naming ``minimum`` known columns or more, within the first rows ({} if none).

    ``rows`` is a sheet's iterator of (index, cells); the data rows are what it yields afterwards.
    """
    for index, cells in rows:
        columns = {}
        for col, cell in enumerate(cells):
            name = synonyms.get(key(cell_text(cell))) if not is_blank(cell) else None
            columns.setdefault(name, col)
        columns.pop(None, None)
        if len(columns) >= minimum or index >= HEADER_SCAN_ROWS:
            return columns if len(columns) >= minimum else {}
    return {}


def plain_text(value):
    """A cell as text for messages and text fields: trimmed, numbers without a spurious ".0"."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else cell_text(value)


@dataclass
class Problem:
    row: int | None
    column: str
    message: str
    sheet: str = ""

    def as_text(self):
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        where += f"第{self.row}行" if self.row else ("" if self.sheet else "文件")
        return f"{where}{'“' + self.column + '”列' if self.column else ''}：{self.message}"


@dataclass
class TableReport:
    """What an import found and would do (or did): problems, and the rows to add, change or leave."""

    filename: str
    sheet: str = ""
    file_error: str = ""
    problems: list = field(default_factory=list)
    changes: list = field(default_factory=list)    # (row, description, CREATED/CHANGED, changed column headers)
    unchanged: int = 0
    committed: bool = False

    @property
    def clean(self):
        return not self.file_error and not self.problems

    @property
    def writes(self):
        """Whether a commit would write anything."""
        return bool(self.changes)

    def counts(self):
        created = sum(1 for change in self.changes if change[2] == CREATED)
        return f"新增 {created} 行、修改 {len(self.changes) - created} 行、不变 {self.unchanged} 行"

    def lines(self):
        """The report as text lines (the command prints them)."""
        lines = [f"文件：{self.filename}" + (f"（工作表“{self.sheet}”）" if self.sheet else "")]
        if self.file_error:
            return lines + [f"无法导入：{self.file_error}"]
        lines += [problem.as_text() for problem in self.problems]
        if self.problems:
            return lines + [f"共 {len(self.problems)} 个问题，未导入任何数据。"]
        lines += [f"第{row}行：{kind} {text}" + (f"（{'、'.join(cols)}）" if cols else "")
                  for row, text, kind, cols in self.changes]
        return lines + [self.counts() + "。"]


class CellReader:
    """One data row's cells by field, with a problem in ``report`` for each cell that cannot be read.

    :param headers: {field: column header} for the messages; ``aliases`` names the column of a checked field
        that is not itself a column (e.g. industry_id → industry_code).
    """

    def __init__(self, cells, columns, row, report, headers, sheet="", aliases=None):
        self.cells, self.columns, self.row, self.report = cells, columns, row, report
        self.headers, self.sheet, self.aliases = headers, sheet, aliases or {}
        self.bad = set()

    def raw(self, name):
        col = self.columns.get(name)
        return self.cells[col] if col is not None and col < len(self.cells) else None

    def problem(self, name, message):
        self.bad.add(name)
        self.report.problems.append(Problem(self.row, self.headers[self.aliases.get(name, name)], message,
                                            self.sheet))

    def coded(self, name, table, hint, blank=None):
        raw = self.raw(name)
        code = table.get(key(cell_text(raw))) if raw is not None else None
        if code is None and is_blank(raw):    # a code first: "none" is a measure type, not a placeholder
            return blank
        if code is None:
            self.problem(name, f"“{plain_text(raw)}”无效，{hint}")
        return code

    def number(self, name):
        value, message = parse_number(self.raw(name))
        if message:
            self.problem(name, message)
        return value
