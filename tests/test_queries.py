"""No N+1 queries: each page's statement count does not grow with the enterprises or lines it shows."""
import pytest

from tests.querycount import count_queries


def _build(make_enterprise, make_line, start, stop, lines_each):
    created = []
    for i in range(start, stop):
        firm = make_enterprise(name=f"查询计数{i:03d}水泥有限公司", county_name="泽州县",
                               grade=["B", "C", "D", "A"][i % 4])
        for j in range(lines_each):
            make_line(firm, name=f"{j + 1}#线")
        created.append(firm)
    return created


def _count(client, path):
    client.get(path)  # warm caches (templates, reference look-ups) so both runs compare like with like
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


PAGES = ["/enterprises", "/enterprises?sort=grade&grade=grade:B", "/enterprises?q=查询计数",
         "/lists/red?county=泽州县", "/lists/check", "/"]


@pytest.mark.parametrize("path", PAGES)
def test_page_query_count_does_not_grow(path, make_enterprise, make_line, make_user, login):
    client = login(make_user("city"))
    _build(make_enterprise, make_line, 0, 2, 1)
    small = _count(client, path)
    _build(make_enterprise, make_line, 2, 30, 3)
    large = _count(client, path)
    assert large <= small, (path, small, large)


def test_enterprise_page_query_count_does_not_grow_with_lines(make_enterprise, make_line, make_user, login):
    client = login(make_user("city"))
    few = make_enterprise(name="少线企业")
    make_line(few)
    many = make_enterprise(name="多线企业")
    for j in range(12):
        make_line(many, name=f"{j + 1}#线")
    assert _count(client, f"/enterprises/{many.id}") <= _count(client, f"/enterprises/{few.id}")
