"""The list workbook printed the way a clerk prints it: LibreOffice headless to PDF, read back with pdftotext.

Skipped, with a message, where LibreOffice (Debian's libreoffice-calc-nogui) or poppler-utils is not installed.
Each conversion runs with its own HOME and LibreOffice profile, so parallel runs do not share a lock.
"""
import html
import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from emergency.lists.exports import export_list
from models import LEVEL_LABELS, POLLUTANTS, County, db
from tests.baseline_support import set_baselines

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice (soffice) or pdftotext not installed: apt-get install libreoffice-calc-nogui poppler-utils")

LONGEST = ("物料全部入棚入仓并保持大门关闭，厂区道路每日机械清扫和洒水不少于四次，出厂车辆全部冲洗干净，"
           "原料堆场覆盖防尘网，除尘设施与生产设施同步运行，在线监测数据实时上传，台账每日记录并保存一年以上")
STOPS = {"yellow": ("stop", None, None, "no_g4"), "orange": ("stop", None, None, "no_g4"),
         "red": ("stop", None, None, "no_g4")}
TITLE = "晋城市重污染天气红色预警应急减排清单（全市）"
# Sheet titles (row 1, repeated on every page) and the column names that print on every page of that sheet.
SHEET_MARKERS = (
    ("汇总", ("县（市、区）",)), ("停限产企业", ("序号", "企业名称")), ("（全国格式）", ("序号", "企业名称", "生产线")),
    ("企业基本信息", ("序号", "企业名称")), ("说明", ("项目", "内容")), ("", ("序号", "企业名称")),
)
# One page per printed block when every sheet's rows fit on a page: 汇总 5, 清单 2, 停限产企业 1,
# 全国格式清单 6, 企业基本信息 2, 说明 1.
BLOCK_PAGES = 17


@pytest.fixture
def small_registry(make_enterprise, make_line):
    set_baselines({(c.id, p): 10.0 for c in db.session.query(County) for p in POLLUTANTS})
    a = make_enterprise(name="城区甲水泥有限公司", address="北石店镇某村1号")
    line = make_line(a, name="1#窑", measures=STOPS, facilities="回转窑、篦冷机、煤磨、生料磨及配套除尘设施")
    for measure in line.measures:
        measure.text = LONGEST
    make_line(a, name="2#窑", measures=STOPS, so2_t_yr=0.003)
    make_line(a, name="3#窑", measures=STOPS)
    make_line(make_enterprise(name="泽州乙水泥有限公司", county_name="泽州县"), measures=STOPS)
    db.session.commit()


def to_pdf(data, tmp_path):
    """Convert an xlsx with LibreOffice headless; return the PDF's path."""
    source = tmp_path / "list.xlsx"
    source.write_bytes(data)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=240,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    return tmp_path / "list.pdf"


def pages_of(pdf):
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def words_of(pdf):
    """[[(x, y, word)] per page] from ``pdftotext -bbox``."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", out, re.S):
        pages.append([(float(x), float(y), html.unescape(word)) for x, y, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</word>', page)])
    return pages


def cell_text(pages, start):
    """The text of the wrapped cell whose first line starts with ``start``: its lines are the words that begin at
    the same x, one under the other (the cell's text has no spaces, so a line is one word)."""
    for words in pages:
        for x, y, word in words:
            if word.startswith(start):
                below = sorted((wy, w) for wx, wy, w in words if abs(wx - x) < 1.5 and wy > y)
                text, last = word, y
                for wy, w in below:
                    if wy - last > 20:      # past the cell: the next row or a gap
                        break
                    text, last = text + w, wy
                return text
    return None


@pytest.fixture
def printed(small_registry, tmp_path):
    buffer = io.BytesIO()
    export_list(buffer, "red")
    data = buffer.getvalue()
    pdf = to_pdf(data, tmp_path)
    return data, pdf, pages_of(pdf)


def test_the_longest_measure_prints_whole(printed):
    _, pdf, pages = printed
    measure = f"停产；禁止国四及以下重型载货车辆（含燃气）运输。{LONGEST}（核查指标：用电量）"
    words = words_of(pdf)
    # On 清单 and on the national sheet's red block, every line of the cell is printed, in order.
    found = [cell_text([page], measure[:12]) for page in words]
    assert found.count(measure) >= 2, [f for f in found if f]
    # The order sheet's multi-line cell shows all of the firm's lines, not only the first.
    orders = next(page for page in pages if "停限产企业" in page)
    assert all(f"{n}. {name}" in orders for n, name in ((1, "1#窑"), (2, "2#窑"), (3, "3#窑")))


def test_every_page_has_its_header_rows(printed):
    _, _, pages = printed
    assert BLOCK_PAGES <= len(pages) <= BLOCK_PAGES + 3
    for number, page in enumerate(pages, start=1):
        assert TITLE in page, number
        marker, headers = next((m, h) for m, h in SHEET_MARKERS if TITLE + m in page or not m)
        for header in headers:
            assert header in page, (number, marker, header)
        assert f"第 {number} 页 共 {len(pages)} 页" in page
        assert "晋城市生态环境局" in page and "当前登记数据（未发布）" in page
    # The grouped headers print over their columns: 年排放量 and each level's 减排量.
    national = "\n".join(page for page in pages if "（全国格式）" in page)
    for group in ("年排放量(吨/年)", *(f"{LEVEL_LABELS[lv]}预警减排量(吨/日)" for lv in LEVEL_LABELS)):
        assert group in national.replace(" ", ""), group


def test_small_reductions_and_scale(printed):
    data, _, pages = printed
    listed = "\n".join(page for page in pages if TITLE in page and "序号" in page)
    # 0.003 t/yr over 300 days: 0.00001 t/d prints with its digits.
    assert "0.0000100" in listed
    workbook = load_workbook(io.BytesIO(data))
    for ws in workbook.worksheets:
        assert (ws.page_setup.scale or 100) >= 70, ws.title
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
