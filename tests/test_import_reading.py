"""Reading files for the import: formats by content, bad files, zip bombs, encodings, merged cells."""
import io
import struct
import zipfile
from pathlib import Path

import pytest

from emergency.spreadsheets.reader import CSV, XLS, XLSX, FileProblem, check_file, fill_merged, read_sheets
from tests.import_support import csv_bytes, xlsx

MB = 1024 * 1024
GOV_XLS = Path(__file__).parent / "data" / "import_gov.xls"


def problem(data, filename, max_bytes=20 * MB, max_unpacked=400 * MB):
    with pytest.raises(FileProblem) as caught:
        check_file(data, filename, max_bytes, max_unpacked)
    return caught.value.message


def rows_of(data, kind):
    return [(sheet.name, list(sheet.rows)) for sheet in read_sheets(data, kind)]


def zip_of(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_formats_are_recognised_by_content():
    book = xlsx(("表", [["企业名称"]]))
    assert check_file(book, "清单.xlsx", MB, 100 * MB) == XLSX
    assert check_file(book, "清单.XLS", MB, 100 * MB) == XLSX   # an .xls name on .xlsx content is harmless
    assert check_file(GOV_XLS.read_bytes(), "清单.xls", MB, 100 * MB) == XLS
    assert check_file("企业名称\n".encode("gbk"), "清单.csv", MB, 100 * MB) == CSV


@pytest.mark.parametrize("data, filename, message", [
    (b"", "清单.xlsx", "文件是空的（0字节）"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "清单.xlsx", "文件扩展名为 .xlsx，但内容不是表格文件"),
    ("企业名称,统一社会信用代码\n".encode(), "清单.xlsx", "文件扩展名为 .xlsx，但内容是文本文件"),
    (b"PK\x03\x04" + b"\x00" * 200, "清单.xlsx", "文件已损坏，无法读取"),
    (b"<html><table><tr><td>1</td></tr></table></html>", "清单.xls", "该文件实为网页（HTML/XML）格式"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le"), "清单.xlsx",
     "工作簿设有密码保护"),
    (b"abc", "清单.txt", "不支持的文件类型“.txt”"),
    (b"abc", "清单", "不支持的文件类型“无扩展名”"),
])
def test_bad_files_get_a_clear_message(data, filename, message):
    assert message in problem(data, filename)


def test_a_word_document_renamed_xlsx_is_not_a_workbook():
    docx = zip_of({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    assert problem(docx, "清单.xlsx") == "文件不是Excel工作簿（压缩包中没有工作簿内容）"


def test_file_over_the_size_limit():
    assert problem(b"x" * 2048, "清单.csv", max_bytes=1024) == "文件大小 2.0 KB 超过上限 1.0 KB"


def test_zip_bomb_is_refused_by_declared_size_before_parsing():
    bomb = zip_of({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>",
                   "xl/worksheets/sheet1.xml": b"\x00" * (5 * MB)})
    assert len(bomb) < 100 * 1024
    assert "工作簿解压后大小 5.0 MB 超过上限 1.0 MB，疑为异常文件，已拒绝" == problem(bomb, "清单.xlsx", max_unpacked=MB)


def test_zip_with_lying_sizes_is_refused():
    """A member that inflates past its declared size fails zipfile's size/CRC check before calamine runs."""
    data = bytearray(zip_of({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>",
                             "xl/worksheets/sheet1.xml": b"\x00" * MB}))
    central = data.rfind(b"PK\x01\x02")   # the last member's central directory entry
    data[central + 24:central + 28] = struct.pack("<I", 10)
    local = data.find(b"PK\x03\x04", data.find(b"xl/workbook.xml"))
    data[local + 22:local + 26] = struct.pack("<I", 10)
    assert problem(bytes(data), "清单.xlsx") == "文件已损坏，无法读取：请在Excel中打开并另存后再导入"


def test_corrupt_workbook_xml_gives_no_stack_trace():
    broken = zip_of({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "not xml at all",
                     "xl/_rels/workbook.xml.rels": "<<<"})
    assert check_file(broken, "清单.xlsx", MB, 100 * MB) == XLSX
    with pytest.raises(FileProblem) as caught:
        rows_of(broken, XLSX)
    assert caught.value.message.startswith("文件已损坏或格式无法识别")


def test_merged_cells_are_filled_from_their_top_left_cell():
    rows = [(0, ["标题", "", ""]), (1, ["甲", "x", ""]), (2, ["", "y", ""]), (3, ["", "z", "w"])]
    merged = [((0, 0), (0, 2)), ((1, 0), (2, 0)), ((3, 0), (3, 1))]
    assert list(fill_merged(iter(rows), merged)) == [
        (0, ["标题", "标题", "标题"]), (1, ["甲", "x", ""]), (2, ["甲", "y", ""]), (3, ["", "", "w"])]


def test_xlsx_rows_keep_absolute_positions_and_merges():
    book = xlsx(("清单", [[], [None, None, "标题"], [], [None, None, "企业名称", "产能"],
                          [None, None, "甲公司", 1.5], [None, None, None, "7"]], ["C5:C6"]))
    (name, rows), = rows_of(book, XLSX)
    assert name == "清单"
    assert rows[3] == (3, ["", "", "企业名称", "产能"])
    assert rows[4] == (4, ["", "", "甲公司", 1.5])
    assert rows[5] == (5, ["", "", "甲公司", "7"])


def test_hidden_sheets_are_not_read():
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    workbook.add_worksheet("可见").write(0, 0, "a")
    hidden = workbook.add_worksheet("隐藏")
    hidden.write(0, 0, "b")
    hidden.hide()
    workbook.close()
    assert [name for name, _ in rows_of(buffer.getvalue(), XLSX)] == ["可见"]


def test_xls_is_read_with_its_merged_cells():
    (name, rows), = rows_of(GOV_XLS.read_bytes(), XLS)
    assert name == "泽州县"
    assert rows[5][1][1] == "泽州金石水泥有限公司"   # B6 sits under B5:B6
    assert rows[0][1][11] == rows[0][1][0]           # the title merged over A1:L1


@pytest.mark.parametrize("encoding, prefix", [("gbk", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b""),
                                              ("gb18030", b"")])
def test_csv_encodings(encoding, prefix):
    data = prefix + csv_bytes([["企业名称", "县（市、区）"], ["晋城市泽州县煤业有限公司", "泽州县"]], encoding)
    (name, rows), = rows_of(data, check_file(data, "清单.csv", MB, MB))
    assert name == "CSV"
    assert rows == [(0, ["企业名称", "县（市、区）"]), (1, ["晋城市泽州县煤业有限公司", "泽州县"])]


def test_excel_unicode_text_is_utf16_with_tabs():
    data = "企业名称\t县（市、区）\r\n甲公司\t城区\r\n".encode("utf-16")
    (_, rows), = rows_of(data, check_file(data, "清单.csv", MB, MB))
    assert rows[1] == (1, ["甲公司", "城区"])


def test_csv_in_an_unknown_encoding_is_refused():
    assert problem("企业名称".encode("utf-32-le"), "清单.csv") == "文件扩展名为 .csv，但内容不是表格文件：请确认文件格式后重新上传"
    with pytest.raises(FileProblem) as caught:
        rows_of(b"abc\x80\n", CSV)
    assert caught.value.message == "无法识别CSV文件的编码：请保存为UTF-8或GBK编码的CSV"
