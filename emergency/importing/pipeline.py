"""Import the registry from a spreadsheet: read → check → plan (create / update / unchanged) → apply.

``inspect_file`` is the dry run: it writes nothing and returns a ``Report`` with every problem. ``commit_file``
re-reads and re-checks the same bytes and, only when there is no problem at all, applies the plan through
``import_apply`` (after the web forms' checks) and records an ``ImportBatch``. It
flushes and never commits: the caller commits once, or rolls back when the report is not committed, so a
file is imported whole or not at all.
"""
import hashlib

from flask import current_app

from emergency.importing.apply import Writer
from emergency.importing.changes import Listing
from emergency.importing.conflicts import since_preview
from emergency.importing.existing import Existing
from emergency.importing.layout import (
    ENTERPRISE_FIELDS,
    LINE_FIELDS,
    MEASURE_PARTS,
    find_layout,
    looks_like_data,
    row_kind,
)
from emergency.importing.plan import Planner
from emergency.importing.report import ACTIONS, KINDS, Report, SheetInfo
from emergency.importing.values import Vocabulary, cell_text, fold, is_blank
from emergency.registry import credit_code
from emergency.spreadsheets.reader import FileProblem, check_file, read_sheets
from models import ImportBatch, db

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
PLAN_CHUNK = 1000    # enterprises planned (and, in a commit, written) at a time
ROW_FIELDS = LINE_FIELDS + tuple(f"{level}_{part}" for level in ("yellow", "orange", "red") for part in MEASURE_PARTS)


class EnterpriseEntry:
    """One enterprise as the file gives it, over one or more rows: cell texts, where each came from, lines."""

    __slots__ = ("code", "first", "cells", "origins", "lines", "last")

    def __init__(self, code, layout, row):
        self.code, self.first = code, (layout, row)
        self.cells, self.origins, self.lines, self.last = {}, {}, [], None

    def given(self, name):
        return not is_blank(self.cells.get(name))

    def absorb(self, cells, layout, row, report):
        """Take a row's enterprise cells; a different non-blank value under the same credit code is a problem."""
        if cells == self.last:     # the usual case: merged or repeated enterprise cells
            return
        # A cell's origin is kept only when it is not the first row (origins default to it): at 100,000 lines a
        # tuple per cell was a tenth of the import's memory.
        at = None if layout is self.first[0] and row == self.first[1] else (layout, row)
        agrees = True
        for name, text in cells.items():
            old = self.cells.get(name)
            if is_blank(text):
                self.cells.setdefault(name, text)
            elif is_blank(old):
                self.cells[name] = text
                if at is not None:
                    self.origins[name] = at
            elif old != text:
                agrees = False
                where = _where(*self.origins.get(name, self.first), layout)
                what = "企业名称" if name == "name" else f"“{layout.labels.get(layout.columns[name], name)}”"
                report.add(layout, row, name, text, f"与{where}的统一社会信用代码相同，但{what}不同（“{old}”）")
        if agrees:
            self.last = cells


def _where(layout, row, here):
    return f"第{row + 1}行" if layout is here else f"工作表“{layout.sheet}”第{row + 1}行"


class LineEntry:
    """One line row: its raw cells as a tuple, named through the sheet's ``line_index`` (saves memory)."""

    __slots__ = ("layout", "row", "name", "values")

    def __init__(self, layout, row, name, values):
        self.layout, self.row, self.name, self.values = layout, row, name, values

    def has(self, name):
        return name in self.layout.line_index

    def get(self, name, default=""):
        index = self.layout.line_index.get(name)
        return default if index is None else self.values[index]

    def given(self, name):
        return not is_blank(self.get(name, None))

    @property
    def measures(self):
        """{level: {part: value}} for the measure columns the sheet has."""
        levels, values = {}, self.values
        for level, part, index in self.layout.measure_index:
            levels.setdefault(level, {})[part] = values[index]
        return levels

    def problem(self, report, name, message):
        report.add(self.layout, self.row, name, self.name if name == "line_name" else self.get(name), message)


