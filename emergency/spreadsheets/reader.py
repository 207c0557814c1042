"""All spreadsheet reading: format sniffing, size, zip-bomb and declared-range guards, and rows with merged cells
filled in.

``check_file`` runs in the caller's process and reads no cell: it refuses what is not a spreadsheet, a zip bomb,
and a sheet whose declared range, row numbers or merged ranges reach past the row and column limits
(``declared``). ``read_sheets`` then reads the file in a child process with hard limits (``sandbox``), which runs
``read_here``. Both limits come from ``emergency.limits`` (seed/data/server_limits.csv).

Excel files are read with python-calamine (about 7x faster than openpyxl), which also gives the merged-cell
ranges of .xlsx and .xls sheets, so no second reader is needed. CSV is read with the csv module in UTF-8
(with or without BOM), UTF-16 (Excel's "Unicode text") or GBK/GB18030 (what Chinese Excel saves).
Each sheet yields ``(row_index, values)`` with 0-based absolute indexes, as Excel numbers them minus one.
"""
import codecs
import csv
import io
import logging
import zipfile
from dataclasses import dataclass

import python_calamine

from emergency.spreadsheets import declared as reach
from emergency.spreadsheets.problems import FileProblem

log = logging.getLogger(__name__)

XLSX, XLS, CSV = "xlsx", "xls", "csv"
EXTENSIONS = {".xlsx": XLSX, ".xls": XLS, ".csv": CSV}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ZIP_MEMBERS = 10000
CHUNK = 1 << 20


@dataclass
class RawSheet:
    """One sheet: its name and a one-pass iterator of (row_index, values) with merged cells filled."""

    name: str
    rows: object


def human_size(size):
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size, 1) / 1024:.1f} KB"


def sniff(data):
    """Guess the real format from the bytes: xlsx, xls, "encrypted", "html", csv (text) or None."""
    head = data[:2048]
    if head.startswith(ZIP_MAGIC):
        return XLSX
    if head.startswith(OLE_MAGIC):
        # An encrypted .xlsx is an OLE2 file holding EncryptedPackage; the stream names are UTF-16LE.
        return "encrypted" if "EncryptedPackage".encode("utf-16-le") in data else XLS
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "html"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return CSV
    return None if b"\x00" in head else CSV


def check_file(data, filename, max_bytes, max_unpacked, limits=None):
    """Refuse what cannot be imported and return the format to read it as; raises FileProblem."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        raise FileProblem(f"不支持的文件类型“{extension or '无扩展名'}”：请上传 .xlsx、.xls 或 .csv 文件")
    if not data:
        raise FileProblem("文件是空的（0字节）")
    if len(data) > max_bytes:
        raise FileProblem(f"文件大小 {human_size(len(data))} 超过上限 {human_size(max_bytes)}")
    kind = sniff(data)
    if kind == "encrypted":
        raise FileProblem("工作簿设有密码保护，无法读取：请在Excel中取消密码后另存，再导入")
    if kind == "html":
        raise FileProblem("该文件实为网页（HTML/XML）格式而非Excel工作簿：请在Excel中“另存为”.xlsx后再导入")
    wanted = EXTENSIONS[extension]
    # An .xls name on .xlsx content is common and harmless; any other mismatch is refused.
    if kind != wanted and not (wanted == XLS and kind == XLSX):
        found = {XLSX: "Excel 2007+ 工作簿（.xlsx）", XLS: "Excel 97-2003 工作簿（.xls）", CSV: "文本文件"}
        raise FileProblem(f"文件扩展名为 {extension}，但内容{'是' + found[kind] if kind in found else '不是表格文件'}："
                          "请确认文件格式后重新上传")
    if kind == XLSX:
        _check_zip(data, max_unpacked, limits or _limits())
    return kind


def _limits():
    from emergency.limits import reader_limits  # imported late: the reading child never loads Flask

    return reader_limits()


def _check_zip(data, max_unpacked, limits):
    """Refuse zip bombs: declared sizes first, then the real sizes while inflating, before any parsing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
                raise FileProblem("文件不是Excel工作簿（压缩包中没有工作簿内容）")
            declared = sum(m.file_size for m in members)
            if len(members) > MAX_ZIP_MEMBERS or declared > max_unpacked:
                raise FileProblem(f"工作簿解压后大小 {human_size(declared)} 超过上限 {human_size(max_unpacked)}，"
                                  "疑为异常文件，已拒绝")
            # Declared sizes can lie; zipfile stops at the declared size and checks the CRC, so reading
            # every member through it proves the sizes before calamine inflates anything. Sheets are
            # scanned for their declared reach on the way.
            for member in members:
                scan = reach.SheetScan(limits) if reach.is_sheet(member.filename) else None
                with archive.open(member) as fh:
                    while chunk := fh.read(CHUNK):
                        if scan:
                            scan.feed(chunk)
    except FileProblem:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        if "encrypted" in str(exc).lower():
            raise FileProblem("工作簿设有密码保护，无法读取：请在Excel中取消密码后另存，再导入") from None
        raise FileProblem("文件已损坏，无法读取：请在Excel中打开并另存后再导入") from None


