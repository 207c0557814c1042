"""Where the table sits in a sheet: title rows, a one- or two-row header, which column is which field, and
which rows below it are data (blank rows, 合计/总计 rows and notes are not).

Header names are data: ``seed/data/header_synonyms.csv`` maps each spelling to a field. Per-level measure
columns are recognised by a level word (黄色预警, 橙色, ...) plus a measure part (措施类型, 减排措施, ...), so
"黄色预警措施类型", a merged "黄色预警" over "减排措施", and a bare "红色预警" column all work.
"""
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

from emergency.importing.values import SPACES, fold, key, read_csv
from models import LEVELS

HEADER_SCAN_ROWS = 30
MIN_HEADER_FIELDS = 3
TOTAL_WORDS = {"合计", "总计", "小计", "全市合计", "全县合计", "总合计"}
TOTAL_MARK, = set.intersection(*(set(word) for word in TOTAL_WORDS))    # 计: a cheap test before folding
NOTE_PREFIXES = ("注", "备注", "说明", "填表", "制表", "审核", "填报", "负责人", "联系人", "数据来源", "附注", "附：")
ENTERPRISE_FIELDS = ("name", "credit_code", "county", "town", "address", "contact_person", "contact_phone",
                     "industry_name", "industry_sub_type", "category", "grade", "category_reason", "small_micro",
                     "violation_prev_year", "longitude", "latitude", "permit_number", "transport_mode",
                     "heavy_trucks_per_day", "access_control", "output_value", "green_factory")
LINE_FIELDS = ("line_name", "process_stage", "facilities", "capacity", "capacity_unit", "can_stop_quickly",
               "coking_hours", "so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr", "operating_days", "main_products",
               "output", "output_unit", "treatment_facilities")
MEASURE_PARTS = ("action", "limit_pct", "hours", "cap_pct", "other_fraction", "transport", "text", "indicators")
# Rows of header_synonyms.csv that are words, not whole headers: pollutants and the words around them in an
# emission header (SO2年排放量(吨/年)), and words that mark a column as data the system keeps.
WORD_KINDS = ("pollutant", "emission_filler", "data_word")
BRACKETS = str.maketrans("", "", "()[]【】{}<>《》:：,，;；、")
REQUIRED = {"name": "企业名称", "credit_code": "统一社会信用代码", "county": "县（市、区）",
            "industry_name": "行业类别"}


@lru_cache(maxsize=1)
def synonyms():
    """(fields, measure parts, level words longest first, filler words, ignored) from header_synonyms.csv."""
    fields, parts, levels, fillers, ignored = {}, {}, [], [], set()
    for row in read_csv("header_synonyms.csv"):
        kind, _, value = row["field"].partition(":")
        label = key(row["header"]).lower()
        if kind == "measure":
            parts[label] = value
        elif kind == "level":
            levels.append((label, value))
        elif kind == "level_filler":
            fillers.append(label)
        elif kind == "ignore":
            ignored.add(label)
        elif kind in WORD_KINDS:
            continue
        else:
            fields[label] = kind
    levels.sort(key=lambda pair: -len(pair[0]))
    fillers.sort(key=len, reverse=True)
    return fields, parts, levels, fillers, ignored


def header_key(text):
    return key(text).replace("*", "").replace("※", "").lower()


def match_header(text):
    """The field a header names ("name", "yellow_action", ...), "ignore" for 序号 and the like, or None."""
    label = header_key(text)
    if not label:
        return None
    fields, parts, levels, fillers, ignored = synonyms()
    if label in fields:
        return fields[label]
    if label in ignored:
        return "ignore"
    emission = emission_field(label)
    if emission:
        return emission
    for word, level in levels:
        if word in label:
            rest = label.replace(word, "", 1)
            for filler in fillers:
                rest = rest.replace(filler, "")
            if not rest:
                return f"{level}_text"
            if rest in parts:
                return f"{level}_{parts[rest]}"
            return None
    return None


@lru_cache(maxsize=1)
def header_words():
    """(pollutant words as (word, field), emission filler words, data words), each longest first."""
    pollutants, fillers, data = [], [], []
    for row in read_csv("header_synonyms.csv"):
        kind, _, value = row["field"].partition(":")
        word = key(row["header"]).lower()
        if kind == "pollutant":
            pollutants.append((word, value))
        elif kind == "emission_filler":
            fillers.append(word)
        elif kind == "data_word":
            data.append(word)
    return (sorted(pollutants, key=lambda p: -len(p[0])), sorted(fillers, key=len, reverse=True),
            sorted(data, key=len, reverse=True))


