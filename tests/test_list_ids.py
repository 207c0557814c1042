"""The list page keeps its scope's ordered enterprise ids per registry generation: a committed edit changes the
list at once, the ids are not read again until one does, and the page's statements do not grow with the city."""
import re

from emergency.lists.page import ListFilters, build_list_page
from models import Enterprise, db
from tests.querycount import count_queries

# The read that sorts the whole scope's firms: what the page must not repeat on every request.
SORTED_READ = re.compile(r"SELECT enterprise\.id\s+FROM enterprise JOIN county", re.S)


def shown_order(body, names):
    """``names`` in the order in which they first appear on the page (absent names left out)."""
    return sorted((n for n in names if n in body), key=body.index)


def test_a_committed_edit_changes_the_whole_city_list(make_user, login, make_enterprise, make_line):
    for name in ("北方水泥", "东方水泥", "南方水泥"):
        make_line(make_enterprise(name=name))
    client = login(make_user("city"))
    names = ["安阳水泥", "北方水泥", "东方水泥", "南方水泥", "西方水泥"]
    first = client.get("/lists/red").get_data(as_text=True)
    assert shown_order(first, names) == ["北方水泥", "东方水泥", "南方水泥"] and "共 3 家企业" in first

    make_line(make_enterprise(name="西方水泥"))                                   # a new firm
    added = client.get("/lists/red").get_data(as_text=True)
    assert shown_order(added, names) == ["北方水泥", "东方水泥", "南方水泥", "西方水泥"] and "共 4 家企业" in added

    renamed = db.session.query(Enterprise).filter_by(name="南方水泥").one()      # nan → an: first in pinyin order
    renamed.name = "安阳水泥"
    db.session.commit()
    body = client.get("/lists/red").get_data(as_text=True)
    assert shown_order(body, names) == ["安阳水泥", "北方水泥", "东方水泥", "西方水泥"]
    assert "安阳水泥" in body and "南方水泥" not in body

    db.session.delete(db.session.query(Enterprise).filter_by(name="东方水泥").one())
    db.session.commit()
    gone = client.get("/lists/red").get_data(as_text=True)
    assert shown_order(gone, names) == ["安阳水泥", "北方水泥", "西方水泥"] and "共 3 家企业" in gone


def test_the_ids_are_read_once_per_generation(make_enterprise, make_line):
    make_line(make_enterprise(name="北方水泥"))
    with count_queries() as cold:
        first = build_list_page("red")
    with count_queries() as warm:
        again = build_list_page("red")
    assert any(SORTED_READ.search(s) for s in cold) and not any(SORTED_READ.search(s) for s in warm)
    assert again.total == first.total == 1 and again.groups[0][1][0].first.enterprise_name == "北方水泥"
    with count_queries() as searched:
        found = build_list_page("red", filters=ListFilters(q="南方"))
    assert found.total == 0 and any(SORTED_READ.search(s) for s in searched)   # a search reads its own ids


def _page_statements(client):
    """(statements of the first request after an edit, of a later one, the later page's body)."""
    with count_queries() as cold:
        client.get("/lists/red")
    with count_queries() as warm:
        body = client.get("/lists/red").get_data(as_text=True)
    assert any(SORTED_READ.search(s) for s in cold) and not any(SORTED_READ.search(s) for s in warm)
    return len(cold), len(warm), body


def test_the_page_sends_as_many_statements_at_both_sizes(make_user, login, make_enterprise, make_line):
    make_line(make_enterprise(name="北方水泥"))
    client = login(make_user("city"))
    client.get("/lists/red")            # the rule inputs: read once, until the reference data change
    make_line(make_enterprise(name="东方水泥"))               # both measurements follow the addition of firms
    small = _page_statements(client)
    assert "共 2 家企业" in small[2]
    for i in range(60):                                      # more than a page of 50
        make_line(make_enterprise(name=f"规模企业{i:02d}"))
    large = _page_statements(client)
    assert "共 62 家企业" in large[2] and "第 1 / 2 页" in large[2]
    assert large[:2] == small[:2] and small[1] < small[0]
