"""Hostile text on every page: markup, quotes and template syntax render escaped, long words still wrap."""
import io
import re
from pathlib import Path

import pytest
from markupsafe import escape

from models import ListVersion, db
from tests.import_support import registry_rows, xlsx
from tests.test_workflow import advance

SCRIPT = "<script>alert(1)</script>"
MARK = SCRIPT + "\"'{{7*7}}"
CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "app.css"
# Words without a break opportunity, as long as each column allows.
LONG_NAME, LONG_LINE, LONG_TEXT = "W" * 190, "L" * 120, "M" * 190
# What the clinker C floors ask (停产, trucks banned), so the hostile firm's orders are issued, not withheld.
TEXTS = {level: ("stop", None, None, "no_g4") for level in ("yellow", "orange", "red")}


def body(response):
    return response.get_data(as_text=True)


def assert_escaped(page, text=MARK, where=""):
    """The raw markup is absent and the escaped text (quotes and braces as typed) is present."""
    assert SCRIPT not in page, where
    assert str(escape(text)) in page, where
    assert "{{7*7}}" in page, where


@pytest.fixture
def hostile(parties, make_line, login):  # noqa: F811
    """The 城区 firm renamed and its line (without emissions: a warning) and measures filled with markup, plus a
    line without measures (a quality error) at the 泽州县 firm."""
    firm = parties["own"]
    firm.name = "甲" + MARK + "水泥"
    # No emissions: a warning, so the check page names the firm and line, while their orders are still issued.
    line = make_line(firm, name="线" + MARK, facilities="设施" + MARK, measures=TEXTS, so2_t_yr=0.0, nox_t_yr=0.0,
                     pm_t_yr=0.0)
    for measure in line.measures:
        measure.text, measure.indicators = "措施" + MARK, "指标" + MARK
    make_line(parties["other"], name="空线" + MARK, measures={})
    db.session.commit()
    return {"firm": firm, "line": line, **parties}


def publish(client, name):
    # The 泽州县 firm's line without measures is an error: published over it, with a reason in markup.
    response = client.post("/versions/new", data={"name": name, "note": "说明" + MARK, "override_reason": "强制" + MARK})
    assert response.status_code == 302, body(response)
    return db.session.query(ListVersion).filter_by(name=name).one()


