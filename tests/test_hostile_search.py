"""Hostile search, filter and id values: SQL metacharacters, wildcards, NUL, huge numbers, odd dates and
url_for's own argument names never break a page, match literally, and leave the data as it was."""
import re

import pytest

from models import AuditLog, Enterprise, ProductionLine, db
from tests.test_workflow import advance

HUGE = "99999999999999999999999"
SQL = ["' OR 1=1 --", "\"; DROP TABLE enterprise; --", "1; DELETE FROM enterprise", "') OR ('1'='1", "%' --"]
NAMES = ["甲水泥", "乙_水泥", "丙%水泥", "丁\\水泥", "戊'水泥", "己\"水泥"]


def body(response):
    return response.get_data(as_text=True)


def listed(page):
    """Enterprise names linked from the registry list."""
    return set(re.findall(r'<a href="/enterprises/\d+">([^<]*)</a>', page))


def unescape(text):
    return text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")


@pytest.fixture
def firms(make_enterprise, make_line):
    made = [make_enterprise(name=name, county_name="城区" if i % 2 else "泽州县") for i, name in enumerate(NAMES)]
    make_line(made[0])
    return made


def search(client, **args):
    response = client.get("/enterprises", query_string=args)
    assert response.status_code == 200, args
    return {unescape(name) for name in listed(body(response))}


@pytest.mark.parametrize("q, expected", [
    ("%", {"丙%水泥"}), ("_", {"乙_水泥"}), ("\\", {"丁\\水泥"}), ("'", {"戊'水泥"}), ('"', {'己"水泥'}),
    ("％", {"丙%水泥"}),                      # full-width folds to the ASCII wildcard, still literal
    ("水泥", set(NAMES)), ("丙%", {"丙%水泥"}), ("%水", {"丙%水泥"}), ("_水", {"乙_水泥"}),
    ("😀", set()), ("ʼ OR 1=1", set()), ("\u202e水泥", set()),
] + [(text, set()) for text in SQL])
def test_search_text_matches_literally(firms, make_user, login, q, expected):
    client = login(make_user("city"))
    assert search(client, q=q) == expected


@pytest.mark.parametrize("name, value", [
    ("county", "' OR 1=1 --"), ("county", HUGE), ("county", "1.5"), ("county", "²"),
    ("industry", "' OR 1=1 --"), ("industry", HUGE), ("flag", "' OR 1=1 --"), ("flag", "%"),
    ("sort", "name; DROP TABLE enterprise"), ("sort", "__class__"), ("sort", "updated desc"),
    ("page", "-1"), ("page", "1e9"), ("page", HUGE), ("page", "' OR 1=1 --"), ("page", "０"),
])
def test_unknown_filter_values_are_ignored(firms, make_user, login, name, value):
    client = login(make_user("city"))
    assert search(client, **{name: value}) == set(NAMES)


@pytest.mark.parametrize("name, value", [
    ("grade", "grade:' OR 1=1 --"), ("grade", "category:%"), ("grade", "grade:" + HUGE), ("grade", "' OR 1=1 --"),
    ("grade", "grade:"), ("county", "-1"), ("county", "999999"), ("industry", "999999"),
])
def test_unknown_grades_and_ids_match_nothing(firms, make_user, login, name, value):
    client = login(make_user("city"))
    assert search(client, **{name: value}) == set()


def test_the_table_is_intact_after_hostile_searches(firms, make_user, login):
    client = login(make_user("city"))
    for text in SQL:
        for name in ("q", "county", "industry", "grade", "flag", "sort", "page"):
            assert client.get("/enterprises", query_string={name: text}).status_code == 200
    db.session.expire_all()
    assert sorted(e.name for e in db.session.query(Enterprise)) == sorted(NAMES)
    assert db.session.query(ProductionLine).count() == 1


def test_county_users_cannot_widen_their_scope_with_filters(firms, make_user, login):
    client = login(make_user("county", county_name="城区"))
    own = {name for i, name in enumerate(NAMES) if i % 2}
    for value in ("' OR 1=1 --", HUGE, ""):
        assert search(client, county=value) == own
    # Another county's id only narrows the user's own scope (to nothing).
    assert search(client, county=str(firms[0].county_id)) == set()
    assert search(client, q="%") == own & {"丙%水泥"}


