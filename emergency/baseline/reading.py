"""Reading a baseline workbook back: a dry run that lists every problem in Chinese by sheet, row and column, then
an all-or-nothing commit of the seasons, baselines and non-industrial reductions it holds.

Sheets are recognised by their headers, not their names (their spellings are data:
``seed/data/baseline_header_synonyms.csv``; source-type spellings ``source_type_synonyms.csv``): one naming
开始日期/结束日期 holds seasons, one naming 预警级别 non-industrial reductions, any other naming pollutants the
baseline. A blank cell leaves the stored figure as it is (clear one on the page); an import never deletes.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from emergency.baseline import amounts
from emergency.baseline.seasons import changed_fields, check_season, save_season, season_by_name, season_in_force
from emergency.baseline.sheets import HEADERS
from emergency.importing.layout import TOTAL_WORDS
from emergency.importing.tables import (
    CHANGED,
    CREATED,
    CellReader,
    Problem,
    TableReport,
    find_header,
    label_table,
    level_table,
    plain_text,
    read_synonyms,
)
from emergency.importing.values import Vocabulary, cell_text, is_blank
from emergency.spreadsheets.reader import FileProblem, check_file, read_sheets
from models import LEVEL_LABELS, POLLUTANTS, SOURCE_TYPE_LABELS
from seed.load import read_csv

MAX_BYTES = 5 * 1024 * 1024
SEASON, BASELINE, REDUCTIONS = "season", "baseline", "reductions"
REQUIRED = {SEASON: ("season", "starts_on", "ends_on"), BASELINE: ("county", "source_type"),
            REDUCTIONS: ("county", "level", "source_type")}
SEASON_COLUMNS = {"name": "season", "starts_on": "starts_on", "ends_on": "ends_on", "note": "note"}
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
DATE_MESSAGE = "日期格式应为“年-月-日”，如 2020-10-01"


@lru_cache(maxsize=1)
def header_synonyms():
    return read_synonyms("baseline_header_synonyms.csv")


@lru_cache(maxsize=1)
def source_type_synonyms():
    return tuple((row["value"], row["source_type"]) for row in read_csv("source_type_synonyms.csv"))


def parse_date(value):
    """(date or None, Chinese message or None) for a date cell or text such as 2020-10-01 or 2020年10月1日."""
    if is_blank(value):
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    match = DATE_TEXT.fullmatch(plain_text(value))
    try:
        return (date(*map(int, match.groups())), None) if match else (None, DATE_MESSAGE)
    except ValueError:
        return None, DATE_MESSAGE


def sheet_kind(columns):
    if "starts_on" in columns or "ends_on" in columns:
        return SEASON
    if not any(p in columns for p in POLLUTANTS):
        return None
    return REDUCTIONS if "level" in columns else BASELINE


@dataclass
class Plan:
    """What a clean file writes: seasons to create or change, and figures per (season name, level or None)."""

    seasons: list = field(default_factory=list)       # (stored Season or None, values)
    cells: dict = field(default_factory=dict)


class Reader:
    """Check a file's tables against the database, filling the report's problems and changes and the plan."""

    def __init__(self, report):
        self.report, self.plan = report, Plan()
        self.counties = Vocabulary()
        self.types = label_table(SOURCE_TYPE_LABELS, *source_type_synonyms())
        self.levels = level_table()
        self.file_seasons, self.bad_seasons, self.seen, self.stored = {}, set(), {}, {}

    def seasons(self, sheet, columns, rows):
        for index, cells in rows:
            if all(is_blank(cell) for cell in cells):
                continue
            reader = CellReader(cells, columns, index + 1, self.report, HEADERS, sheet, SEASON_COLUMNS)
            values = {"name": plain_text(reader.raw("season")), "note": plain_text(reader.raw("note"))}
            for name in ("starts_on", "ends_on"):
                values[name], message = parse_date(reader.raw(name))
                if message:
                    reader.problem(name, message)
            if values["name"] in self.file_seasons:
                reader.problem("name", f"季节“{values['name']}”重复")
            self._season(reader, values)

    def _season(self, reader, values):
        stored = season_by_name(values["name"])
        for name, message in check_season(values, existing=stored).items():
            if name not in reader.bad:
                reader.problem(name, message)
        if reader.bad:
            self.bad_seasons.add(values["name"])
            return
        self.file_seasons[values["name"]] = stored
        changed = changed_fields(stored, values) if stored else None
        if stored is None or changed:
            headers = [HEADERS[SEASON_COLUMNS[n]] for n in changed or ()]
            self.report.changes.append((reader.row, f"季节 {values['name']}", CHANGED if stored else CREATED,
                                        headers))
            self.plan.seasons.append((stored, values))
        else:
            self.report.unchanged += 1

    def amounts(self, kind, sheet, columns, rows):
        for index, cells in rows:
            if all(is_blank(cell) for cell in cells) or any(plain_text(c) in TOTAL_WORDS for c in cells):
                continue
            reader = CellReader(cells, columns, index + 1, self.report, HEADERS, sheet)
            season, county, level, source_type = self._keys(reader, kind)
            figures = {p: self._figure(reader, p) for p in POLLUTANTS if p in columns}
            if reader.bad or season is None:
                continue
            row_key = (kind, season, level, county.id, source_type)
            if row_key in self.seen:
                reader.problem("county", f"与第{self.seen[row_key]}行重复（季节、县（市、区）、源类型"
                                         f"{'、预警级别' if level else ''}都相同）")
                continue
            self.seen[row_key] = reader.row
            given = {(county.id, source_type, p): v for p, v in figures.items() if v is not None}
            if given:
                label = " · ".join([season, county.name] + ([f"{LEVEL_LABELS[level]}预警"] if level else [])
                                   + [SOURCE_TYPE_LABELS[source_type]])
                self._plan(reader.row, label, season, level, given)

    @staticmethod
    def _figure(reader, pollutant):
        value = reader.number(pollutant)
        if pollutant not in reader.bad and amounts.amount_problem(value):
            reader.problem(pollutant, amounts.amount_problem(value))
        return value

    def _keys(self, reader, kind):
        """(season name, County, level, source type) of a data row; None for what cannot be read."""
        season = self._season_of(reader)
        raw = reader.raw("county")
        county, message = self.counties.county(cell_text(raw)) if not is_blank(raw) else (None, "请填写县（市、区）")
        if message:
            reader.problem("county", message)
        level = None
        if kind == REDUCTIONS:
            level = self._required(reader, "level", self.levels, "应为黄色、橙色或红色")
        source_type = self._required(reader, "source_type", self.types, "应为：" + "、".join(
            SOURCE_TYPE_LABELS[t] for t in amounts.grid_for(level).types))
        if kind == REDUCTIONS and source_type == "industrial":
            reader.problem("source_type", "工业源减排量由清单中企业生产线的措施核算，此处只填扬尘源、移动源、其他")
        return season, county, level, source_type

    def _required(self, reader, name, table, hint):
        code = reader.coded(name, table, hint)
        if code is None and name not in reader.bad:
            reader.problem(name, f"请填写{HEADERS[name]}")
        return code

    def _season_of(self, reader):
        name = plain_text(reader.raw("season"))
        if not name:
            if len(self.file_seasons) + len(self.bad_seasons) == 1:
                name = next(iter(self.file_seasons or self.bad_seasons))
            else:
                in_force = season_in_force()
                name = in_force.name if in_force else ""
        if name in self.bad_seasons:
            return None          # its own row has the problem
        if name in self.file_seasons or (name and season_by_name(name)):
            return name
        reader.problem("season", f"季节“{name}”尚未设立：请在“季节”工作表中填写其开始和结束日期，或先在页面上新建该季节"
                       if name else "未指定季节，系统中也没有现行季节：请填写“季节”列，或在“季节”工作表中填写季节")
        return None

    def _plan(self, row, label, season, level, given):
        stored = self._stored(season, level)
        changed = [HEADERS[cell[2]] for cell, value in given.items()
                   if cell in stored and not _same(stored[cell], value)]
        if any(cell not in stored for cell in given) or changed:
            created = not any(cell in stored for cell in given)
            self.report.changes.append((row, label, CREATED if created else CHANGED, changed))
            self.plan.cells.setdefault((season, level), {}).update(given)
        else:
            self.report.unchanged += 1

    def _stored(self, season, level):
        if (season, level) not in self.stored:
            found = season_by_name(season)
            self.stored[(season, level)] = amounts.stored_cells(found.id, level) if found else {}
        return self.stored[(season, level)]


def _same(a, b):
    # Workbooks keep 15–16 significant digits: a figure read back is the same figure.
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1.0)


def _tables(data, filename):
    """[(kind, sheet name, columns, rows)] of the sheets with a recognised header."""
    tables = []
    with read_sheets(data, check_file(data, filename, MAX_BYTES, 20 * MAX_BYTES)) as sheets:
        for sheet in sheets:
            columns = find_header(sheet.rows, header_synonyms())
            kind = sheet_kind(columns)
            if kind is not None:
                tables.append((kind, sheet.name, columns, list(sheet.rows)))
    return tables


def inspect_baseline(data, filename):
    """The dry run: (TableReport, Plan or None). Writes nothing."""
    report = TableReport(filename)
    try:
        tables = _tables(data, filename)
    except FileProblem as exc:
        report.file_error = exc.message
        return report, None
    if not tables:
        report.file_error = "未找到全社会排放量基数或非工业源减排量的表头（应含：县（市、区）、源类型和污染物等列）"
        return report, None
    report.sheet = "、".join(name for _, name, _, _ in tables)
    reader = Reader(report)
    for kind, name, columns, rows in sorted(tables, key=lambda table: table[0] != SEASON):
        absent = [HEADERS[n] for n in REQUIRED[kind] if n not in columns]
        if absent:
            report.problems.append(Problem(None, "", "缺少列：" + "、".join(absent), name))
        elif kind == SEASON:
            reader.seasons(name, columns, rows)
        else:
            reader.amounts(kind, name, columns, rows)
    return report, reader.plan


def commit_baseline(data, filename, username=None):
    """Check the file again and, if it has no problem, write its seasons and figures (flush; the caller commits)."""
    report, plan = inspect_baseline(data, filename)
    if not report.clean:
        return report
    saved = {values["name"]: save_season(values, stored) for stored, values in plan.seasons}
    for (name, level), cells in plan.cells.items():
        amounts.save_cells(saved.get(name) or season_by_name(name), cells, level)
    report.committed = True
    return report