def collect(sheets, report):
    """Read every sheet's data rows into enterprise entries keyed by normalised credit code, in file order."""
    entries, seen = {}, {}
    for raw in sheets:
        layout, rows = find_layout(raw.name, raw.rows)
        if layout is None:
            report.skipped.append(raw.name)
            continue
        missing = layout.missing()
        if missing:
            report.add(layout, layout.header_last, None, "", f"缺少必需的列：{'、'.join(missing)}")
            continue
        if _refused_columns(layout, report):
            continue
        info = SheetInfo(raw.name, layout.header_rows, ignored=layout.unknown)
        report.sheets.append(info)
        _collect_rows(layout, rows, entries, seen, info, report)
    for entry in entries.values():
        entry.last = None       # only the reading compares rows with it: planning has no use for a second copy
    return entries


def _refused_columns(layout, report):
    """Report unrecognised headers that name kept data, whose values would be lost, and return whether there
    were any (the sheet is then not read)."""
    found = False
    for label in layout.unknown:
        if looks_like_data(label):
            report.add(layout, layout.header_last, None, label,
                       f"无法识别的列“{label}”：看起来是系统保存的数据（污染物、预警级别、等级或措施），"
                       "请改用导入模板中的列名，否则这一列的数据将丢失")
            found = True
    return found


def _collect_rows(layout, rows, entries, seen, info, report):
    enterprise_cols = [(name, layout.columns[name]) for name in ENTERPRISE_FIELDS if name in layout.columns]
    line_cols = [(name, layout.columns[name]) for name in ROW_FIELDS if name in layout.columns]
    layout.line_index = {name: i for i, (name, _) in enumerate(line_cols)}
    layout.measure_index = [(name.partition("_")[0], name.partition("_")[2], i)
                            for name, i in layout.line_index.items() if name.partition("_")[2] in MEASURE_PARTS]
    name_col = layout.columns.get("line_name")
    previous, raw_cells, cells = None, None, None
    for index, values in rows:
        if row_kind(values, layout) != "data":
            continue
        info.rows += 1
        width = len(values)
        raw = tuple(values[col] if col < width else "" for _, col in enterprise_cols)
        if raw != raw_cells:    # an enterprise's cells merged or repeated over its lines are read once
            raw_cells, cells = raw, {name: cell_text(value) for (name, _), value in zip(enterprise_cols, raw)}
        line_values = tuple(values[col] if col < width else "" for _, col in line_cols)
        line_name = fold(cell_text(values[name_col])) if name_col is not None and name_col < width else ""
        code, name = cells.get("credit_code", ""), cells.get("name", "")
        if is_blank(code):
            # A line row without a credit code continues the enterprise above (cells left blank, not merged).
            if previous is not None and line_name and (is_blank(name) or name == previous.cells.get("name")):
                entry = previous
            else:
                report.add(layout, index, "credit_code", code, "统一社会信用代码不能为空")
                continue
        else:
            key = credit_code.normalise(code)
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = EnterpriseEntry(key, layout, index)
            entry.absorb(cells, layout, index, report)
        previous = entry
        if line_name:
            first = seen.setdefault((entry.code, line_name), (layout, index))
            if first != (layout, index):
                report.add(layout, index, "line_name", line_name,
                           f"同一企业的生产线名称重复（与{_where(*first, layout)}相同）")
                continue
            entry.lines.append(LineEntry(layout, index, line_name, line_values))
        elif any(not is_blank(v) for v in line_values):
            report.add(layout, index, "line_name", "", "填写了生产线数据，但未填写生产线名称")


def _limits():
    config = current_app.config
    max_bytes = config.get("IMPORT_MAX_BYTES") or config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES
    return max_bytes, config.get("IMPORT_MAX_UNPACKED_BYTES") or 20 * max_bytes


def _quiet(stage, done, total):
    """The default progress report: none."""


def drop(plans):
    """A dry run's ``write`` that keeps no plan (the preview needs only the report)."""