@pytest.mark.parametrize("value, status", [
    ("泽州县", 200), ("' OR 1=1 --", 404), ("1 OR 1=1", 404), (HUGE, 404), ("-1", 404), ("²", 404), ("%", 404),
    ("城区%", 404), ("\u0660", 404),
])
def test_list_and_check_county_values(firms, make_user, login, value, status):
    client = login(make_user("city"))
    for url in ("/lists/red", "/lists/check", "/registry/export.xlsx", "/lists/yellow/export.xlsx"):
        assert client.get(url, query_string={"county": value}).status_code == status, url
    assert client.get("/lists/red", query_string={"page": HUGE}).status_code == 200


def test_audit_filters(firms, make_user, login):
    client = login(make_user("city"))
    total = db.session.query(AuditLog).count()
    assert total >= len(NAMES)

    def entries(**args):
        response = client.get("/audit", query_string=args)
        assert response.status_code == 200, args
        page = body(response)
        shown = re.search(r"共 (\d+) 条", page)
        return int(shown.group(1)) if shown else None, page

    assert entries(enterprise="%")[0] == 1                    # only 丙%水泥's creation
    assert entries(enterprise="_")[0] == 1
    for text in SQL + [HUGE, "٣", "9" * 9]:
        assert entries(enterprise=text)[0] == 0, text
        assert entries(user=text)[0] == 0, text
    assert entries(type="' OR 1=1 --")[0] == 0
    assert entries(enterprise=str(firms[0].id))[0] >= 1
    for args, message in (({"date_from": "2020-13-45"}, "日期格式应为"), ({"date_to": "9999-12-31"}, "1900年至2999年"),
                          ({"date_from": "0001-01-01"}, "1900年至2999年"), ({"date_from": "' OR 1=1 --"}, "日期格式应为")):
        count, page = entries(**args)
        assert message in page and count == total, args
    assert db.session.query(AuditLog).count() == total


def test_request_filters(parties, login):  # noqa: F811
    advance(parties, "submitted")
    client = login(parties["city"])

    def shown(**args):
        response = client.get("/requests", query_string={"state": "", **args})
        assert response.status_code == 200, args
        return "城区甲水泥" in body(response)

    assert shown() and shown(q="甲") and shown(q="ＣＱ") is False
    for text in ["%", "_", "\\"] + SQL:
        assert not shown(q=text), text
    # Unknown states, counties and pages are ignored.
    for args in ({"state": "' OR 1=1 --"}, {"county": HUGE}, {"county": "' OR 1=1 --"}, {"page": HUGE},
                 {"page": "-5"}):
        assert shown(**args), args


@pytest.mark.parametrize("url", [
    "/enterprises?q=%00", "/enterprises?county=%00", "/enterprises?sort=%00", "/enterprises?grade=grade:%00",
    "/lists/red?county=%00", "/lists/check?county=%00", "/audit?enterprise=%00", "/audit?user=%00",
    "/requests?q=%00", "/versions/compare?old=%00&new=1", "/enterprises?q%00=1",
])
def test_nul_in_a_query_is_refused_not_an_error(firms, make_user, login, url):
    response = login(make_user("city")).get(url)
    assert response.status_code == 400 and "请求无效" in body(response)


def test_nul_in_a_form_is_refused_and_nothing_is_written(firms, make_user, login, client):
    firm = firms[0]
    response = client.post("/login", data={"username": "admin\x00", "password": "x"})
    assert response.status_code == 400
    client = login(make_user("city"))
    before = db.session.query(AuditLog).count()
    data = {"name": "新\x00名", "credit_code": firm.credit_code, "county_id": firm.county_id,
            "industry_id": firm.industry_id, "category_code": "GRADED", "grade_code": "B", "version": firm.version}
    assert client.post(f"/enterprises/{firm.id}/edit", data=data).status_code == 400
    assert client.post("/versions/new", data={"name": "版本\x00"}).status_code == 400
    db.session.expire_all()
    assert firm.name == NAMES[0] and db.session.query(AuditLog).count() == before


