"""One obligation everywhere: the enterprise page, the firm's obligations page and its order show the measure the
list takes (e.g. 自主减排 for an A firm), next to the entered one where they differ, with the rule's reason."""
import re

import pytest


@pytest.fixture
def a_firm(make_enterprise, make_line, make_user):
    firm = make_enterprise(name="甲级示范水泥有限公司", grade="A")
    make_line(firm, name="1#窑")   # entered: trucks at yellow, 限产20% at orange, 停产 at red
    return {"firm": firm, "city": make_user("city"), "own": make_user("enterprise", enterprise=firm)}


def _cells(body):
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_enterprise_page_shows_the_effective_measure_beside_the_entered_one(a_firm, login):
    body = _cells(login(a_firm["city"]).get(f"/enterprises/{a_firm['firm'].id}").get_data(as_text=True))
    assert "填报：限产20%；禁止国四及以下重型载货车辆（含燃气）运输 → 执行：自主减排" in body
    assert "填报：停产；禁止国四及以下重型载货车辆（含燃气）运输 → 执行：自主减排" in body
    assert "依据：A级、引领性企业自主采取减排措施" in body


def test_obligations_and_order_say_the_same(a_firm, login):
    client = login(a_firm["own"])
    page = _cells(client.get("/obligations").get_data(as_text=True))
    assert "自主减排" in page and "填报：停产" in page
    order = _cells(client.get(f"/lists/red/orders/{a_firm['firm'].id}").get_data(as_text=True))
    assert "自主减排" in order and "A级、引领性企业自主采取减排措施" in order
