"""Reading a grid company's power export: one row per account and day, or per hour (summed to the day).

Headers are found by their spellings (data: ``seed/data/power_header_synonyms.csv``): 户号, 日期 and 有功电量（kWh）
are required; 户名, 统一社会信用代码 and 小时 are optional. The file is read through the tolerant reader
(``spreadsheets.reader``: xlsx, xls, CSV in UTF-8 or GBK). Every unreadable cell is a problem naming its row.
"""
import math
import re
from datetime import date, datetime

from emergency.importing.tables import Problem, find_header, read_synonyms
from emergency.importing.values import cell_text, is_blank, parse_number

HEADERS = {"account": "户号", "holder": "户名", "credit_code": "统一社会信用代码", "day": "日期", "hour": "小时",
           "kwh": "有功电量（kWh）"}
REQUIRED = ("account", "day", "kwh")
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                       r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})?(?:\s*[:：]\s*\d{1,2}(?:\.\d+)?)?\s*分?)?")
COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
HOUR_TEXT = re.compile(r"(\d{1,2})(?:\s*[:：时点]\s*\d{0,2})?"
                       r"(?:\s*[-~—至]\s*\d{1,2}(?:\s*[:：]\s*\d{0,2})?)?\s*[时点]?")
DATE_MESSAGE = "日期格式应为“年-月-日”或“年-月-日 时:分”，如 2026-11-01 或 2026-11-01 13:00"
MIDNIGHT = -1        # a date-time at 00:00: the day itself in a daily file, hour 0 in an hourly one


def header_synonyms():
    return read_synonyms("power_header_synonyms.csv")


def parse_when(value, cache):
    """(date, hour or None or MIDNIGHT) of a 日期 cell, or (None, Chinese message)."""
    if isinstance(value, datetime):
        if value.hour or value.minute:
            return value.date(), value.hour
        return value.date(), MIDNIGHT
    if isinstance(value, date):
        return value, None
    found = cache.get(value)
    if found is None:
        found = cache[value] = _parse_text(cell_text(value))
    return found


def _parse_text(text):
    match = DATE_TEXT.fullmatch(text)
    parts = match.groups() if match else None
    if parts is None:
        compact = COMPACT_DATE.fullmatch(text)
        parts = compact.groups() + (None, None) if compact else None
    if parts is None:
        return None, DATE_MESSAGE
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None, DATE_MESSAGE
    if parts[3] is None:
        return day, None
    hour = int(parts[3])
    return (day, hour) if hour <= 24 else (None, DATE_MESSAGE)


