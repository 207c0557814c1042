"""The level lists find things: search, filters kept in the URL and across pages, page sizes, pinyin order."""
import re

import pytest
from sqlalchemy import insert, select

from models import Enterprise, db
from models.enterprise import pinyin_key
from tests.conftest import new_credit_code


@pytest.fixture
def firms(make_enterprise, make_line):
    """国投 (B, clinker) and 大唐 (A, clinker) in 城区; 晋城焦化 (C, coking) with a line in error in 泽州县."""
    guotou = make_enterprise(name="国投晋城水泥有限公司", grade="B")
    make_line(guotou)
    datang = make_enterprise(name="大唐阳城水泥有限公司", grade="A")
    make_line(datang)
    coke = make_enterprise(name="晋城焦化有限公司", county_name="泽州县", industry_code="coking", grade="C")
    make_line(coke, name="1#焦炉", measures={})
    return {"guotou": guotou, "datang": datang, "coke": coke}


def names_in_order(body):
    return re.findall(r"<strong>([^<]+有限公司)</strong>", body)


def test_pinyin_key_puts_datang_before_guotou():
    assert pinyin_key("大唐阳城") < pinyin_key("国投晋城")
    assert pinyin_key("大唐") == "da tang" and pinyin_key("ABC化工") == "abc hua gong"


def test_sort_key_follows_renames_and_core_inserts(firms):
    firm = firms["guotou"]
    firm.name = "阿拉善水泥"
    db.session.commit()
    assert db.session.scalar(select(Enterprise.name_sort).where(Enterprise.id == firm.id)) == "a la shan shui ni"
    # The import inserts enterprises with Core statements: the column default fills the key from the name.
    row = {"name": "中煤化工", "credit_code": new_credit_code(), "county_id": firm.county_id,
           "industry_id": firm.industry_id, "category_code": "GRADED", "grade_code": "B", "version": 1}
    db.session.execute(insert(Enterprise.__table__), [row])
    assert db.session.scalar(select(Enterprise.name_sort).where(Enterprise.name == "中煤化工")) == "zhong mei hua gong"


def test_list_and_registry_sort_by_pinyin(firms, make_user, login):
    client = login(make_user("city"))
    body = client.get("/lists/red?county=城区").get_data(as_text=True)
    assert names_in_order(body) == ["大唐阳城水泥有限公司", "国投晋城水泥有限公司"]
    body = client.get("/enterprises").get_data(as_text=True)
    assert body.index("大唐阳城水泥有限公司") < body.index("国投晋城水泥有限公司") < body.index("晋城焦化有限公司")


def test_search_by_name_or_credit_code(firms, make_user, login):
    client = login(make_user("city"))
    assert names_in_order(client.get("/lists/red?q=阳城").get_data(as_text=True)) == ["大唐阳城水泥有限公司"]
    code = firms["coke"].credit_code
    body = client.get(f"/lists/red?q={code.lower()}").get_data(as_text=True)
    assert names_in_order(body) == ["晋城焦化有限公司"] and "符合条件的 1 家企业" in body
    body = client.get("/lists/red?q=没有这家").get_data(as_text=True)
    assert names_in_order(body) == [] and "没有符合条件的企业" in body


def test_filters_by_grade_industry_measure_and_status(firms, make_user, login, industry):
    client = login(make_user("city"))
    assert names_in_order(client.get("/lists/red?grade=grade:A").get_data(as_text=True)) == ["大唐阳城水泥有限公司"]
    coking = industry("coking").id
    assert names_in_order(client.get(f"/lists/red?industry={coking}").get_data(as_text=True)) == ["晋城焦化有限公司"]
    # The effective measure: the A firm's entered 停产 becomes 自主减排 on the list.
    assert names_in_order(client.get("/lists/red?measure=self").get_data(as_text=True)) == ["大唐阳城水泥有限公司"]
    assert names_in_order(client.get("/lists/red?measure=stop").get_data(as_text=True)) == ["国投晋城水泥有限公司"]
    body = client.get("/lists/red?status=error").get_data(as_text=True)
    assert names_in_order(body) == ["晋城焦化有限公司"] and "只列出符合条件的生产线" in body
    assert names_in_order(client.get("/lists/red?status=imposed").get_data(as_text=True)) == ["大唐阳城水泥有限公司"]
    both = client.get(f"/lists/red?status=error&industry={coking}&grade=grade:B").get_data(as_text=True)
    assert names_in_order(both) == []


