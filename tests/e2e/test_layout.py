"""Long words without spaces wrap: no page grows wider than the window (Playwright driving Debian's chromium)."""
from datetime import datetime

import pytest

from emergency.audit.trail import acting_as
from emergency.grading import workflow
from emergency.publishing.alerts import start_alert
from emergency.publishing.versions import publish_version
from models import ImportBatch, db
from tests.baseline_support import make_season
from tests.e2e.layout_checks import overflowing
from tests.import_support import registry_rows, xlsx

pytestmark = pytest.mark.e2e

LONG_NAME, LONG_LINE, LONG_TEXT = "W" * 190, "L" * 120, "M" * 190
LONG_FILE = "F" * 150 + ".xlsx"


@pytest.fixture
def long_words(make_enterprise, make_line, make_user):
    """An enterprise, line, measures, versions, request, alert, import and audit entry full of long words."""
    firm = make_enterprise(name=LONG_NAME, address="A" * 200, county_name="泽州县", grade="C",
                           permit_number="P" * 40, transport_mode="T" * 100)
    line = make_line(firm, name=LONG_LINE, facilities="F" * 300, main_products="G" * 200,
                     treatment_facilities="H" * 300)
    for measure in line.measures:
        measure.text, measure.indicators = LONG_TEXT, "I" * 300
    make_line(firm, name="N" * 110, measures={})
    db.session.commit()
    users = {"city": make_user("city", username="layout_city"),
             "enterprise": make_user("enterprise", username="layout_firm", enterprise=firm)}
    # The firm's lines are in error (C measures below the floor, a line without measures): long override reasons.
    first = publish_version("U" * 100, "", users["city"], override_reason="O" * 300)
    line.measures[0].text = "X" * 190
    db.session.commit()
    version = publish_version("V" * 100, "N" * 300, users["city"], override_reason="P" * 300)
    request = workflow.save_request(firm, {"target": "GRADED:B", "reason": "R" * 2000, "evidence": "E" * 190},
                                    [], users["enterprise"], submit=True)
    alert = start_alert({"level": "red", "all_counties": True, "county_ids": [], "note": "D" * 200,
                         "started_at": datetime(2020, 12, 1), "override_reason": "Q" * 300}, users["city"])
    db.session.add(ImportBatch(username="layout_city", source="web", filename=LONG_FILE, size=1, sha256="0" * 64,
                               rows=1, status="no_changes"))
    # An audit entry whose source names a long file (the 来源 column).
    with acting_as("layout_city", "import:" + LONG_FILE):
        firm.town = "T" * 60
        db.session.commit()
    season = make_season("S" * 40, note="N" * 300)
    db.session.commit()
    return {"firm": firm, "line": line, "version": version, "first": first, "request": request, "alert": alert,
            "season": season}


def test_long_words_wrap_on_every_page(long_words, sign_in, live_server, shot):
    firm, line, version = long_words["firm"], long_words["line"], long_words["version"]
    page = sign_in("layout_city")
    urls = ["/enterprises", f"/enterprises/{firm.id}", f"/enterprises/{firm.id}/edit",
            f"/enterprises/{firm.id}/lines/{line.id}/edit", f"/enterprises/{firm.id}/downgrade", "/lists/red",
            f"/lists/red/orders/{firm.id}", "/lists/check", "/versions", f"/versions/{version.id}",
            f"/versions/compare?old={long_words['first'].id}&new={version.id}", "/audit", "/import/history",
            "/requests?state=", f"/requests/{long_words['request'].id}", "/alerts",
            f"/alerts/{long_words['alert'].id}", "/", "/versions/new", "/alerts/new", "/baseline/",
            f"/baseline/seasons/{long_words['season'].id}", f"/baseline/seasons/{long_words['season'].id}/edit",
            f"/baseline/seasons/{long_words['season'].id}/reductions/red", "/baseline/import", "/notices/settings"]
    # The firm's batch of notices, where it is listed as withheld with its long line names.
    urls += [f"/dispatches/{d.id}/notices" for d in long_words["alert"].steps[0].dispatches if d.county_id == firm.county_id]
    for url in urls:
        assert page.goto(live_server + url).status == 200, url
        assert overflowing(page) == [], url
    page.goto(f"{live_server}/versions/{version.id}")
    assert "P" * 300 in page.content()
    page.goto(f"{live_server}/alerts/{long_words['alert'].id}")
    assert "Q" * 300 in page.content()
    page.goto(f"{live_server}/lists/red")
    assert LONG_NAME in page.content() and LONG_TEXT in page.content()
    shot("20-long-words-red-list")
    page.goto(f"{live_server}/audit")
    shot("21-long-words-audit")
    page.goto(f"{live_server}/import")
    data = xlsx(("企业名录", registry_rows([{"name": LONG_NAME, "credit_code": firm.credit_code,
                                            "county": "Z" * 150, "industry_name": "水泥（熟料）", "grade": "C"}])))
    page.set_input_files("#file", files=[{"name": LONG_FILE, "mimeType": "application/octet-stream",
                                          "buffer": data}])
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("text=导入预览")
    assert overflowing(page) == [], "import preview"

    page.context.clear_cookies()
    page = sign_in("layout_firm")
    for url in ("/obligations", "/obligations/order/red"):
        assert page.goto(live_server + url).status == 200, url
        assert LONG_NAME in page.content() and overflowing(page) == [], url
