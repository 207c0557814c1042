"""Importing power readings: a dry run listing every problem in Chinese by row, then an all-or-nothing commit.

Accounts: a 户号 already registered belongs to its enterprise. An unknown one is registered to the enterprise
whose 统一社会信用代码 the row gives (column optional), else to the one enterprise whose name equals the 户名;
otherwise it is a problem naming the row, and nothing is written. Re-importing the same days writes nothing
(the same figures) or corrects them (other figures): the file is the grid company's word for those days.
"""
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, select, update

from emergency.audit import trail as audit
from emergency.clock import local_today
from emergency.importing.tables import Problem, TableReport
from emergency.registry import credit_code as codes
from emergency.spreadsheets.reader import FileProblem, check_file, read_sheets
from emergency.supervision.board import bump_generation
from emergency.supervision.power_file import HEADERS, REQUIRED, Rows, read_tables
from emergency.text import fold
from models import Enterprise, PowerAccount, PowerReading, db

MAX_BYTES = 200 * 1024 * 1024
MAX_LISTED = 200
CHUNK = 5000


@dataclass
class PowerReport(TableReport):
    """The dry run's findings and counts (problems beyond MAX_LISTED are counted, not kept)."""

    rows: int = 0
    more_problems: int = 0
    created: int = 0
    changed: int = 0
    new_accounts: list = field(default_factory=list)      # (户号, 户名, enterprise name)

    def add_problem(self, problem):
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    @property
    def writes(self):
        return bool(self.created or self.changed or self.new_accounts)

    @property
    def problem_count(self):
        return len(self.problems) + self.more_problems

    def counts(self):
        return (f"读取 {self.rows} 行；新增日电量 {self.created} 条、修改 {self.changed} 条、不变 {self.unchanged} 条；"
                f"新登记户号 {len(self.new_accounts)} 个")

    def lines(self):
        lines = [f"文件：{self.filename}" + (f"（工作表“{self.sheet}”）" if self.sheet else "")]
        if self.file_error:
            return lines + [f"无法导入：{self.file_error}"]
        lines += [problem.as_text() for problem in self.problems]
        if self.problems:
            more = f"（另有 {self.more_problems} 个问题未列出）" if self.more_problems else ""
            return lines + [f"共 {self.problem_count} 个问题{more}，未导入任何数据。"]
        lines += [f"新登记户号 {n}（{h or '无户名'}）→ {name}" for n, h, name in self.new_accounts]
        return lines + [self.counts() + "。"]


@dataclass
class Plan:
    accounts: dict                 # 户号 → account id (None: to create)
    new: list                      # (户号, 户名, enterprise id)
    inserts: list                  # (户号, day, kWh)
    updates: list                  # (reading id, kWh)


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _stored_accounts(numbers):
    found = {}
    for chunk in _chunks(numbers):
        found.update((n, (i, e)) for n, i, e in db.session.execute(
            select(PowerAccount.number, PowerAccount.id, PowerAccount.enterprise_id)
            .where(PowerAccount.number.in_(chunk))))
    return found


def _registry():
    """({credit code: (id, name)}, {folded name: (id, name) or None when two firms share it})."""
    by_code, by_name = {}, {}
    for eid, name, code in db.session.execute(select(Enterprise.id, Enterprise.name, Enterprise.credit_code)):
        by_code[code] = (eid, name)
        folded = fold(name)
        by_name[folded] = None if folded in by_name else (eid, name)
    return by_code, by_name


def _match(number, info, stored, registry, report):
    """The enterprise id of an account, or None after adding a problem; registers what is new."""
    row, sheet, holder, code = info
    by_code, by_name = registry
    named = by_code.get(codes.normalise(code)) if code else None
    if code and named is None:
        report.add_problem(Problem(row, HEADERS["credit_code"], f"统一社会信用代码 {code} 不在企业名录中", sheet))
        return None
    if number in stored:
        account_id, enterprise_id = stored[number]
        if named and named[0] != enterprise_id:
            report.add_problem(Problem(row, HEADERS["credit_code"], f"户号 {number} 已登记在另一家企业名下，本行为“"
                                                                    f"{named[1]}”：一个户号不能属于两家企业", sheet))
            return None
        return enterprise_id
    if named is None and holder:
        named = by_name.get(fold(holder))
    if named is None:
        report.add_problem(Problem(row, HEADERS["account"], f"户号 {number}（户名“{holder or '未填写'}”）尚未登记，"
                                   "且无法按统一社会信用代码或户名匹配名录中的企业：请增加“统一社会信用代码”列，"
                                   "或使户名与企业名称一致", sheet))
        return None
    report.new_accounts.append((number, holder, named[1]))
    return named[0]