@pytest.mark.parametrize("path", [
    "/enterprises/{huge}", "/enterprises/{huge}/edit", "/enterprises/{firm}/lines/{huge}/edit",
    "/lists/red/orders/{huge}", "/requests/{huge}", "/requests/{huge}/attachments/{huge}", "/alerts/{huge}",
    "/dispatches/{huge}/download", "/versions/{huge}", "/versions/{huge}/red/export.xlsx",
    "/admin/users/{huge}/password", "/jobs/{huge}", "/enterprises/-1", "/enterprises/1.5", "/enterprises/%00",
])
def test_ids_out_of_range_are_404(firms, make_user, login, path):
    client = login(make_user("admin"))
    assert client.get(path.format(huge=HUGE, firm=firms[0].id)).status_code == 404


def test_huge_ids_in_forms_are_refused_with_a_message(firms, make_user, login):
    firm = firms[0]
    client = login(make_user("city"))
    base = {"name": firm.name, "credit_code": firm.credit_code, "county_id": firm.county_id,
            "industry_id": firm.industry_id, "category_code": "GRADED", "grade_code": "B", "version": firm.version}
    for field, message in (("county_id", "请选择所属县（市、区）"), ("industry_id", "请选择行业类别")):
        response = client.post(f"/enterprises/{firm.id}/edit", data={**base, field: HUGE})
        assert response.status_code == 200 and message in body(response)
    response = client.post("/alerts/new", data={"level": "red", "scope": "some", "county_ids": [HUGE],
                                                "started_at": "2020-12-01T08:00"})
    assert response.status_code == 200
    for started, message in (("0001-01-01T00:00", "1900年至2999年"), ("9999-12-31T23:59", "1900年至2999年")):
        response = client.post("/alerts/new", data={"level": "red", "scope": "all", "started_at": started})
        assert response.status_code == 200 and message in body(response)
    db.session.expire_all()
    assert firm.version == base["version"]


@pytest.mark.parametrize("version", ["abc", "1e3", " ", HUGE, "-1", "٣"])
def test_a_tampered_version_field_is_a_conflict(firms, make_user, login, version):
    firm = firms[0]
    client = login(make_user("city"))
    data = {"name": "改名", "credit_code": firm.credit_code, "county_id": firm.county_id,
            "industry_id": firm.industry_id, "category_code": "GRADED", "grade_code": "B", "version": version}
    response = client.post(f"/enterprises/{firm.id}/edit", data=data)
    assert response.status_code == 409 and "该记录已被他人修改" in body(response)
    db.session.expire_all()
    assert firm.name == NAMES[0]


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "nan", "Infinity"])
def test_non_finite_numbers_are_refused(firms, make_user, login, value):
    firm = firms[0]
    line = firm.lines[0]
    client = login(make_user("city"))
    data = {"name": line.name, "operating_days": "300", "version": line.version, "so2_t_yr": value,
            "capacity": value, **{f"{level}-action": "stop" for level in ("yellow", "orange", "red")}}
    response = client.post(f"/enterprises/{firm.id}/lines/{line.id}/edit", data=data)
    assert response.status_code == 200 and "未保存任何内容" in body(response)
    assert "请填写有效的数字" in body(response) or "不能为负数" in body(response)
    db.session.expire_all()
    assert line.so2_t_yr == 30.0 and line.capacity == 2500


@pytest.mark.parametrize("query", [
    {"endpoint": "evil"}, {"_external": "1"}, {"_scheme": "javascript"}, {"_anchor": "x"}, {"_method": "POST"},
])
def test_url_for_argument_names_in_the_query_do_not_break_paging(make_enterprise, make_line, make_user, login, app,
                                                                  monkeypatch, query):
    made = [make_enterprise(name=f"企业{i:02d}") for i in range(51)]
    make_line(made[0])
    make_line(made[1])
    monkeypatch.setitem(app.config, "ENTERPRISES_PER_PAGE", 1)
    client = login(make_user("city"))
    for url in ("/enterprises", "/audit", "/lists/red"):
        response = client.get(url, query_string=query)
        assert response.status_code == 200, url
        links = re.findall(r'<a href="([^"]*)">下一页</a>', body(response))
        assert links and links[0].startswith(url + "?") and "evil" not in links[0] and "javascript" not in links[0], url


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "https://evil.example", "/%09/evil.example", "javascript:alert(1)",
    "\\\\evil.example", "/%5Cevil.example", "http:/evil.example",
])
def test_login_never_redirects_off_site(make_user, client, target):
    user = make_user("city")
    response = client.post("/login", query_string={"next": target},
                           data={"username": user.username, "password": "Test-pass-2020"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
