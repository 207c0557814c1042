"""The grade-request form offers only allowed targets and states the attachment limits in force, not a vague
上限."""
import re

from emergency.grading import workflow
from emergency.grading.history import load_target, parse_target


def test_the_request_form_states_the_attachment_limits(make_enterprise, make_user, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
    firm = make_enterprise(name="附件上限企业", grade="C")
    page = login(make_user("enterprise", enterprise=firm)).get("/requests/new").get_data(as_text=True)
    assert "单个文件不超过5 MB" in page and "每个申请最多" in page and "不超过上限" not in page


def _targets(page):
    select = page[page.index('name="target"'):page.index("</select>", page.index('name="target"'))]
    return set(re.findall(r'<option value="([^"]+)"', select))


def test_only_allowed_targets_are_offered(make_enterprise, make_user, login):
    clean = make_enterprise(name="守法企业", grade="C")
    barred = make_enterprise(name="上年违法企业", grade="C", violation_prev_year=True)
    offered = _targets(login(make_user("enterprise", enterprise=clean)).get("/requests/new").get_data(as_text=True))
    assert "GRADED:A" in offered and "GRADED:C" not in offered     # its own grade is never offered
    limited = _targets(login(make_user("enterprise", enterprise=barred)).get("/requests/new").get_data(as_text=True))
    assert "GRADED:A" not in limited and "GRADED:B" not in limited and "GRADED:D" in limited
    # What is offered is what the rules accept: each offered target passes the check.
    assert all(not workflow.check_request(barred, *load(value)) for value in limited)


def load(value):
    return load_target(*parse_target(value))