class Sheets(list):
    """The ``RawSheet``s of one sandboxed read, in order; ``close()`` (or leaving a ``with``) ends the child."""

    def __init__(self, read):
        super().__init__(RawSheet(name, read.rows(i)) for i, name in enumerate(read.names))
        self.read = read

    def close(self):
        self.read.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_sheets(data, kind, limits=None):
    """Read the visible sheets in a sandboxed child process; return ``Sheets``, to be read in order.

    Raises FileProblem when the child refuses the file, or dies or runs out of time reading it.
    """
    from emergency.spreadsheets.sandbox import SandboxedRead

    return Sheets(SandboxedRead(data, kind, limits or _limits()))


def read_here(data, kind, limits):
    """Read the visible sheets in this process (the sandbox's child does); rows are read lazily."""
    if kind == CSV:
        return [RawSheet("CSV", _csv_rows(_decode(data), limits))]
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        # Each sheet is loaded only when its rows are first read, so one sheet at a time is in memory.
        return [RawSheet(meta.name, _guarded(_sheet_rows(workbook, meta.name, limits)))
                for meta in workbook.sheets_metadata
                if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
                and meta.visible == python_calamine.SheetVisibleEnum.Visible]
    except python_calamine.PasswordError:
        raise FileProblem("工作簿设有密码保护，无法读取：请在Excel中取消密码后另存，再导入") from None
    except Exception:  # calamine raises several error types for damaged files; none may reach the user
        log.warning("unreadable workbook", exc_info=True)
        raise FileProblem("文件已损坏或格式无法识别，无法读取：请在Excel中打开并另存为 .xlsx 后再导入") from None


def _guarded(rows):
    try:
        yield from rows
    except FileProblem:
        raise
    except Exception:
        log.warning("unreadable sheet", exc_info=True)
        raise FileProblem("工作表内容已损坏，无法读取：请在Excel中打开并另存为 .xlsx 后再导入") from None


def _sheet_rows(workbook, name, limits):
    """Rows with absolute column indexes; calamine's iter_rows starts at row 0 but at the first used column."""
    sheet = workbook.get_sheet_by_name(name)
    if sheet.start is None:
        return
    # What the cheap scan cannot see (an .xls, cells past a small declared range) is refused here.
    reach.check_reach(sheet.end[0] + 1, sheet.end[1] + 1, f"工作表“{name}”的内容", limits)
    pad = [""] * sheet.start[1]
    merged = list(sheet.merged_cell_ranges or [])
    yield from fill_merged(((index, pad + row) for index, row in enumerate(sheet.iter_rows())), merged,
                           sheet.end, limits)


def fill_merged(rows, merged, end=None, limits=None):
    """Give every cell of a merged range the value of its top-left cell, streaming, in row order.

    Ranges are clipped to the sheet's used range ``end`` (row, column), and the cells filled are counted
    against the row × column limit, so a merge over the whole sheet costs no more than the sheet itself.
    """
    bottom_edge, right_edge = end if end is not None else (float("inf"), float("inf"))
    budget = limits["reader_max_rows"] * limits["reader_max_cols"] if limits else float("inf")
    pending = sorted(((top, left), (min(bottom, bottom_edge), min(right, right_edge)))
                     for (top, left), (bottom, right) in merged if top <= bottom_edge and left <= right_edge)
    active, next_range = [], 0
    for index, values in rows:
        while next_range < len(pending) and pending[next_range][0][0] <= index:
            (top, left), (bottom, right) = pending[next_range]
            value = values[left] if top == index and left < len(values) else ""
            active.append((bottom, left, right, value))
            next_range += 1
        if active:
            active = [r for r in active if r[0] >= index]
            for _, left, right, value in active:
                if right >= len(values):
                    values = values + [""] * (right + 1 - len(values))
                values[left:right + 1] = [value] * (right + 1 - left)
                budget -= right + 1 - left
            if budget < 0:
                raise FileProblem(f"合并单元格覆盖的单元格总数超过{reach.limit_text(limits)}，已拒绝："
                                  "请取消多余的合并单元格后另存，再导入")
        yield index, values


def _decode(data):
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("无法识别CSV文件的编码：请保存为UTF-8或GBK编码的CSV")


def _csv_rows(text, limits):
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        for index, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            reach.check_reach(index + 1, len(values), "CSV文件的内容", limits)
            yield index, values
    except csv.Error:
        raise FileProblem("CSV文件格式有误（引号不匹配等），无法读取") from None
