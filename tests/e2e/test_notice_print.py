"""The notices as a person prints them: Chromium at two widths, then to A4 PDF, read back with pdftotext."""
import re
import shutil
import subprocess
from datetime import datetime

import pytest

from emergency.publishing.alerts import start_alert
from emergency.publishing.versions import publish_version
from models import County, Notice, db
from tests.e2e.conftest import SHOTS
from tests.e2e.test_layout import overflowing

pytestmark = pytest.mark.e2e

STOP = {level: ("stop", None, None, "no_g4") for level in ("yellow", "orange", "red")}
SELF = {level: ("limit", 10.0, None, "no_g4") for level in ("yellow", "orange", "red")}
CAPPED = {level: {"action": "heat_led", "cap_pct": 60.0, "transport": "none"} for level in ("yellow", "orange", "red")}
NUMBER = re.compile(r"晋市环应急〔2020〕\d+-\d{3}号")


@pytest.fixture
def batch(make_enterprise, make_line, make_user):
    """Five firms of 泽州县 (two lines each for the stopping ones) under a red alert, and a county user."""
    for n in range(3):
        firm = make_enterprise(name=f"泽州县第{n + 1}水泥有限公司", county_name="泽州县", grade="C")
        make_line(firm, name="1#熟料线", facilities="回转窑、篦冷机、窑头窑尾除尘器", measures=STOP)
        make_line(firm, name="2#熟料线", facilities="回转窑", measures=STOP)
    make_line(make_enterprise(name="泽州县A级水泥有限公司", county_name="泽州县", grade="A"), measures=SELF)
    make_line(make_enterprise(name="泽州县热电有限公司", county_name="泽州县", industry_code="heating",
                              category="GUARANTEED", grade=None, category_reason="保障民生"),
              name="1#供热锅炉", facilities="130t/h循环流化床锅炉", measures=CAPPED)
    city = make_user("city", username="print_city")
    make_user("county", username="print_county", county_name="泽州县")
    publish_version("2020年修订版", "", city)
    zezhou = db.session.query(County).filter_by(name="泽州县").one()
    alert = start_alert({"level": "red", "all_counties": False, "county_ids": [zezhou.id],
                         "started_at": datetime(2020, 12, 1), "note": ""}, city)
    db.session.commit()
    return alert.steps[0].dispatches[0]


def pdf_pages(path):
    """The text of each page of a PDF, by pdftotext."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return text.split("\f")[:-1]


def test_a_countys_batch_prints_one_notice_per_a4_page(batch, sign_in, live_server):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = sign_in("print_county")
    numbers = [n for (n,) in db.session.query(Notice.number).order_by(Notice.seq)]
    assert len(numbers) == 5
    url = f"{live_server}/dispatches/{batch.id}/notices"
    for width in (1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.goto(url).status == 200
        assert overflowing(page) == [], width
        assert page.locator("article.notice-page").count() == 5
        page.screenshot(path=str(SHOTS / f"30-notice-batch-{width}.png"), full_page=True)
    pdf = SHOTS / "30-notice-batch.pdf"
    page.pdf(path=str(pdf), format="A4")
    pages = pdf_pages(pdf)
    assert len(pages) == 5, [p[:80] for p in pages]
    for text, number in zip(pages, numbers):
        assert NUMBER.findall(text) == [number]
        assert "晋城市生态环境局（盖章）" in text and "企业签收" in text
    assert ["停限产通知单" in p for p in pages].count(True) == 3
    assert ["应急减排告知书" in p and "恢复正常生产" not in p for p in pages].count(True) == 2

    notice_id = db.session.query(Notice.id).filter_by(number=numbers[0]).scalar()
    for width in (1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.goto(f"{live_server}/notices/{notice_id}").status == 200
        assert overflowing(page) == [], width
        page.screenshot(path=str(SHOTS / f"31-notice-single-{width}.png"), full_page=True)
    single = SHOTS / "31-notice-single.pdf"
    page.pdf(path=str(single), format="A4")
    [text] = pdf_pages(single)
    # Nothing of the screen (buttons, navigation) is printed before the notice's own head.
    assert NUMBER.findall(text) == [numbers[0]] and text.lstrip().startswith("晋城市生态环境局")