def test_registry_and_list_pages_escape_markup(hostile, login):
    firm, line = hostile["firm"], hostile["line"]
    client = login(hostile["city"])
    pages = ["/enterprises?q=甲", f"/enterprises/{firm.id}", f"/enterprises/{firm.id}/edit",
             f"/enterprises/{firm.id}/lines/{line.id}/edit", "/lists/red", "/lists/yellow", "/lists/check",
             f"/lists/red/orders/{firm.id}", f"/enterprises/{firm.id}/downgrade", f"/enterprises/{firm.id}/delete"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(body(response), firm.name, url)
    for url in (f"/enterprises/{firm.id}", "/lists/red", "/lists/check",
                f"/enterprises/{firm.id}/lines/{line.id}/edit"):
        assert_escaped(body(client.get(url)), line.name, url)
    for url in (f"/enterprises/{firm.id}", "/lists/red", f"/lists/red/orders/{firm.id}"):
        assert_escaped(body(client.get(url)), "措施" + MARK, url)
    assert_escaped(body(client.get(f"/enterprises/{firm.id}")), "设施" + MARK)
    assert_escaped(body(client.get("/lists/check")), "空线" + MARK)
    own = login(hostile["ent"])
    for url in ("/obligations", f"/lists/red/orders/{firm.id}", "/obligations/order/red"):
        page = body(own.get(url))
        assert_escaped(page, firm.name, url)
        assert_escaped(page, "措施" + MARK, url)


def test_saving_markup_through_the_forms_keeps_it_as_typed(hostile, login):
    firm = hostile["firm"]
    client = login(hostile["city"])
    name = "乙" + MARK
    data = {"name": name, "credit_code": firm.credit_code, "county_id": firm.county_id,
            "industry_id": firm.industry_id, "category_code": "GRADED", "grade_code": "C", "version": firm.version,
            "address": MARK}
    response = client.post(f"/enterprises/{firm.id}/edit", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert_escaped(body(response), name)
    db.session.expire_all()
    assert firm.name == name and firm.address == MARK
    # The edit is in the audit log, readable and escaped.
    assert_escaped(body(client.get("/audit?enterprise=乙")), name)


def test_requests_versions_alerts_and_audit_escape_markup(hostile, login):
    firm = hostile["firm"]
    req = advance(hostile, "county_approved", values={"target": "GRADED:B", "reason": "理由" + MARK,
                                                       "evidence": "材料" + MARK})
    city = login(hostile["city"])
    for url in ("/requests?state=", f"/requests/{req.id}"):
        assert_escaped(body(city.get(url)), firm.name, url)
    assert_escaped(body(city.get(f"/requests/{req.id}")), "理由" + MARK)
    assert_escaped(body(city.get(f"/requests/{req.id}")), "材料" + MARK)

    old = publish(city, "旧版" + MARK)
    hostile["line"].measures[0].text = "新措施" + MARK
    db.session.commit()
    new = publish(city, "新版" + MARK)
    pages = ["/versions", f"/versions/{new.id}", f"/versions/compare?old={old.id}&new={new.id}"]
    for url in pages:
        assert_escaped(body(city.get(url)), new.name, url)
    compare = body(city.get(f"/versions/compare?old={old.id}&new={new.id}"))
    assert_escaped(compare, "新措施" + MARK)
    assert_escaped(compare, firm.name)

    assert_escaped(body(city.get(f"/versions/{new.id}")), "强制" + MARK)
    response = city.post("/alerts/new", data={"level": "orange", "scope": "all", "started_at": "2020-12-01T08:00",
                                               "note": "文号" + MARK, "override_reason": "下发" + MARK})
    assert response.status_code == 302, body(response)
    alert_url = response.headers["Location"]
    for url in ("/alerts", alert_url, "/"):
        assert_escaped(body(city.get(url)), new.name, url)
    assert_escaped(body(city.get(alert_url)), "文号" + MARK)
    assert_escaped(body(city.get(alert_url)), "下发" + MARK)
    audit = body(city.get("/audit"))
    for text in (firm.name, "理由" + MARK, "新措施" + MARK, new.name):
        assert_escaped(audit, text)
    # The client is shared: from here on it is the county user's.
    assert_escaped(body(login(hostile["county"]).get(alert_url)), new.name)


def test_import_file_names_and_cell_values_are_escaped(app, hostile, login, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))
    client = login(hostile["city"])
    # A slash would be taken as a folder and a double quote ends the multipart file name, so this name
    # carries its markup in an <img> tag.
    markup = "<img src=x onerror=alert(1)>'{{7*7}}"
    row = {"name": "丙" + MARK, "credit_code": hostile["own"].credit_code, "county": "城区" + MARK,
           "industry_name": "水泥（熟料）", "grade": "C"}
    data = xlsx(("企业名录", registry_rows([row])))
    page = body(client.post("/import", data={"file": (io.BytesIO(data), markup + ".xlsx")},
                            content_type="multipart/form-data"))
    assert "<img src=x" not in page and str(escape(markup)) in page
    assert_escaped(page, "城区" + MARK)
    assert "确认导入" not in page

    row["county"], row["name"] = "城区", hostile["own"].name
    data = xlsx(("企业名录", registry_rows([dict(row, town="镇" + MARK)])))
    page = body(client.post("/import", data={"file": (io.BytesIO(data), markup + ".xlsx")},
                            content_type="multipart/form-data"))
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    digest = re.search(r'name="sha256" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/import/commit", data={"token": token, "sha256": digest}).status_code == 302
    for url in ("/import/history", "/audit"):
        page = body(client.get(url))
        assert "<img src=x" not in page and str(escape(markup)) in page, url


def test_long_words_render_and_the_css_wraps_them(make_enterprise, make_line, make_user, login):
    """The browser test (tests/e2e/test_layout.py) measures the layout; here, the pages and the rules exist."""
    css = CSS.read_text(encoding="utf-8")
    assert re.search(r"table\.grid th, table\.grid td \{[^}]*overflow-wrap: anywhere", css)
    assert re.search(r"\.card \{[^}]*overflow-wrap: anywhere", css)
    # Headings outside a card (the obligations page, the import preview) and the audit log's nested values.
    assert re.search(r"h1, h2 \{[^}]*overflow-wrap: anywhere", css)
    assert re.search(r"table\.audit table\.changes td \{[^}]*white-space: normal", css)
    firm = make_enterprise(name=LONG_NAME, address="A" * 200, county_name="城区")
    line = make_line(firm, name=LONG_LINE, facilities="F" * 300)
    for measure in line.measures:
        measure.text, measure.indicators = LONG_TEXT, "I" * 300
    db.session.commit()
    client = login(make_user("city"))
    for url in ("/enterprises", f"/enterprises/{firm.id}", "/lists/red", f"/lists/red/orders/{firm.id}",
                f"/enterprises/{firm.id}/lines/{line.id}/edit", "/audit"):
        response = client.get(url)
        assert response.status_code == 200 and LONG_NAME in body(response), url
    page = body(client.get("/lists/red"))
    assert LONG_LINE in page and LONG_TEXT in page
    own = login(make_user("enterprise", enterprise=firm))
    assert LONG_NAME in body(own.get("/obligations"))
