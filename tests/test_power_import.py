"""Power readings import: headers by synonyms, hourly rows summed, accounts matched, every bad input refused."""
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from emergency.supervision.power_import import commit_power, inspect_power
from models import PowerAccount, PowerReading, db

TODAY = date(2026, 12, 1)


def csv_bytes(rows, header=("户号", "户名", "日期", "有功电量（kWh）"), encoding="utf-8"):
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def readings():
    return sorted((a.number, r.day, r.kwh) for r, a in db.session.query(PowerReading, PowerAccount)
                  .join(PowerAccount, PowerAccount.id == PowerReading.account_id))


@pytest.fixture
def firm(make_enterprise):
    return make_enterprise(name="城区甲水泥有限公司")


def run(data, name="power.csv"):
    report = commit_power(data, name, today=TODAY)
    if report.committed:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def test_daily_csv_registers_the_account_by_name_and_is_idempotent(firm):
    data = csv_bytes([("3001", "城区甲水泥有限公司", "2026-11-01", 1200), ("3001", "城区甲水泥有限公司", "2026-11-02", 800.5)])
    report = run(data)
    assert report.committed and report.created == 2 and report.new_accounts == [("3001", "城区甲水泥有限公司",
                                                                                  "城区甲水泥有限公司")]
    assert readings() == [("3001", date(2026, 11, 1), 1200.0), ("3001", date(2026, 11, 2), 800.5)]
    assert db.session.query(PowerAccount).one().enterprise_id == firm.id
    again = run(data)
    assert again.committed and (again.created, again.changed, again.unchanged) == (0, 0, 2)
    corrected = run(csv_bytes([("3001", "", "2026-11-02", 900)]))
    assert (corrected.created, corrected.changed) == (0, 1)
    assert readings()[1] == ("3001", date(2026, 11, 2), 900.0)


def test_hourly_gbk_csv_with_credit_code_is_summed_to_days(firm):
    header = ("用户编号", "用电单位", "统一社会信用代码", "数据时间", "正向有功电量")
    rows = [("88", "甲厂", firm.credit_code, f"2026/11/03 {h:02d}:00", 10) for h in range(24)]
    rows.append(("88", "甲厂", firm.credit_code, "2026/11/04 01:00", 7.5))
    report = run(csv_bytes(rows, header, "gbk"))
    assert report.committed, report.lines()
    assert readings() == [("88", date(2026, 11, 3), 240.0), ("88", date(2026, 11, 4), 7.5)]


def test_xlsx_with_date_cells(firm):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["电表户号", "户名", "日期", "有功电量(kWh)"])
    sheet.append(["5", firm.name, datetime(2026, 11, 5), 321.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), "power.xlsx")
    assert report.committed and readings() == [("5", date(2026, 11, 5), 321.0)]


@pytest.mark.parametrize("rows, message", [
    ([("1", "城区甲水泥有限公司", "2026-11-01", -5)], "第2行“有功电量（kWh）”列：电量不能为负数（-5）"),
    ([("1", "城区甲水泥有限公司", "2026-11-01", "很多")], "第2行“有功电量（kWh）”列：“很多”不是有效的电量数字"),
    ([("1", "城区甲水泥有限公司", "2026-12-05", 5)],
     "第2行“日期”列：日期 2026-12-05 晚于今天（2026-12-01），不能导入未来的电量"),
    ([("1", "城区甲水泥有限公司", "2026-11-01", 5), ("1", "城区甲水泥有限公司", "2026-11-01", 6)],
     "第3行“有功电量（kWh）”列：户号 1 在 2026-11-01 已有第2行的电量 5，本行为 6：同一户号同一时间的电量不一致"),
    ([("1", "城区甲水泥有限公司", "11月1日", 5)], "第2行“日期”列：日期格式应为"),
    ([("9", "不认识的公司", "2026-11-01", 5)], "第2行“户号”列：户号 9（户名“不认识的公司”）尚未登记"),
])
def test_bad_rows_are_named_and_nothing_is_written(firm, rows, message):
    report = run(csv_bytes(rows))
    assert not report.committed
    assert any(line.startswith(message) for line in report.lines()), report.lines()
    assert readings() == [] and db.session.query(PowerAccount).count() == 0


def test_an_account_of_two_firms_is_refused(firm, make_enterprise):
    other = make_enterprise(name="城区乙焦化有限公司")
    header = ("户号", "户名", "统一社会信用代码", "日期", "有功电量")
    report = run(csv_bytes([("1", "", firm.credit_code, "2026-11-01", 5), ("1", "", other.credit_code, "2026-11-02", 5)],
                           header))
    assert "第3行“统一社会信用代码”列：户号 1 在第2行属于统一社会信用代码为" in report.lines()[1]
    assert readings() == []
    db.session.add(PowerAccount(number="2", enterprise_id=firm.id))
    db.session.commit()
    report = run(csv_bytes([("2", "", other.credit_code, "2026-11-01", 5)], header))
    assert report.lines()[1] == ("第2行“统一社会信用代码”列：户号 2 已登记在另一家企业名下，本行为“城区乙焦化有限公司”："
                                 "一个户号不能属于两家企业")
    assert readings() == []


@pytest.mark.parametrize("data, name, message", [
    (b"", "power.csv", "文件是空的（0字节）"),
    (b"\x00\x01binary", "power.csv", "文件扩展名为 .csv，但内容不是表格文件"),
    (b"hello", "power.txt", "不支持的文件类型“.txt”"),
    ("户号,户名,日期,有功电量\n".encode(), "power.csv", "表中没有数据行"),
    ("名称,地址\n甲,乙\n".encode(), "power.csv", "未找到电量数据的表头"),
])
def test_unreadable_files(firm, data, name, message):
    report, plan = inspect_power(data, name, today=TODAY)
    assert plan is None and report.file_error.startswith(message)


def test_cli_dry_run_and_import(firm, runner, tmp_path):
    path = tmp_path / "power.csv"
    path.write_bytes(csv_bytes([("3001", firm.name, "2025-11-01", 100)]))
    result = runner.invoke(args=["import-power", str(path), "--dry-run"])
    assert result.exit_code == 0 and "检查通过（试运行，未写入任何数据）。" in result.output
    assert readings() == []
    result = runner.invoke(args=["import-power", str(path)])
    assert result.exit_code == 0 and "新增日电量 1 条" in result.output
    assert readings() == [("3001", date(2025, 11, 1), 100.0)]
    path.write_bytes(csv_bytes([("3001", firm.name, "2025-11-01", -1)]))
    result = runner.invoke(args=["import-power", str(path)])
    assert result.exit_code == 1 and "电量不能为负数" in result.output


def test_an_hour_column_is_summed_and_mixing_days_with_hours_is_refused(firm):
    header = ("户号", "户名", "日期", "小时", "有功电量")
    rows = [("7", firm.name, "2026-11-06", f"{h}:00-{h + 1}:00", 2) for h in range(3)]
    assert run(csv_bytes(rows, header)).committed
    assert readings() == [("7", date(2026, 11, 6), 6.0)]
    mixed = run(csv_bytes([("7", firm.name, "2026-11-07", "", 10), ("7", firm.name, "2026-11-07", "5", 1)], header))
    assert "第3行“日期”列：户号 7 在 2026-11-07 既有日电量又有小时电量（见第2行）：请只保留一种" in mixed.lines()
    bad_hour = run(csv_bytes([("7", firm.name, "2026-11-08", "25", 1)], header))
    assert "第2行“小时”列：小时应为0至24的整数，如 13 或 13:00-14:00" in bad_hour.lines()
    assert readings() == [("7", date(2026, 11, 6), 6.0)]