def test_page_size_and_paging_keep_the_filters(firms, make_user, login, make_enterprise, make_line):
    for n in range(3):
        make_line(make_enterprise(name=f"测试{n}号水泥有限公司"))
    client = login(make_user("city"))
    body = client.get("/lists/red?q=水泥&per_page=50").get_data(as_text=True)
    assert len(names_in_order(body)) == 5 and "下一页" not in body
    assert 'value="50" selected' in body or '<option selected value="50">' in body
    app_page = client.get("/lists/red?q=水泥&grade=grade:B&per_page=100").get_data(as_text=True)
    assert "测试0号水泥有限公司" in app_page and "大唐" not in app_page


def test_paging_links_carry_the_filters(firms, make_user, login, make_enterprise, make_line, app, monkeypatch):
    monkeypatch.setitem(app.config, "ENTERPRISES_PER_PAGE", 1)
    client = login(make_user("city"))
    body = client.get("/lists/red?q=水泥&grade=grade:B&status=ok").get_data(as_text=True)
    assert names_in_order(body) == ["国投晋城水泥有限公司"]
    for n in range(2):
        make_line(make_enterprise(name=f"测试{n}号水泥有限公司"))
    body = client.get("/lists/red?q=水泥&grade=grade:B").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">下一页', body).group(1).replace("&amp;", "&")
    assert "q=" in link and "grade=grade" in link and "page=2" in link
    assert len(names_in_order(client.get(link).get_data(as_text=True))) == 1


@pytest.mark.parametrize("query", ["per_page=7", "per_page=abc", "status=bogus", "measure=bogus", "industry=abc",
                                   "grade=grade:ZZ", "q=" + "%25" * 300, "industry=99999999999999999999",
                                   "page=-3&per_page=200"])
def test_bad_filter_values_are_ignored(firms, make_user, login, query):
    client = login(make_user("city"))
    response = client.get("/lists/red?" + query)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "清单明细" in body and "Traceback" not in body


def test_county_user_filters_within_their_county_and_sees_no_zip(firms, make_user, login):
    client = login(make_user("county", county_name="城区"))
    body = client.get("/lists/red?q=焦化").get_data(as_text=True)
    assert names_in_order(body) == [] and "分县导出" not in body and "一键导出" in body
    assert names_in_order(client.get("/lists/red").get_data(as_text=True)) == [
        "大唐阳城水泥有限公司", "国投晋城水泥有限公司"]


def registry_names(body):
    """Enterprise names in the registry table, in order."""
    return [name for name in re.findall(r">([^<>]+有限公司)</a>", body)]


def test_registry_filters_by_measure_type_and_status(firms, make_user, login):
    client = login(make_user("city"))
    assert registry_names(client.get("/enterprises").get_data(as_text=True)) == [
        "大唐阳城水泥有限公司", "国投晋城水泥有限公司", "晋城焦化有限公司"]
    # Judged as on the level lists, at any level: the A firm's 停产 is 自主减排 there, and imposed.
    assert registry_names(client.get("/enterprises?measure=self").get_data(as_text=True)) == ["大唐阳城水泥有限公司"]
    assert registry_names(client.get("/enterprises?status=error").get_data(as_text=True)) == ["晋城焦化有限公司"]
    assert registry_names(client.get("/enterprises?status=imposed").get_data(as_text=True)) == ["大唐阳城水泥有限公司"]
    both = client.get("/enterprises?status=error&grade=grade:B").get_data(as_text=True)
    assert registry_names(both) == [] and 'name="status"' in both


def test_registry_measure_and_status_filters_keep_to_the_county(firms, make_user, login):
    client = login(make_user("county", county_name="城区"))
    assert registry_names(client.get("/enterprises?status=error").get_data(as_text=True)) == []
    assert registry_names(client.get("/enterprises?measure=self").get_data(as_text=True)) == ["大唐阳城水泥有限公司"]


@pytest.mark.parametrize("query", ["measure=nonsense", "status=ok", "status=%E6%97%A0", "measure=" + "x" * 500])
def test_registry_ignores_unknown_measure_and_status_values(firms, make_user, login, query):
    response = login(make_user("city")).get(f"/enterprises?{query}")
    assert response.status_code == 200
    assert len(registry_names(response.get_data(as_text=True))) == 3