def emission_field(label):
    """The annual emission field a header names by its parts: a pollutant, then only words such as 年排放量 and a
    yearly unit (SO2年排放量(吨/年), 二氧化硫（t/a）); None for anything else (a daily figure, a concentration)."""
    pollutants, fillers, _ = header_words()
    for word, field_name in pollutants:
        if word in label:
            rest = label.replace(word, "", 1).translate(BRACKETS)
            for filler in fillers:
                rest = rest.replace(filler, "")
            return field_name if not rest else None
    return None


def looks_like_data(label):
    """Whether an unrecognised header names data the system keeps (a pollutant, a level, a grade, a measure)."""
    pollutants, _, data = header_words()
    levels = synonyms()[2]
    label = header_key(label)
    return any(word in label for word, _ in pollutants + levels) or any(word in label for word in data)


def column_letter(index):
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Layout:
    """The table found in one sheet: header rows (0-based), field → column, column → header text."""

    sheet: str
    header_first: int
    header_last: int
    columns: dict
    labels: dict
    unknown: list = field(default_factory=list)
    line_index: dict = field(default_factory=dict)   # line/measure field → index in a LineEntry's values
    measure_index: list = field(default_factory=list)  # (level, part, index in values) of the measure fields

    @property
    def header_rows(self):
        """The header row(s) as Excel numbers them, e.g. "3" or "3–4"."""
        first, last = self.header_first + 1, self.header_last + 1
        return str(first) if first == last else f"{first}–{last}"

    def missing(self):
        """Chinese names of required columns the sheet lacks."""
        absent = [label for name, label in REQUIRED.items() if name not in self.columns]
        if "category" not in self.columns and "grade" not in self.columns:
            absent.append("绩效等级（或管控类别）")
        return absent

    def has_levels(self):
        return any(f"{level}_{part}" in self.columns for level in LEVELS for part in MEASURE_PARTS)


def _cell(values, col):
    return fold(values[col]) if col < len(values) and values[col] not in (None, "") else ""


def _candidate(sheet, rows, two_rows):
    """Build a Layout from one header row, or two (merged group cells over sub-headers)."""
    (first, top), bottom = rows[0], rows[1][1] if two_rows else []
    width = max(len(top), len(bottom))
    columns, labels, unknown = {}, {}, []
    for col in range(width):
        upper, lower = _cell(top, col), _cell(bottom, col)
        if lower and lower != upper:
            options = [(upper + lower, f"{upper}/{lower}" if upper else lower), (lower, lower)]
        else:
            options = [(upper, upper)]
        found = next(((match_header(text), label) for text, label in options if match_header(text)), (None, None))
        name, label = found
        if name is None:
            label = options[0][1]
            if label:
                unknown.append(label)
            continue
        labels[col] = label
        if name != "ignore" and name not in columns:
            columns[name] = col
    last = rows[1][0] if two_rows else first
    return Layout(sheet, first, last, columns, labels, unknown)


def find_layout(sheet_name, rows):
    """Find the header in the first rows; return (Layout or None, the data rows that follow it)."""
    rows = iter(rows)
    head = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    best = None
    for i in range(len(head)):
        for two_rows in (False, True):
            if two_rows and i + 1 >= len(head):
                continue
            layout = _candidate(sheet_name, head[i:i + 2], two_rows)
            score = len(layout.columns)
            if "name" in layout.columns and score >= MIN_HEADER_FIELDS and (best is None or score > best[0]):
                best = (score, layout, i + (2 if two_rows else 1))
    if best is None:
        return None, iter(())
    _, layout, start = best
    return layout, chain(head[start:], rows)


def row_kind(values, layout):
    """"data", "blank", "total" (合计/总计/小计) or "note" (注：…, 填表人…)."""
    # Runs for every row of a file (86,000 at 20,000 firms): whitespace folding only for texts that could be a total.
    filled = [v for v in values if v is not None and (not isinstance(v, str) or (v and not v.isspace()))]
    if not filled:
        return "blank"
    if any(isinstance(v, str) and TOTAL_MARK in v and len(v) <= 12 and SPACES.sub("", v) in TOTAL_WORDS
           for v in filled):
        return "total"
    first = fold(filled[0]) if isinstance(filled[0], str) else ""
    single = all(v == filled[0] for v in filled)
    code_col = layout.columns.get("credit_code")
    has_code = code_col is not None and code_col < len(values) and not _empty(values[code_col])
    # A note merged across the width repeats in every column, the credit code's included.
    if first.startswith(NOTE_PREFIXES) and (single or not has_code):
        return "note"
    if single and _outside_fields(values, layout):
        return "note"
    return "data"


def _empty(value):
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _outside_fields(values, layout):
    """True when the row's only value sits in a column that is not a field (序号, an unknown column)."""
    used = set(layout.columns.values())
    return all(col not in used for col, v in enumerate(values) if not _empty(v))