def _plan(rows, report):
    stored = _stored_accounts(rows.accounts)
    registry = _registry()
    accounts, new = {}, []
    for number, info in rows.accounts.items():
        enterprise_id = _match(number, info, stored, registry, report)
        if enterprise_id is not None:
            accounts[number] = stored[number][0] if number in stored else None
            if number not in stored:
                new.append((number, info[2], enterprise_id))
    totals = rows.daily()
    rows.readings = None         # a million-row file: free the hourly keys before planning the writes
    if not report.clean:
        return None
    existing = _stored_readings({stored[n][0] for n in accounts if n in stored}, totals)
    inserts, updates = [], []
    for (number, day), kwh in totals.items():
        account_id = accounts[number]
        old = existing.get((account_id, day)) if account_id else None
        if old is None:
            inserts.append((number, day, kwh))
        elif abs(old[1] - kwh) > 1e-9 * max(1.0, kwh):
            updates.append((old[0], kwh))
        else:
            report.unchanged += 1
    report.created, report.changed = len(inserts), len(updates)
    return Plan(accounts, new, inserts, updates)


def _stored_readings(account_ids, totals):
    if not account_ids or not totals:
        return {}
    days = [day for _, day in totals]
    first, last = min(days), max(days)
    found = {}
    connection = db.session.connection()     # Core rows: a re-import reads back a million of them
    for chunk in _chunks(account_ids, 1000):
        found.update(((a, d), (i, k)) for i, a, d, k in connection.execute(
            select(PowerReading.id, PowerReading.account_id, PowerReading.day, PowerReading.kwh)
            .where(PowerReading.account_id.in_(chunk), PowerReading.day.between(first, last))))
    return found


def _copy(rows):
    """Write new readings with PostgreSQL's COPY, in the session's transaction (several times faster than
    INSERTs at a million rows); the table's constraints hold as for any insert."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy("COPY power_reading (account_id, day, kwh, source) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def inspect_power(data, filename, today=None):
    """The dry run: (PowerReport, Plan or None). Writes nothing."""
    report = PowerReport(filename)
    try:
        tables = read_tables(read_sheets(data, check_file(data, filename, MAX_BYTES, 10 * MAX_BYTES)))
    except FileProblem as exc:
        report.file_error = exc.message
        return report, None
    tables = [t for t in tables if all(name in t[1] for name in REQUIRED)]
    if not tables:
        report.file_error = "未找到电量数据的表头（应含：户号、日期、有功电量（kWh）等列）"
        return report, None
    report.sheet = "、".join(name for name, _, _ in tables)
    rows = Rows(report, today or local_today())
    try:
        for name, columns, sheet_rows in tables:
            rows.read(name if len(tables) > 1 else "", columns, sheet_rows)
    except FileProblem as exc:
        report.file_error = exc.message
        return report, None
    if not report.rows and report.clean:
        report.file_error = "表中没有数据行"
        return report, None
    return report, _plan(rows, report)


def commit_power(data, filename, username="", source="import", today=None):
    """Check the file again and, when it has no problem, register its new accounts and write its readings
    (flush; the caller commits)."""
    report, plan = inspect_power(data, filename, today)
    if not report.clean:
        return report
    accounts = [PowerAccount(number=number, holder=holder[:200], enterprise_id=enterprise_id)
                for number, holder, enterprise_id in plan.new]
    db.session.add_all(accounts)
    db.session.flush()
    plan.accounts.update((account.number, account.id) for account in accounts)
    table = PowerReading.__table__
    rows = ((plan.accounts[n], d, k, source) for n, d, k in plan.inserts)
    if db.session.get_bind().dialect.name == "postgresql":
        _copy(rows)
    else:
        for chunk in _chunks(rows):
            db.session.execute(insert(table), [{"account_id": a, "day": d, "kwh": k, "source": s}
                                               for a, d, k, s in chunk])
    statement = update(table).where(table.c.id == bindparam("rid")).values(kwh=bindparam("new_kwh"))
    for chunk in _chunks(plan.updates):
        db.session.execute(statement, [{"rid": i, "new_kwh": k} for i, k in chunk])
    bump_generation()
    report.committed = True
    return report


audit.register(PowerAccount, "power_account", "电表户号", lambda o, c: o.enterprise_id,
               lambda o: f"{o.number}（{o.holder or '无户名'}）")