def parse_hour(value):
    """(hour 0–24, None) or (None, Chinese message) of a 小时 cell such as 13, 13:00 or 13:00-14:00."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        hour = value
    else:
        match = HOUR_TEXT.fullmatch(cell_text(value))
        hour = int(match.group(1)) if match else None
    if hour is None or hour != int(hour) or not 0 <= hour <= 24:
        return None, "小时应为0至24的整数，如 13 或 13:00-14:00"
    return int(hour), None


class Rows:
    """The rows of one sheet read into readings {(account, day, hour): (kWh, row)} and the accounts' other cells.

    A repeated key with the same value is a harmless duplicate; with another value it is a problem.
    """

    def __init__(self, report, today):
        self.report, self.today = report, today
        self.readings, self.accounts, self.hourly = {}, {}, False
        self.dates, self.texts = {}, {}

    def problem(self, sheet, row, name, message):
        self.report.add_problem(Problem(row, HEADERS[name], message, sheet))

    def read(self, sheet, columns, rows):
        col = {name: columns.get(name) for name in HEADERS}
        for index, cells in rows:
            if not any(cells) or all(is_blank(cell) for cell in cells):
                continue
            self.report.rows += 1
            self._row(sheet, index + 1, cells, col)

    def text(self, value):
        """``cell_text``, remembered: an account's number, name and code repeat on every one of its rows."""
        if value is None:
            return ""
        found = self.texts.get(value)
        if found is None:
            found = self.texts[value] = cell_text(value)
        return found

    def _cell(self, cells, column):
        return cells[column] if column is not None and column < len(cells) else None

    def _row(self, sheet, row, cells, col):
        account = self._cell(cells, col["account"])
        if is_blank(account):
            return self.problem(sheet, row, "account", "请填写户号")
        account = self.text(account)
        day, hour = self._when(sheet, row, cells, col)
        kwh = self._kwh(sheet, row, self._cell(cells, col["kwh"]))
        self._account(sheet, row, account, cells, col)
        if day is None or kwh is None:
            return
        key = (account, day, hour)
        seen = self.readings.get(key)
        if seen is None:
            self.readings[key] = (kwh, row)
        elif seen[0] != kwh:
            when = f"{day:%Y-%m-%d}" + (f" {hour}时" if hour not in (None, MIDNIGHT) else "")
            self.problem(sheet, row, "kwh", f"户号 {account} 在 {when} 已有第{seen[1]}行的电量 {seen[0]:g}，"
                                            f"本行为 {kwh:g}：同一户号同一时间的电量不一致")

    def _when(self, sheet, row, cells, col):
        raw = self._cell(cells, col["day"])
        if is_blank(raw):
            self.problem(sheet, row, "day", "请填写日期")
            return None, None
        day, hour = parse_when(raw, self.dates)
        if day is None:
            self.problem(sheet, row, "day", hour)
            return None, None
        if day > self.today:
            self.problem(sheet, row, "day",
                         f"日期 {day:%Y-%m-%d} 晚于今天（{self.today:%Y-%m-%d}），不能导入未来的电量")
            return None, None
        raw_hour = self._cell(cells, col["hour"])
        if not is_blank(raw_hour):
            hour, message = parse_hour(raw_hour)
            if message:
                self.problem(sheet, row, "hour", message)
                return None, None
        if hour not in (None, MIDNIGHT):
            self.hourly = True
        return day, hour

    def _kwh(self, sheet, row, raw):
        if isinstance(raw, str):                     # CSV: plain digits are the usual case, read fast
            try:
                value = float(raw)
            except ValueError:
                pass
            else:
                if 0 <= value < math.inf and "_" not in raw:
                    return value
        elif isinstance(raw, float) and 0 <= raw < math.inf:
            return raw
        if is_blank(raw):
            self.problem(sheet, row, "kwh", "请填写有功电量（kWh）")
            return None
        value, message = parse_number(raw)
        if message:
            self.problem(sheet, row, "kwh", f"“{cell_text(raw)}”不是有效的电量数字")
            return None
        if value < 0:
            self.problem(sheet, row, "kwh", f"电量不能为负数（{value:g}）")
            return None
        return value

    def _account(self, sheet, row, account, cells, col):
        """Remember the account's first row, holder name and credit code; another credit code is a problem."""
        holder = self.text(self._cell(cells, col["holder"]))
        code = self.text(self._cell(cells, col["credit_code"]))
        known = self.accounts.get(account)
        if known is None:
            self.accounts[account] = [row, sheet, holder, code]
            return
        if code and known[3] and code != known[3]:
            self.problem(sheet, row, "credit_code", f"户号 {account} 在第{known[0]}行属于统一社会信用代码为 "
                                                    f"{known[3]} 的企业，本行为 {code}：一个户号不能属于两家企业")
        elif code and not known[3]:
            known[3] = code
        if holder and not known[2]:
            known[2] = holder

    def daily(self):
        """{(account, day): kWh}: hourly readings summed to the day; a day given both ways is a problem."""
        totals, kinds = {}, {}
        for (account, day, hour), (kwh, row) in self.readings.items():
            if hour == MIDNIGHT:
                hour = 0 if self.hourly else None
            kind = "daily" if hour is None else "hourly"
            first = kinds.setdefault((account, day), (kind, row))
            if first[0] != kind:
                self.report.add_problem(Problem(row, HEADERS["day"], f"户号 {account} 在 {day:%Y-%m-%d} 既有日电量又有"
                                                                     f"小时电量（见第{first[1]}行）：请只保留一种"))
                continue
            totals[(account, day)] = totals.get((account, day), 0.0) + kwh
        return totals


def read_tables(sheets):
    """[(sheet name, {field: column}, rows iterator)] of the sheets whose header names the power columns."""
    tables = []
    for sheet in sheets:
        columns = find_header(sheet.rows, header_synonyms())
        if columns:
            tables.append((sheet.name, columns, sheet.rows))
    return tables
