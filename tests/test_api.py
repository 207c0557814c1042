"""The read-only JSON API: the workbook's rows and totals, scope by token, pagination, JSON refusals, query count."""
import io
import json

import pytest
from openpyxl import load_workbook

from emergency.accounts import api_tokens
from emergency.lists.exports import export_list
from emergency.lists.orders import WITHHELD_CELL
from emergency.spreadsheets.writer import LIST_HEADERS, SUMMARY_HEADERS
from models import LEVELS, POLLUTANTS, County, db
from tests.querycount import count_queries

# A clinker B line's measures that meet the floors (trucks banned at every level).
FULL = {"yellow": ("none", None, None, "no_g4"), "orange": ("limit", 20.0, None, "no_g4"),
        "red": ("stop", None, None, "no_g4")}
CLOSE = dict(rel=1e-12, abs=1e-12)   # the workbook stores 16 significant digits


def bearer(plain):
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def token():
    """``token(county_name=None)``: a new token's plain text, scoped to that county or to the city."""
    def make(county_name=None, name="省级平台"):
        county = db.session.query(County).filter_by(name=county_name).one() if county_name else None
        issued = api_tokens.create_token(name, county.id if county else None)
        db.session.commit()
        return issued.plain
    return make


def get_json(client, url, plain, status=200):
    response = client.get(url, headers=bearer(plain))
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert response.mimetype == "application/json" and response.headers["Cache-Control"] == "no-store"
    return json.loads(body)


