"""The import's report: counts per kind and action, and every problem located as Excel shows it."""
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from emergency.importing.conflicts import message as conflict_message
from emergency.importing.layout import column_letter
from emergency.importing.plan import CREATE, UNCHANGED, UPDATE
from emergency.importing.values import cell_text
from emergency.spreadsheets.registry import REGISTRY_COLUMNS

FIELD_LABELS = dict(REGISTRY_COLUMNS)
KINDS = (("enterprise", "企业"), ("line", "生产线"), ("measure", "减排措施"))
ACTIONS = ((CREATE, "created", "新增"), (UPDATE, "updated", "修改"), (UNCHANGED, "unchanged", "不变"))


@dataclass(frozen=True)
class Problem:
    """One problem, located as Excel shows it: sheet, row number, column letter and header."""

    sheet: str
    row: int | None
    column: str
    header: str
    value: str
    message: str

    def as_text(self):
        where = [f"工作表“{self.sheet}”"] if self.sheet else []
        if self.row:
            where.append(f"第{self.row}行")
        if self.column or self.header:
            where.append(f"{self.column}列（{self.header}）" if self.column else f"“{self.header}”列")
        value = f"“{self.value}”" if self.value else ""
        return f"{' '.join(where)}{value}：{self.message}" if where or value else self.message


@dataclass
class SheetInfo:
    name: str
    header_rows: str
    rows: int = 0
    ignored: list = field(default_factory=list)


@dataclass
class Report:
    """What a file would do (or did): counts per kind and action, every problem, and the file's identity."""

    filename: str
    size: int
    sha256: str
    sheets: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)      # Problems that do not stop the import
    # The first PREVIEW_LIMIT enterprises the file creates or changes: {code, name, action, what}.
    listed: list = field(default_factory=list)
    writes: int = 0
    counts: dict = field(default_factory=lambda: {kind: Counter() for kind, _ in KINDS})
    file_error: str = ""
    # Enterprises (and lines) edited since the preview or while the import wrote: nothing is written.
    conflicts: list = field(default_factory=list)
    # The stored rows' version counters as checked: {credit code: Existing.stamps()}, kept with the upload.
    seen: dict = field(default_factory=dict, repr=False)
    committed: bool = False
    batch_id: int | None = None

    @property
    def rows(self):
        return sum(s.rows for s in self.sheets)

    @property
    def clean(self):
        return not self.file_error and not self.problems and not self.conflicts

    @property
    def conflict_message(self):
        return conflict_message(self.conflicts) if self.conflicts else ""

    @property
    def changes(self):
        return sum(c[CREATE] + c[UPDATE] for c in self.counts.values())

    def add(self, layout, row_index, name, value, message, into=None):
        col = layout.columns.get(name) if layout and name else None
        header = layout.labels.get(col, "") if col is not None else FIELD_LABELS.get(name, "")
        row = None if row_index is None else row_index + 1
        (self.problems if into is None else into).append(Problem(layout.sheet if layout else "", row,
                                     column_letter(col) if col is not None else "", header,
                                     cell_text(value)[:100], message))

    def warn(self, layout, row_index, name, value, message):
        """Note something the import does on the file's behalf; it does not stop the import."""
        self.add(layout, row_index, name, value, message, into=self.warnings)

    def table(self):
        """[(kind label, created, updated, unchanged)] for templates and the CLI."""
        return [(label, *(self.counts[kind][action] for action, _, _ in ACTIONS)) for kind, label in KINDS]

    def lines(self):
        """The report as text lines: what the CLI prints and the web page shows."""
        out = [f"文件：{self.filename}（{self.size} 字节，SHA-256 {self.sha256[:16]}…）"]
        if self.file_error:
            return out + [f"无法导入：{self.file_error}"]
        for sheet in self.sheets:
            ignored = f"；未识别的列（已忽略）：{'、'.join(sheet.ignored)}" if sheet.ignored else ""
            out.append(f"工作表“{sheet.name}”：表头在第{sheet.header_rows}行，数据 {sheet.rows} 行{ignored}")
        if self.skipped:
            out.append(f"未找到表头、已跳过的工作表：{'、'.join(self.skipped)}")
        out += [f"{label}：新增 {c}，修改 {u}，不变 {n}" for label, c, u, n in self.table()]
        if self.warnings:
            out.append(f"提示 {len(self.warnings)} 项（不影响导入）：")
            out += [p.as_text() for p in self.warnings]
        if self.conflicts:
            out.append(self.conflict_message)
        if self.problems:
            out.append(f"发现问题 {len(self.problems)} 项（未导入任何数据）：")
            out += [p.as_text() for p in self.problems]
        return out


def report_to_json(report):
    """The report as JSON text, for a preview that a job wrote and a later request shows."""
    data = asdict(report)
    del data["seen"]        # kept with the upload, not shown
    data["counts"] = {kind: dict(counter) for kind, counter in report.counts.items()}
    return json.dumps(data, ensure_ascii=False)


def report_from_json(text):
    data = json.loads(text)
    data["sheets"] = [SheetInfo(**sheet) for sheet in data["sheets"]]
    data["problems"] = [Problem(**problem) for problem in data["problems"]]
    data["warnings"] = [Problem(**problem) for problem in data.get("warnings", [])]
    data["counts"] = {kind: Counter(counts) for kind, counts in data["counts"].items()}
    return Report(**data)
