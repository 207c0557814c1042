"""The quality check's fix links: each opens the form that fixes the finding, marks the level or field at fault,
and saving goes back to the check at the finding's row."""
import re
from html import unescape

import pytest

from models import ProductionLine, db
from tests.conftest import DEFAULT_MEASURES as FULL
from tests.test_registry_web import _line_form


def fix_links(body):
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)">(?:修改生产线|修改企业信息|新增生产线)</a>', body)]


@pytest.fixture
def clerk(make_user, login):
    return login(make_user("city"))


def test_a_firm_without_lines_links_to_new_line(make_enterprise, clerk):
    firm = make_enterprise(name="空企业")
    body = clerk.get("/lists/check").get_data(as_text=True)
    [link] = fix_links(body)
    assert link.startswith(f"/enterprises/{firm.id}/lines/new?") and ">新增生产线</a>" in body
    form = clerk.get(link).get_data(as_text=True)
    assert "新增生产线" in form and "保存后将回到质量检查" in form
    response = clerk.post(link, data=_line_form())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lists/check?page=1#finding-{firm.id}-0-no_lines"
    assert db.session.query(ProductionLine).filter_by(enterprise_id=firm.id).count() == 1


def test_the_line_form_marks_the_level_at_fault_and_saving_returns(make_enterprise, make_line, clerk):
    firm = make_enterprise(name="缺措施企业", grade="B")
    line = make_line(firm, name="2#窑", measures={"yellow": FULL["yellow"], "orange": FULL["orange"]})
    [link] = fix_links(clerk.get("/lists/check").get_data(as_text=True))
    assert f"/enterprises/{firm.id}/lines/{line.id}/edit?" in link and "fault=red" in link
    form = clerk.get(link).get_data(as_text=True)
    assert re.search(r'class="measure-set[^"]* at-fault" id="level-red"', form)
    assert not re.search(r'class="measure-set[^"]* at-fault" id="level-(yellow|orange)"', form)
    assert "质量检查指出此级别有问题" in form
    data = _line_form(name="2#窑", version=str(line.version), **{"red-action": "stop", "red-text": "停产"})
    response = clerk.post(link, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lists/check?page=1#finding-{firm.id}-{line.id}-missing_measure"
    assert "没有发现问题" in clerk.get("/lists/check").get_data(as_text=True)


def test_an_enterprise_finding_marks_its_fields(make_enterprise, make_line, clerk):
    firm = make_enterprise(name="代码有误企业", credit_code="91140502MA0000000X")
    make_line(firm, measures=FULL)
    links = fix_links(clerk.get("/lists/check").get_data(as_text=True))
    link = next(link for link in links if "fault=credit_code" in link)
    form = clerk.get(link).get_data(as_text=True)
    assert re.search(r'class="field at-fault[^"]*">\s*<label for="credit_code"', form)
    assert not re.search(r'class="field at-fault[^"]*">\s*<label for="name"', form)


@pytest.mark.parametrize("target", ["//evil.example/lists/check", "https://evil.example/", "/enterprises",
                                    "/lists/check/../../admin", "\\\\evil.example", "javascript:alert(1)"])
def test_next_leads_only_back_to_the_check(make_enterprise, make_line, clerk, target):
    firm = make_enterprise(name="跳转企业", grade="B")
    line = make_line(firm, name="1#窑")
    url = f"/enterprises/{firm.id}/lines/{line.id}/edit"
    response = clerk.post(url, query_string={"next": target}, data=_line_form(name="1#窑", version=str(line.version)))
    assert response.status_code == 302 and response.headers["Location"] == f"/enterprises/{firm.id}"
    form = clerk.get(url, query_string={"next": target, "fault": "<script>"}).get_data(as_text=True)
    assert "保存后将回到质量检查" not in form and "<script>" not in form and "1#窑" in form