def refused(client, url, plain, status, code):
    """The JSON refusal of ``url``: its status, code and Chinese message."""
    error = get_json(client, url, plain, status)["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error
    return error["message"]


def all_rows(client, url, plain):
    """Every row of a list, following the ``next`` links; also the first page (for its totals)."""
    first = page = get_json(client, url, plain)
    rows = list(page["rows"])
    while page["pagination"]["next"]:
        page = get_json(client, page["pagination"]["next"], plain)
        assert page["totals"] == first["totals"] and page["registry_generation"] == first["registry_generation"]
        rows += page["rows"]
    return first, rows


@pytest.fixture
def registry(make_enterprise, make_line):
    """Two counties: a clinker B firm with a weak line (an error), an A firm (imposed 自主减排), a firm not graded
    (imposed stop), a 保障类 heating firm and a 民生 firm."""
    b = make_enterprise(name="城区水泥B", grade="B")
    make_line(b, name="1#窑", measures=FULL)
    make_line(b, name="2#窑", measures={**FULL, "red": ("limit", 50.0, None, "no_g4")}, so2_t_yr=12.0)
    make_line(make_enterprise(name="城区水泥A", grade="A"), measures=FULL)
    ng = make_enterprise(name="泽州不纳入", county_name="泽州县", category="NON_COMPLIANT", grade=None,
                         category_reason="不能稳定达标排放")
    make_line(ng, name="1#", measures={})
    make_line(ng, name="2#", measures={}, can_stop_quickly=False, nox_t_yr=90.0)
    make_line(make_enterprise(name="泽州供热", county_name="泽州县", industry_code="heating", category="GUARANTEED",
                              grade=None, category_reason="保障民生"),
              measures={k: {"action": "heat_led", "cap_pct": 80.0} for k in LEVELS}, vocs_t_yr=6.0)
    make_line(make_enterprise(name="泽州民生", county_name="泽州县", industry_code="life_service",
                              category="LIVELIHOOD", grade=None), measures={})
    return {"b": b, "ng": ng}


def read_sheet(data, sheet, first_header):
    """The rows of ``sheet`` as dicts, under the row whose first cell is ``first_header``."""
    values = list(load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(values) if row[0] == first_header)
    headers = list(values[start])
    return headers, [dict(zip(headers, row)) for row in values[start + 1:]]


def workbook_rows(rows):
    """API rows as the workbook's 清单 prints them (序号 aside)."""
    return [(r["county"]["name"], r["enterprise"]["name"], r["enterprise"]["credit_code"], r["enterprise"]["industry"],
             r["enterprise"]["grade_label"], r["line"]["name"], r["line"]["facilities"] or None,
             None if r["withheld"] else r["effective"]["label"], r["list_text"],
             *(r["reductions_t_per_day"][p] for p in POLLUTANTS)) for r in rows]


def summary_line(totals):
    """API totals as a 汇总 row (the county column aside)."""
    values = [totals[key] for key in ("enterprises", "lines", "stop_lines", "limit_lines", "self_lines",
                                      "problem_lines")]
    for p in POLLUTANTS:
        check = totals["pollutants"][p]
        values += [check["industrial_t_per_day"], check["non_industrial_t_per_day"], check["reduction_t_per_day"],
                   check["baseline_t_per_day"], check["share"], check["target_ratio"], check["status"],
                   check["shortfall_t_per_day"]]
    return values


def assert_same_as_workbook(client, plain, level, county=None):
    buffer = io.BytesIO()
    export_list(buffer, level, county)
    data = buffer.getvalue()
    url = f"/api/v1/lists/{level}?per_page=7" + (f"&county={county.code}" if county else "")
    first, rows = all_rows(client, url, plain)
    headers, sheet = read_sheet(data, "清单", "序号")
    assert headers == list(LIST_HEADERS)
    expected = [tuple(row[h] for h in LIST_HEADERS[1:]) for row in sheet]
    got = workbook_rows(rows)
    assert len(got) == len(expected) == first["totals"]["scope"]["lines"] > 0
    for mine, theirs in zip(got, expected):
        assert mine[:9] == theirs[:9]
        assert list(mine[9:]) == pytest.approx(list(theirs[9:]), **CLOSE)
    headers, summary = read_sheet(data, "汇总", "县（市、区）")
    assert headers == list(SUMMARY_HEADERS)
    api_totals = first["totals"]["counties"] + [first["totals"]["scope"]]
    assert [s["县（市、区）"] for s in summary[:-1]] == [t["name"] for t in first["totals"]["counties"]]
    for line, totals in zip(summary, api_totals, strict=True):
        values = [line[h] for h in SUMMARY_HEADERS[1:]]
        mine = summary_line(totals)
        assert [v for v in mine if isinstance(v, str)] == [v for v in values if isinstance(v, str)], line
        assert [v for v in mine if not isinstance(v, str)] == pytest.approx(
            [v for v in values if not isinstance(v, str)], **CLOSE), line


@pytest.mark.parametrize("level", LEVELS)
def test_the_api_returns_the_workbooks_rows_and_totals(level, client, token, county):
    from seed.demo import load_demo

    load_demo(n=60)
    db.session.commit()
    plain = token()
    assert_same_as_workbook(client, plain, level)
    assert_same_as_workbook(client, plain, level, county("泽州县"))


def test_a_row_carries_the_entered_and_effective_measure_rule_status_and_reductions(client, token, registry):
    plain = token()
    page = get_json(client, "/api/v1/lists/red?county=城区", plain)
    rows = {(r["enterprise"]["name"], r["line"]["name"]): r for r in page["rows"]}
    assert list(rows) == [("城区水泥A", "1#生产线"), ("城区水泥B", "1#窑"), ("城区水泥B", "2#窑")]
    kiln = rows[("城区水泥B", "1#窑")]
    assert kiln["county"] == {"id": registry["b"].county_id, "code": "140502", "name": "城区"}
    assert kiln["enterprise"]["credit_code"] == registry["b"].credit_code and kiln["enterprise"]["grade_label"] == "B"
    assert kiln["effective"] == kiln["entered"] == {
        "type": "stop", "type_label": "停产", "label": "停产", "full_label": "停产；禁止国四及以下重型载货车辆（含燃气）运输",
        "parameter": None, "transport": {"code": "no_g4", "label": "禁止国四及以下重型载货车辆（含燃气）运输"},
        "text": "red措施", "indicators": "用电量"}
    assert (kiln["rule"]["code"], kiln["status"], kiln["withheld"], kiln["problems"]) == (
        "entered_measure", "ok", False, [])
    assert kiln["reductions_t_per_day"] == pytest.approx({"so2": 0.1, "nox": 0.2, "pm": 0.05, "vocs": 0.0})
    assert kiln["list_text"] == "停产；禁止国四及以下重型载货车辆（含燃气）运输。red措施（核查指标：用电量）"
    # 限产50% where the floor says 停产: an error, withheld, counting nothing; the entered 限产 is still told.
    weak = rows[("城区水泥B", "2#窑")]
    assert weak["entered"]["parameter"] == {"name": "limit_pct", "label": "比例（%）", "value": 50.0}
    assert (weak["status"], weak["withheld"], weak["list_text"], weak["counted_fraction"]) == (
        "error", True, WITHHELD_CELL, 0.0)
    assert weak["cut_fraction"] == 0.5 and weak["reductions_t_per_day"]["so2"] == 0.0
    assert [p["code"] for p in weak["problems"]] == ["below_floor"] and "低于行业措施底线" in weak["problems"][0]["message"]
    # An A firm entered 停产: the rule imposes 自主减排 and keeps the entry as its commitment.
    a = rows[("城区水泥A", "1#生产线")]
    assert (a["entered"]["type"], a["effective"]["type"], a["imposed"], a["rule"]["code"]) == (
        "stop", "self", True, "self_managed_grade")
    assert a["status"] == "warning" and [p["code"] for p in a["problems"]] == ["imposed"]
    assert page["totals"]["scope"]["problem_lines"] == 1 and page["totals"]["scope"]["lines"] == 3


def test_the_enterprise_shows_its_lines_at_the_three_levels(client, token, registry):
    plain = token()
    code = registry["ng"].credit_code
    record = get_json(client, f"/api/v1/enterprises/{code.lower()}", plain)   # typed as clerks type it
    enterprise = record["enterprise"]
    assert (enterprise["name"], enterprise["credit_code"], enterprise["county"]["name"]) == ("泽州不纳入", code, "泽州县")
    assert enterprise["category"] == {"code": "NON_COMPLIANT", "label": "不纳入绩效分级"}
    assert enterprise["grade"] is None and enterprise["category_reason"] == "不能稳定达标排放"
    assert [line["name"] for line in record["lines"]] == ["1#", "2#"]
    hot = record["lines"][1]
    assert hot["can_stop_quickly"] is False and hot["annual_t_per_year"]["nox"] == 90.0
    assert set(hot["levels"]) == set(LEVELS)
    red = hot["levels"]["red"]
    # Nothing entered: the rule imposes the lowest grade's measure, kept hot, with road transport stopped.
    assert red["entered"] is None and red["effective"]["type"] == "hot_standby"
    assert red["effective"]["transport"]["code"] == "no_road" and red["rule"]["code"] == "non_compliant"
    assert red["reductions_t_per_day"]["nox"] == pytest.approx(90.0 / 300 * 0.8)
    listed = get_json(client, "/api/v1/lists/red?county=泽州县", plain)["rows"]
    same = next(r for r in listed if r["line"]["id"] == hot["id"])
    assert {k: v for k, v in same.items() if k not in ("county", "enterprise", "line")} == red


def test_a_county_token_reads_its_county_only(client, token, registry):
    own, city = token("城区", "城区系统"), token()
    page = get_json(client, "/api/v1/lists/orange", own)
    assert page["scope"]["county"]["name"] == "城区"
    assert {r["county"]["name"] for r in page["rows"]} == {"城区"}
    assert [t["name"] for t in page["totals"]["counties"]] == ["城区"]
    for reference in ("城区", "140502", str(registry["b"].county_id)):
        assert get_json(client, f"/api/v1/lists/orange?county={reference}", own)["scope"]["county"]["code"] == "140502"
    # Another county is refused (403: county names are public), its enterprises do not exist (404).
    message = refused(client, "/api/v1/lists/orange?county=泽州县", own, 403, "county_forbidden")
    assert "城区" in message
    other = registry["ng"].credit_code
    assert refused(client, f"/api/v1/enterprises/{other}", own, 404, "enterprise_not_found") == \
        refused(client, "/api/v1/enterprises/91140502MA00000099", own, 404, "enterprise_not_found")
    assert get_json(client, f"/api/v1/enterprises/{registry['b'].credit_code}", own)["enterprise"]["name"] == "城区水泥B"
    # The city's token reads any county and the whole city.
    assert get_json(client, f"/api/v1/enterprises/{other}", city)["enterprise"]["name"] == "泽州不纳入"
    assert {r["county"]["name"] for r in get_json(client, "/api/v1/lists/orange", city)["rows"]} == {"城区", "泽州县"}
    assert get_json(client, "/api/v1/lists/orange?county=泽州县", city)["scope"]["name"] == "泽州县"


def test_pages_hold_whole_enterprises_and_link_to_each_other(client, token, make_enterprise, make_line):
    for i in range(5):
        firm = make_enterprise(name=f"分页{i}水泥", county_name="高平市", grade="B")
        for j in range(i % 3 + 1):
            make_line(firm, name=f"{j + 1}#线", measures=FULL)
    plain = token()
    whole = get_json(client, "/api/v1/lists/red?per_page=200", plain)
    assert whole["pagination"] == {"page": 1, "per_page": 200, "pages": 1, "enterprises": 5, "enterprises_on_page": 5,
                                   "prev": None, "next": None}
    first = get_json(client, "/api/v1/lists/red?county=高平市&per_page=2", plain)
    assert first["pagination"]["next"] == "/api/v1/lists/red?county=%E9%AB%98%E5%B9%B3%E5%B8%82&per_page=2&page=2"
    assert (first["pagination"]["pages"], first["pagination"]["prev"]) == (3, None)
    _, rows = all_rows(client, "/api/v1/lists/red?county=高平市&per_page=2", plain)
    assert [r["line"]["id"] for r in rows] == [r["line"]["id"] for r in whole["rows"]] and len(rows) == 9
    last = get_json(client, "/api/v1/lists/red?per_page=2&page=3", plain)
    assert last["pagination"]["enterprises_on_page"] == 1 and last["pagination"]["next"] is None
    assert last["pagination"]["prev"] == "/api/v1/lists/red?per_page=2&page=2"
    refused(client, "/api/v1/lists/red?per_page=2&page=4", plain, 404, "page_not_found")
    for bad in ("page=0", "page=abc", "page=-1", "per_page=201", "per_page=0", "per_page=1e3", "page=１"):
        refused(client, f"/api/v1/lists/red?{bad}", plain, 400, "bad_parameter")


def test_an_empty_scope_is_one_empty_page(client, token):
    page = get_json(client, "/api/v1/lists/yellow?county=陵川县", token())
    assert page["rows"] == [] and page["pagination"]["pages"] == 1 and page["totals"]["scope"]["lines"] == 0
    assert page["scope"]["county"]["name"] == "陵川县"


@pytest.mark.parametrize("url, status, code", [
    ("/api/v1/lists/purple", 404, "not_found"),
    ("/api/v1/lists/红色", 404, "not_found"),
    ("/api/v1/nothing", 404, "not_found"),
    ("/api/v1/lists/red?county=不存在县", 404, "county_not_found"),
    ("/api/v1/lists/red?county=999999", 404, "county_not_found"),
    ("/api/v1/enterprises/NOTACODE", 404, "enterprise_not_found"),
    ("/api/v1/enterprises/" + "9" * 5000, 404, "enterprise_not_found"),
    ("/api/v1/enterprises/%27%20OR%201%3D1--", 404, "enterprise_not_found"),
    ("/api/v1/lists/red?county=%00", 400, "bad_request"),
])
def test_bad_levels_counties_and_codes_are_json_refusals(url, status, code, client, token, registry):
    refused(client, url, token(), status, code)


def test_nothing_under_api_is_html(client, token):
    plain = token()
    response = client.post("/api/v1/lists/red", headers=bearer(plain))
    assert response.status_code == 405 and response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    assert '"code":"method_not_allowed"' in text and "<html" not in text and "<!doctype" not in text
    page = client.get("/api/v1/nothing")
    assert page.status_code == 404 and page.get_json()["error"]["message"] == "接口或记录不存在"
    # The same missing page outside /api is still the HTML page.
    assert "<html" in client.get("/nothing").get_data(as_text=True)


def _count(client, url, plain):
    client.get(url, headers=bearer(plain)).get_data()   # warm: the totals' figures, the last-used time
    with count_queries() as statements:
        response = client.get(url, headers=bearer(plain))
        body = response.get_json()
    assert response.status_code == 200
    return len(statements), body


def test_a_page_costs_the_same_statements_whatever_its_size(client, token, make_enterprise, make_line):
    plain = token()
    for i in range(40):
        firm = make_enterprise(name=f"计数{i:02d}水泥", county_name="泽州县", grade=["B", "C", "A"][i % 3])
        for j in range(2):
            make_line(firm, name=f"{j + 1}#线")
    small, page = _count(client, "/api/v1/lists/red?per_page=2", plain)
    assert len(page["rows"]) == 4
    large, page = _count(client, "/api/v1/lists/red?per_page=40", plain)
    assert len(page["rows"]) == 80
    assert large <= small, (small, large)
    code = db.session.execute(db.text("SELECT credit_code FROM enterprise LIMIT 1")).scalar()
    one, _ = _count(client, f"/api/v1/enterprises/{code}", plain)
    assert one < 25
