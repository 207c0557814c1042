"""Hostile workbooks (issue 16): refused by their declared reach before reading, read in a child process with
hard limits, and never able to take the web worker down."""
import io
import os
import pickle

import pytest

from emergency.baseline.reading import inspect_baseline
from emergency.limits import reader_limits
from emergency.spreadsheets.reader import CSV, XLSX, FileProblem, check_file, fill_merged, read_sheets
from emergency.spreadsheets.sandbox import _SafeUnpickler
from tests.hostile_books import far_cell as far_cell_book
from tests.hostile_books import far_cell_within_rows, header_row, text_cell, whole_sheet_merge, workbook
from tests.import_support import csv_bytes, snapshot

MB = 1024 * 1024
LIMIT = "超过处理上限（200000 行 × 200 列）"
BROKEN = "文件超出处理上限或已损坏"


def refusal(data, filename="清单.xlsx"):
    with pytest.raises(FileProblem) as caught:
        read_all(data, check_file(data, filename, 20 * MB, 400 * MB))
    return caught.value.message


def read_all(data, kind):
    with read_sheets(data, kind) as sheets:
        return [(sheet.name, list(sheet.rows)) for sheet in sheets]


def test_the_limits_come_from_the_settings_file_and_the_config(app, monkeypatch):
    assert reader_limits()["reader_max_rows"] == 200000 and reader_limits()["reader_max_cols"] == 200
    monkeypatch.setitem(app.config, "READER_MAX_ROWS", 300000)
    assert reader_limits()["reader_max_rows"] == 300000


def test_a_cell_at_xfd1048576_is_refused_by_its_declared_range():
    book = far_cell_book()
    assert len(book) < 5 * 1024
    message = refusal(book)
    assert message.startswith("工作表声明的数据范围 A1:XFD1048576 达到第 1048576 行、第 16384 列") and LIMIT in message


def test_a_far_cell_without_a_declared_range_is_refused_by_its_row_number():
    message = refusal(far_cell_book(declared=False))
    assert message.startswith("工作表的行号达到第 1048576 行") and LIMIT in message


def test_a_merge_over_the_whole_sheet_is_refused_before_reading():
    book = whole_sheet_merge()
    assert len(book) < 5 * 1024
    message = refusal(book)
    assert message.startswith("合并单元格 A2:XFD1048576 达到第 1048576 行、第 16384 列") and LIMIT in message


def test_cells_past_a_small_declared_range_are_refused_by_the_reader():
    book = workbook(header_row() + f'<row r="150">{text_cell("XFD150", "x")}</row>', dimension="A1:E1")
    message = refusal(book)
    assert message.startswith("工作表“清单”的内容达到第 150 行、第 16384 列") and LIMIT in message


def test_a_reader_that_dies_on_a_file_gives_a_chinese_message_and_the_worker_goes_on():
    book = far_cell_within_rows()
    pid = os.getpid()
    assert BROKEN in refusal(book)
    assert os.getpid() == pid
    assert read_all(workbook(header_row()), XLSX)[0][1][0][1][:2] == ["企业名称", "统一社会信用代码"]


def test_past_the_wall_time_the_child_is_stopped(app, monkeypatch):
    monkeypatch.setitem(app.config, "READER_WALL_SECONDS", 0)
    message = refusal(workbook(header_row()))
    assert message.startswith(BROKEN) and "读取时限 0 秒" in message


def test_a_merge_within_the_limits_is_clipped_to_the_used_range():
    rows = "".join(f'<row r="{r}">{text_cell(f"A{r}", "甲")}{text_cell(f"B{r}", r)}</row>' for r in range(2, 202))
    book = workbook(header_row() + rows, merges=["C2:GR200000"])
    [(name, read)] = read_all(book, check_file(book, "清单.xlsx", MB, 100 * MB))
    assert name == "清单" and len(read) == 201
    assert read[-1] == (200, ["甲", "201", "", "", ""])


def test_merge_filling_past_the_cell_budget_is_refused():
    limits = {"reader_max_rows": 10, "reader_max_cols": 3}
    rows = [(i, ["a", "", ""]) for i in range(8)]
    merged = [((0, 0), (7, 2))] * 3
    with pytest.raises(FileProblem) as caught:
        list(fill_merged(iter(rows), merged, (7, 2), limits))
    assert caught.value.message.startswith("合并单元格覆盖的单元格总数超过处理上限（10 行 × 3 列）")


def test_csv_rows_and_columns_are_limited(app, monkeypatch):
    monkeypatch.setitem(app.config, "READER_MAX_ROWS", 3)
    data = csv_bytes([["企业名称"], ["甲"], ["乙"], ["丙"]])
    with pytest.raises(FileProblem) as caught:
        read_all(data, CSV)
    assert caught.value.message.startswith("CSV文件的内容达到第 4 行") and "处理上限（3 行 × 200 列）" in caught.value.message
    assert read_all(csv_bytes([["企业名称"], ["甲"]]), CSV) == [("CSV", [(0, ["企业名称"]), (1, ["甲"])])]


def test_the_parent_unpickles_no_code_from_the_child():
    payload = pickle.dumps(("rows", [(0, [os.system])]))
    with pytest.raises(pickle.UnpicklingError):
        _SafeUnpickler(io.BytesIO(payload)).load()


def test_baseline_import_reads_through_the_same_guard():
    report, plan = inspect_baseline(far_cell_book(), "基数.xlsx")
    assert plan is None and LIMIT in report.file_error


@pytest.fixture
def importer(app, tmp_path, monkeypatch, make_user, login):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))
    return login(make_user("city"))


@pytest.mark.parametrize("book, message", [
    (far_cell_book(), "工作表声明的数据范围 A1:XFD1048576"),
    (whole_sheet_merge(), "合并单元格 A2:XFD1048576"),
])
def test_hostile_uploads_are_refused_and_the_app_keeps_answering(app, importer, book, message):
    before = snapshot()
    for _ in range(2):
        response = importer.post("/import", data={"file": (io.BytesIO(book), "清单.xlsx")},
                                 content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page and LIMIT in page
    assert importer.get("/import").status_code == 200
    assert snapshot() == before
