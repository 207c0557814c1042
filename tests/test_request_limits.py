"""The grade-request form states the attachment limits in force, not a vague 上限."""


def test_the_request_form_states_the_attachment_limits(make_enterprise, make_user, login, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
    firm = make_enterprise(name="附件上限企业", grade="C")
    page = login(make_user("enterprise", enterprise=firm)).get("/requests/new").get_data(as_text=True)
    assert "单个文件不超过5 MB" in page and "每个申请最多" in page and "不超过上限" not in page