def inspect_file(data, filename, county_id=None, progress=_quiet, write=None, seen=None):
    """The dry run: return (Report, plans). Writes nothing itself. ``county_id`` limits a county user's rows.

    The enterprises are planned PLAN_CHUNK at a time, each chunk against the stored rows loaded for it, so
    memory stays flat. ``write(plans)``, when given, is handed each chunk's plans while the file has no problem
    so far, and they are not kept (the commit); otherwise every plan that writes is returned. ``seen``: the
    stored rows' version counters kept at the preview (``report.seen``); rows edited since are named in
    ``report.conflicts``. ``progress("check", done, total)`` is told the rows checked.
    """
    report = Report(filename, len(data), hashlib.sha256(data).hexdigest())
    try:
        kind = check_file(data, filename, *_limits())
        with read_sheets(data, kind) as sheets:
            entries = collect(sheets, report)
    except FileProblem as exc:
        report.file_error = exc.message
        return report, []
    if not report.sheets and not report.problems:
        report.file_error = "未找到表头：表中应有“企业名称”“统一社会信用代码”“县（市、区）”“行业类别”“绩效等级”等列"
        return report, []
    if not entries and not report.problems:
        report.file_error = "表中没有数据行"
        return report, []
    total = report.rows
    progress("check", 0, total)
    with db.session.no_autoflush:
        listed = list(entries.values())
        entries.clear()
        plans = _plan(listed, report, county_id, progress, write, seen)
    progress("check", total, total)
    order = {sheet.name: i for i, sheet in enumerate(report.sheets)}
    report.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row or 0))
    return report, plans


def _plan(entries, report, county_id, progress, write, seen):
    """Plan the entries PLAN_CHUNK at a time (see ``inspect_file``); return the plans kept."""
    plans, done, total, listing = [], 0, report.rows, Listing(report)
    planner = Planner(Vocabulary(), None, report, county_id)
    for start in range(0, len(entries), PLAN_CHUNK):
        chunk = entries[start:start + PLAN_CHUNK]
        entries[start:start + PLAN_CHUNK] = [None] * len(chunk)    # planned entries are let go
        planner.existing = Existing(entry.code for entry in chunk)
        report.seen.update(planner.existing.stamps())
        if seen is not None:
            report.conflicts += since_preview(planner.existing, seen, chunk)
        chunk_plans = []
        for entry in chunk:
            done += max(1, len(entry.lines))
            plan = planner.enterprise(entry)
            if plan is None:
                continue
            report.counts["enterprise"][plan.action] += 1
            for kind in ("line", "measure"):
                report.counts[kind].update(plan.counts[kind])
            if plan.writes:      # a plan that writes nothing is counted, not kept
                listing.add(plan, planner.existing)
                chunk_plans.append(plan)
        if write is None:
            plans += chunk_plans
        elif report.clean:
            write(chunk_plans)
        progress("check", min(done, total), total)
    planner.finish()
    return plans


def commit_file(data, filename, user_id=None, username="", source="web", county_id=None, progress=_quiet,
                seen=None):
    """Re-check ``data`` and apply it when clean, recording an ImportBatch; flushes, never commits.

    Each chunk is written as soon as it is planned; a problem or an edited row found later leaves the report
    uncommitted, and the caller rolls back, so the file is still imported whole or not at all. ``seen``: the
    counters the preview kept (see ``inspect_file``). ``progress(stage, done, total)`` is told the rows checked
    ("check"), then the rows written ("write").
    """
    writer = None

    def write(plans):
        nonlocal writer
        if writer is None:
            writer = Writer(report_rows[0], lambda done, total: progress("write", done, total))
        writer.write(plans)

    report_rows = [0]
    report, _ = inspect_file(data, filename, county_id, _counting(progress, report_rows), write, seen)
    if writer is not None:
        report.conflicts += [name for name in writer.conflicts if name not in report.conflicts]
    if not report.clean:
        return report
    if writer is not None:
        writer.finish()
    batch = ImportBatch(user_id=user_id, username=username, source=source, county_id=county_id,
                        filename=filename[:255], size=report.size, sha256=report.sha256, rows=report.rows,
                        status="committed" if report.changes else "no_changes")
    for kind, _ in KINDS:
        for action, name, _ in ACTIONS:
            setattr(batch, f"{kind}s_{name}", report.counts[kind][action])
    db.session.add(batch)
    db.session.flush()
    report.committed, report.batch_id = True, batch.id
    return report


def _counting(progress, rows):
    """``progress``, noting the file's row count (the write stage's total) as the check stage reports it."""
    def report(stage, done, total):
        rows[0] = total
        progress(stage, done, total)
    return report
