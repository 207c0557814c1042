"""Request pages: the whole flow through HTTP, every party's access, attachments, downgrades and the nav badge."""
import io
import os
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from emergency.clock import local_today
from emergency.platform import storage
from models import Enterprise, GradeHistory, GradeRequest, RequestAttachment, db
from tests.test_workflow import VALUES, advance

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
MEASURES = {"yellow": ("limit", 50.0, None), "orange": ("stop", None, None), "red": ("stop", None, None)}


@pytest.fixture(autouse=True)
def attachment_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


def stored_files(directory):
    """The kept attachments: the folder's files, or the database's on the database backend (and then the
    folder stays empty)."""
    on_disk = sorted(os.listdir(directory)) if directory.exists() else []
    if storage.backend() == "database":
        assert on_disk == []
        return storage.names("attachments")
    return on_disk


def form(files=(), submit=True, **values):
    data = {**VALUES, **values, "files": [(io.BytesIO(content), name) for name, content in files]}
    data["submit" if submit else "save"] = "1"
    return data


def body(response):
    return response.get_data(as_text=True)


def fetch(client, url):
    """GET a file download and close it (the response streams an open file)."""
    with client.get(url) as response:
        return response.status_code, response.get_data(), response.headers


def test_enterprise_applies_county_passes_city_approves_and_the_export_changes(parties, login, make_line):
    make_line(parties["own"], measures=MEASURES)
    client = login(parties["city"])
    assert export_grades(client, "城区甲水泥") == {"C"}

    client = login(parties["ent"])
    page = client.get("/requests/new")
    choices = body(page)
    assert page.status_code == 200 and 'value="GRADED:B"' in choices and 'value="GUARANTEED:B"' in choices
    assert 'value="GRADED:LEADING"' not in choices and 'value="GUARANTEED:C"' not in choices
    response = client.post("/requests/new", data=form([("监测报告.pdf", PDF), ("现场照片.png", PNG)]),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    req = db.session.query(GradeRequest).one()
    assert req.state == "submitted" and len(req.attachments) == 2 and req.batch_label
    assert "第二批" in body(client.get(f"/requests/{req.id}")) or "第一批" in body(client.get(f"/requests/{req.id}"))

    client = login(parties["county"])
    assert '<span class="badge" title="待处理">1</span>' in body(client.get("/requests"))
    response = client.post(f"/requests/{req.id}/county-review",
                           data={"decision": "county_pass", "note": "材料齐全", "version": req.version})
    assert response.status_code == 302 and db.session.get(GradeRequest, req.id).state == "county_approved"

    client = login(parties["city"])
    assert fetch(client, f"/requests/{req.id}/attachments/{req.attachments[0].id}")[1] == PDF
    response = client.post(f"/requests/{req.id}/city-review",
                           data={"decision": "approve", "effective_date": local_today().isoformat(),
                                 "version": req.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(GradeRequest, req.id).state == "approved"
    assert export_grades(client, "城区甲水泥") == {"B"}
    page = body(client.get(f"/enterprises/{parties['own'].id}"))
    assert "等级变更记录" in page and f"第{req.id}号" in page and "已生效" in page

    client = login(parties["ent"])
    assert '<span class="badge" title="待处理">1</span>' in body(client.get("/requests"))
    assert "已批准" in body(client.get(f"/requests/{req.id}"))
    listing = body(client.get("/requests"))                             # seen: no longer counted as new
    assert f"第{req.id}号" in listing and 'title="待处理"' not in listing


def export_grades(client, name):
    response = client.get("/lists/yellow/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data))["清单"].iter_rows(values_only=True))
    headers = list(rows[1])
    return {r[headers.index("绩效等级")] for r in rows[2:] if r[headers.index("企业名称")] == name}


def test_future_approval_applies_on_the_first_request_after_its_date(parties, login):
    req = advance(parties, "county_approved")
    client = login(parties["city"])
    later = local_today() + timedelta(days=3)
    client.post(f"/requests/{req.id}/city-review", data={"decision": "approve", "effective_date": later.isoformat()})
    db.session.expire_all()
    assert db.session.get(Enterprise, parties["own"].id).grade_code == "C"
    entry = db.session.query(GradeHistory).one()
    assert entry.status == "pending"
    entry.effective_date = local_today()          # the day has come
    db.session.commit()
    assert client.get("/requests").status_code == 200
    db.session.expire_all()
    assert db.session.get(Enterprise, parties["own"].id).grade_code == "B"


def test_return_and_resubmit(parties, login):
    req = advance(parties, "submitted")
    client = login(parties["county"])
    response = client.post(f"/requests/{req.id}/county-review", data={"decision": "county_return", "note": ""})
    assert response.status_code == 200 and "退回修改时须填写意见" in body(response)
    assert db.session.get(GradeRequest, req.id).state == "submitted"
    client.post(f"/requests/{req.id}/county-review", data={"decision": "county_return", "note": "缺少监测报告"})
    client = login(parties["ent"])
    page = body(client.get(f"/requests/{req.id}/edit"))
    assert "缺少监测报告" in page and "重新提交" in page
    response = client.post(f"/requests/{req.id}/edit", data=form([("报告.jpg", JPG)], reason="补充了监测报告"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    req = db.session.get(GradeRequest, req.id)
    assert (req.state, req.reason, len(req.attachments)) == ("submitted", "补充了监测报告", 1)
    assert [e.action_label for e in req.events] == ["创建草稿", "提交", "退回修改", "重新提交"]


def test_draft_then_submit_and_withdraw(parties, login):
    client = login(parties["ent"])
    client.post("/requests/new", data=form(submit=False), content_type="multipart/form-data")
    req = db.session.query(GradeRequest).one()
    assert req.state == "draft" and req.batch_label == ""
    login(parties["county"])
    assert client.get(f"/requests/{req.id}").status_code == 404       # drafts are the enterprise's own
    login(parties["ent"])
    client.post(f"/requests/{req.id}/submit")
    assert db.session.get(GradeRequest, req.id).state == "submitted"
    client.post(f"/requests/{req.id}/withdraw", data={"version": req.version})
    db.session.expire_all()
    assert db.session.get(GradeRequest, req.id).state == "withdrawn"


@pytest.mark.parametrize("target, message", [
    ("GRADED:LEADING", "的分级方案不允许“引领性”"),
    ("GRADED:C", "企业现有等级已是“C”"),
    ("", "请选择申请的等级"),
])
def test_refused_applications_show_a_message_and_store_nothing(parties, login, attachment_dir, target, message):
    client = login(parties["ent"])
    response = client.post("/requests/new", data=form([("a.pdf", PDF)], target=target),
                           content_type="multipart/form-data")
    assert response.status_code == 200 and message in body(response)
    assert db.session.query(GradeRequest).count() == 0 and stored_files(attachment_dir) == []


def test_missing_fields_and_a_second_open_request(parties, login):
    client = login(parties["ent"])
    response = client.post("/requests/new", data=form(reason="", evidence=""), content_type="multipart/form-data")
    assert "请填写申请理由" in body(response) and "请说明所附证明材料" in body(response)
    first = advance(parties, "submitted")
    response = client.post("/requests/new", data=form(target="GRADED:A"), content_type="multipart/form-data")
    assert f"已有尚未办结的申请（第{first.id}号，已提交）" in body(response)
    assert db.session.query(GradeRequest).count() == 1


def test_violation_flag_refuses_b_and_guarantee(parties, login):
    parties["own"].violation_prev_year = True
    db.session.commit()
    client = login(parties["ent"])
    for target in ("GRADED:B", "GUARANTEED:A"):
        response = client.post("/requests/new", data=form(target=target), content_type="multipart/form-data")
        assert "上一年度存在违法违规行为" in body(response)
    assert db.session.query(GradeRequest).count() == 0


@pytest.mark.parametrize("name, content, message", [
    ("报告.pdf", b"MZ\x90\x00 not a pdf", "不是PDF、JPG或PNG文件"),
    ("照片.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "不是PDF、JPG或PNG文件"),
    ("照片.jpg", PNG, "扩展名与内容不符（内容为PNG）"),
    ("空.pdf", b"", "为空"),
    ("大.pdf", PDF + b"0" * 2048, "超过大小上限"),
])
def test_bad_attachments_are_refused_and_nothing_is_stored(app, parties, login, attachment_dir, monkeypatch,
                                                          name, content, message):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    client = login(parties["ent"])
    response = client.post("/requests/new", data=form([("ok.pdf", PDF), (name, content)]),
                           content_type="multipart/form-data")
    assert response.status_code == 200 and message in body(response)
    assert db.session.query(GradeRequest).count() == 0 and db.session.query(RequestAttachment).count() == 0
    assert stored_files(attachment_dir) == []


def test_attachment_names_are_random_and_display_names_sanitised(parties, login, attachment_dir):
    client = login(parties["ent"])
    client.post("/requests/new", data=form([("../../etc/ 监测:报告*\x07.pdf", PDF)]),
                content_type="multipart/form-data")
    item = db.session.query(RequestAttachment).one()
    assert item.display_name == "监测_报告_.pdf" and item.content_type == "application/pdf"
    assert stored_files(attachment_dir) == [item.stored_name] and len(item.stored_name) == 36
    # A firm's document is readable by the server's owner and group only, whatever the umask.
    if storage.backend() == "local":
        assert (attachment_dir / item.stored_name).stat().st_mode & 0o777 == 0o640
    status, data, headers = fetch(client, f"/requests/{item.request_id}/attachments/{item.id}")
    assert (status, data, headers["X-Content-Type-Options"]) == (200, PDF, "nosniff")
    assert "attachment" in headers["Content-Disposition"]


def test_a_failed_transaction_leaves_no_file(parties, attachment_dir):
    from emergency.grading import attachments, workflow

    upload, _ = attachments.check_file("a.pdf", io.BytesIO(PDF))
    workflow.save_request(parties["own"], VALUES, [upload], parties["ent"])
    assert len(stored_files(attachment_dir)) == 1
    db.session.rollback()
    assert stored_files(attachment_dir) == []


def test_deleting_an_attachment_removes_its_file_after_commit(parties, login, attachment_dir):
    client = login(parties["ent"])
    client.post("/requests/new", data=form([("a.pdf", PDF)], submit=False), content_type="multipart/form-data")
    item = db.session.query(RequestAttachment).one()
    client.post(f"/requests/{item.request_id}/attachments/{item.id}/delete")
    assert db.session.query(RequestAttachment).count() == 0 and stored_files(attachment_dir) == []


def test_another_enterprises_attachment_is_404(parties, login):
    client = login(parties["ent"])
    client.post("/requests/new", data=form([("a.pdf", PDF)]), content_type="multipart/form-data")
    item = db.session.query(RequestAttachment).one()
    url = f"/requests/{item.request_id}/attachments/{item.id}"
    assert fetch(client, url)[0] == 200
    other = advance(parties, "submitted", other=True)
    for party, expected in (("ent_other", 404), ("county_other", 404), ("county", 200), ("admin", 200)):
        assert fetch(login(parties[party]), url)[0] == expected, party
    # The attachment under another request's id is not found either.
    login(parties["ent_other"])
    assert fetch(client, f"/requests/{other.id}/attachments/{item.id}")[0] == 404


def test_who_sees_which_request(parties, login, client):
    req = advance(parties, "submitted")
    url = f"/requests/{req.id}"
    assert client.get(url).headers["Location"].startswith("/login")
    expected = {"ent": 200, "ent_other": 404, "county": 200, "county_other": 404, "city": 200, "admin": 200}
    for party, status in expected.items():
        assert login(parties[party]).get(url).status_code == status, party
    login(parties["county_other"])
    page = body(client.get("/requests?state="))
    assert "没有符合条件的申请。" in page and "城区甲水泥" not in page
    login(parties["ent_other"])
    page = body(client.get("/requests"))
    assert "没有符合条件的申请。" in page and "城区甲水泥" not in page


@pytest.mark.parametrize("party, path, data, status", [
    ("ent", "county-review", {"decision": "county_pass"}, 403),
    ("city", "county-review", {"decision": "county_pass"}, 403),
    ("county_other", "county-review", {"decision": "county_pass"}, 404),
    ("county", "city-review", {"decision": "approve", "effective_date": "2024-10-01"}, 403),
    ("ent", "city-review", {"decision": "approve", "effective_date": "2024-10-01"}, 403),
    ("ent_other", "withdraw", {}, 404),
    ("county", "withdraw", {}, 403),
    ("ent_other", "submit", {}, 404),
])
def test_refused_actions_change_nothing(parties, login, party, path, data, status):
    req = advance(parties, "submitted")
    assert login(parties[party]).post(f"/requests/{req.id}/{path}", data=data).status_code == status
    db.session.expire_all()
    assert db.session.get(GradeRequest, req.id).state == "submitted"


def test_a_double_decision_is_refused(parties, login):
    req = advance(parties, "county_approved")
    shown = req.version
    client = login(parties["city"])
    data = {"decision": "approve", "effective_date": local_today().isoformat(), "version": shown}
    client.post(f"/requests/{req.id}/city-review", data=data)
    login(parties["admin"])
    response = client.post(f"/requests/{req.id}/city-review", data={**data, "decision": "reject", "note": "不同意"},
                           follow_redirects=True)
    assert "“已批准”状态的申请不能驳回" in body(response)
    db.session.expire_all()
    assert db.session.get(GradeRequest, req.id).state == "approved"
    assert db.session.query(GradeHistory).count() == 1


def test_a_withdrawn_request_cannot_be_approved_through_the_web(parties, login):
    req = advance(parties, "county_approved")
    login(parties["ent"]).post(f"/requests/{req.id}/withdraw")
    assert db.session.get(GradeRequest, req.id).state == "withdrawn"
    response = login(parties["city"]).post(f"/requests/{req.id}/city-review", follow_redirects=True,
                                           data={"decision": "approve", "effective_date": "2024-10-01"})
    assert "“已撤回”状态的申请不能批准" in body(response)
    assert db.session.get(Enterprise, parties["own"].id).grade_code == "C"


def test_city_review_form_errors(parties, login):
    req = advance(parties, "county_approved")
    client = login(parties["city"])
    for data, message in (({"decision": "approve", "effective_date": "2024-13-45"}, "日期格式应为"),
                          ({"decision": "approve", "effective_date": ""}, "批准时须填写生效日期"),
                          ({"decision": "reject", "note": ""}, "驳回时须填写理由"),
                          ({}, "请选择审批结论")):
        response = client.post(f"/requests/{req.id}/city-review", data=data)
        assert response.status_code == 200 and message in body(response), data
    assert db.session.get(GradeRequest, req.id).state == "county_approved"


@pytest.mark.parametrize("party, status", [("city", 200), ("admin", 200), ("county", 403), ("ent", 403)])
def test_downgrade_page_access(parties, login, party, status):
    assert login(parties[party]).get(f"/enterprises/{parties['own'].id}/downgrade").status_code == status


def test_downgrade_through_the_web(parties, login):
    client = login(parties["city"])
    url = f"/enterprises/{parties['own'].id}/downgrade"
    assert "降级" in body(client.get(f"/enterprises/{parties['own'].id}"))
    choices = body(client.get(url))
    assert 'value="GRADED:D"' in choices and 'value="NON_COMPLIANT:"' in choices
    assert 'value="GRADED:B"' not in choices and 'value="GRADED:C"' not in choices
    today = local_today().isoformat()
    bad = client.post(url, data={"target": "GRADED:D", "reason_code": "other", "reason": "", "effective_date": today})
    assert "原因为“其他”时须填写具体说明" in body(bad)
    bad = client.post(url, data={"target": "GRADED:B", "reason_code": "falsified", "effective_date": today})
    assert "降级后的等级不能高于或等同于现有等级" in body(bad)
    assert db.session.query(GradeHistory).count() == 0
    response = client.post(url, data={"target": "GRADED:D", "reason_code": "spot_check", "reason": "9月抽查颗粒物超标",
                                      "effective_date": today})
    assert response.status_code == 302
    page = body(client.get(f"/enterprises/{parties['own'].id}"))
    assert "抽查不达标：9月抽查颗粒物超标" in page and "已生效" in page
    assert db.session.get(Enterprise, parties["own"].id).grade_code == "D"


def test_nav_links_per_role(parties, login):
    enterprise_nav = body(login(parties["ent"]).get(f"/enterprises/{parties['own'].id}"))
    assert "申请调级" in enterprise_nav and "我的申请" in enterprise_nav and "审计日志" not in enterprise_nav
    county_nav = body(login(parties["county"]).get("/requests"))
    assert "调级审核" in county_nav and "审计日志" not in county_nav
    assert "审计日志" in body(login(parties["city"]).get("/requests"))


def test_enterprise_only_pages_refuse_staff(parties, login):
    assert login(parties["city"]).get("/requests/new").status_code == 403
    assert login(parties["county"]).post("/requests/new", data=form()).status_code == 403
    assert db.session.query(GradeRequest).count() == 0


@pytest.mark.parametrize("name, expected", [
    ("C:\\fakepath\\监测报告.pdf", "监测报告.pdf"),
    ("../../../etc/passwd.pdf", "passwd.pdf"),
    ('a<b>"c|d?.png', "a_b__c_d_.png"),
    ("\u202egnp.pdf", "gnp.pdf"),             # a right-to-left override cannot disguise the extension
    ("...", "附件.pdf"),
    ("长" * 200 + ".pdf", "长" * 116 + ".pdf"),
])
def test_clean_display_name(name, expected):
    from emergency.grading.attachments import clean_display_name

    assert clean_display_name(name) == expected


@pytest.mark.parametrize("head, kind", [(PDF, "PDF"), (PNG, "PNG"), (JPG, "JPG"), (b"GIF89a", None),
                                        (b"%PD", None), (b"", None)])
def test_sniff(head, kind):
    from emergency.grading.attachments import sniff

    assert sniff(head) == kind


def test_deleting_an_enterprise_removes_its_requests_history_and_files(parties, login, attachment_dir):
    client = login(parties["ent"])
    client.post("/requests/new", data=form([("a.pdf", PDF)]), content_type="multipart/form-data")
    from emergency.grading.history import downgrade

    downgrade(parties["own"], "GRADED", "D", reason_code="falsified", reason="", effective_date=local_today(),
              user=parties["city"])
    db.session.commit()
    assert len(stored_files(attachment_dir)) == 1
    response = login(parties["city"]).post(f"/enterprises/{parties['own'].id}/delete")
    assert response.status_code == 302
    assert db.session.query(GradeRequest).count() == 0 and db.session.query(GradeHistory).count() == 0
    assert db.session.query(RequestAttachment).count() == 0 and stored_files(attachment_dir) == []


@pytest.mark.parametrize("name, data, mime", [("报告.pdf", PDF, "application/pdf"), ("现场.png", PNG, "image/png")])
def test_attachments_preview_inline_sandboxed(parties, login, attachment_dir, name, data, mime):
    client = login(parties["ent"])
    client.post("/requests/new", data=form([(name, data)]), content_type="multipart/form-data")
    item = db.session.query(RequestAttachment).one()
    url = f"/requests/{item.request_id}/attachments/{item.id}"
    assert f'href="{url}?inline=1"' in body(client.get(f"/requests/{item.request_id}"))
    status, got, headers = fetch(client, f"{url}?inline=1")
    assert (status, got, headers["Content-Type"]) == (200, data, mime)
    assert headers["Content-Disposition"].startswith("inline")
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp and "script-src" not in csp
    # County staff see it inline too; another firm gets nothing.
    assert fetch(login(parties["county"]), f"{url}?inline=1")[0] == 200
    assert fetch(login(parties["ent_other"]), f"{url}?inline=1")[0] == 404


def test_a_stored_file_whose_bytes_changed_is_never_served(parties, login, attachment_dir):
    client = login(parties["ent"])
    client.post("/requests/new", data=form([("报告.pdf", PDF)]), content_type="multipart/form-data")
    item = db.session.query(RequestAttachment).one()
    assert fetch(client, f"/requests/{item.request_id}/attachments/{item.id}?inline=1")[0] == 200
    (attachment_dir / item.stored_name).write_bytes(b"<html><script>alert(1)</script></html>")
    for query in ("?inline=1", ""):
        response = client.get(f"/requests/{item.request_id}/attachments/{item.id}{query}")
        body = response.get_data(as_text=True)
        assert response.status_code == 409 and "文件校验失败" in body and "<script>alert(1)" not in body


def test_a_stored_file_that_is_gone_is_a_chinese_404(parties, login, attachment_dir):
    client = login(parties["ent"])
    client.post("/requests/new", data=form([("报告.pdf", PDF)]), content_type="multipart/form-data")
    item = db.session.query(RequestAttachment).one()
    (attachment_dir / item.stored_name).unlink()
    response = client.get(f"/requests/{item.request_id}/attachments/{item.id}")
    assert response.status_code == 404 and "文件已不在存储中" in response.get_data(as_text=True)
    assert db.session.query(RequestAttachment).count() == 1      # the row is kept: the loss is reported, not hidden
