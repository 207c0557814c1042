"""The audit trail: requests, grades and attachments are logged; /audit filters and pages; the log is append-only."""
import io
import json
from datetime import timedelta

import pytest

from emergency.clock import local_today
from models import AuditLog, GradeHistory, GradeRequest, db
from tests.test_workflow import VALUES, advance

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def attachment_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))


def body(response):
    return response.get_data(as_text=True)


def logs(**filters):
    return db.session.query(AuditLog).filter_by(**filters).order_by(AuditLog.id).all()


def web_approval(parties, login):
    """Apply, pass and approve through the web, so each step has a real user."""
    client = login(parties["ent"])
    client.post("/requests/new", content_type="multipart/form-data",
                data={**VALUES, "submit": "1", "files": [(io.BytesIO(PDF), "报告.pdf")]})
    req = db.session.query(GradeRequest).one()
    login(parties["county"]).post(f"/requests/{req.id}/county-review", data={"decision": "county_pass"})
    login(parties["city"]).post(f"/requests/{req.id}/city-review",
                                data={"decision": "approve", "effective_date": local_today().isoformat()})
    return req


@pytest.mark.parametrize("party, status", [("admin", 200), ("city", 200), ("county", 403), ("ent", 403)])
def test_audit_page_access(parties, login, party, status):
    assert login(parties[party]).get("/audit").status_code == status


def test_anonymous_is_sent_to_login(client):
    assert client.get("/audit").headers["Location"].startswith("/login")


def test_every_step_of_a_request_is_logged_with_who_and_values(parties, login):
    req = web_approval(parties, login)
    states = [(json.loads(r.before or "{}").get("state"), json.loads(r.after).get("state"), r.username)
              for r in logs(entity_type="request", entity_id=req.id)]
    assert states == [(None, "draft", parties["ent"].username), ("draft", "submitted", parties["ent"].username),
                      ("submitted", "county_approved", parties["county"].username),
                      ("county_approved", "approved", parties["city"].username)]
    grade = logs(entity_type="enterprise", entity_id=parties["own"].id)[-1]
    assert (json.loads(grade.before), json.loads(grade.after)) == ({"grade_code": "C"}, {"grade_code": "B"})
    assert grade.username == parties["city"].username and grade.source == "web"
    history = logs(entity_type="grade")
    assert len(history) == 1 and history[0].enterprise_id == parties["own"].id
    attachment = logs(entity_type="attachment")
    assert len(attachment) == 1 and attachment[0].summary == "报告.pdf"
    assert attachment[0].enterprise_id == parties["own"].id


def test_audit_page_shows_readable_chinese_before_and_after(parties, login):
    web_approval(parties, login)
    page = body(login(parties["city"]).get("/audit?enterprise=城区甲水泥"))
    for text in ("调级申请", "等级变更", "申请附件", "绩效等级", "状态", "县级通过", "已批准", "申请等级", "网页"):
        assert text in page, text
    assert '<td class="before">C</td><td class="after">B</td>' in page
    assert "泽州乙水泥" not in page


def test_filters_by_user_type_and_date(parties, login):
    web_approval(parties, login)
    client = login(parties["admin"])
    page = body(client.get(f"/audit?user={parties['county'].username}"))
    assert "县级通过" in page and "报告.pdf" not in page
    page = body(client.get("/audit?type=attachment"))
    assert "报告.pdf" in page and "县级通过" not in page
    today = local_today()
    assert "报告.pdf" in body(client.get(f"/audit?date_from={today}&date_to={today}"))
    tomorrow = today + timedelta(days=1)
    assert "没有符合条件的记录" in body(client.get(f"/audit?date_from={tomorrow}"))
    page = body(client.get("/audit?date_from=2024-02-30"))
    assert "日期格式应为" in page and "报告.pdf" in page          # the bad date is reported and not applied
    assert "截止日期不能早于起始日期" in body(client.get(f"/audit?date_from={today}&date_to={today - timedelta(1)}"))


def test_audit_log_is_paginated(parties, login):
    db.session.add_all(AuditLog(username="seed", source="cli:test", entity_type="user", entity_id=i,
                                action="create", summary=f"用户{i:03d}", after="{}") for i in range(60))
    db.session.commit()
    client = login(parties["city"])
    first = body(client.get("/audit?user=seed"))
    assert "第 1 / 2 页，共 60 条" in first and "用户059" in first and "用户000" not in first
    second = body(client.get("/audit?user=seed&page=2"))
    assert "用户000" in second and "用户059" not in second


def test_the_log_cannot_be_changed_or_deleted(parties, login):
    advance(parties, "submitted")
    entry = logs(entity_type="request")[0]
    original = entry.summary
    entry.summary = "篡改"
    with pytest.raises(PermissionError, match="只能追加"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditLog, entry.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert original and db.session.get(AuditLog, entry.id).summary == original
    client = login(parties["admin"])
    assert client.post("/audit").status_code == 405
    for url in (f"/audit/{entry.id}", f"/audit/{entry.id}/edit", f"/audit/{entry.id}/delete"):
        assert client.post(url).status_code in (404, 405), url


def test_cli_changes_are_attributed(runner, parties):
    result = runner.invoke(args=["create-user", "clerk", "--role", "city", "--password", "Longpass-2020"])
    assert result.exit_code == 0
    created = logs(entity_type="user", summary="clerk")
    assert [(r.username, r.source) for r in created] == [("cli", "cli:create-user")]
    req = advance(parties, "county_approved")
    from emergency.grading import workflow

    later = local_today() + timedelta(days=2)
    workflow.city_decide(req, parties["city"], "approve", effective_date=later)
    db.session.commit()
    assert runner.invoke(args=["apply-due-grades", "--today", later.isoformat()]).exit_code == 0
    applied = logs(entity_type="enterprise", entity_id=parties["own"].id)[-1]
    assert (applied.username, applied.source, json.loads(applied.after)) == ("cli", "cli:apply-due-grades",
                                                                              {"grade_code": "B"})


def test_lazy_application_is_labelled(parties, login):
    req = advance(parties, "county_approved")
    from emergency.grading import workflow

    workflow.city_decide(req, parties["city"], "approve", effective_date=local_today() + timedelta(days=1))
    db.session.commit()
    db.session.query(GradeHistory).one().effective_date = local_today()
    db.session.commit()
    login(parties["county"]).get("/requests")
    applied = logs(entity_type="enterprise", entity_id=parties["own"].id)[-1]
    assert applied.source == "auto:apply-due-grades" and json.loads(applied.after) == {"grade_code": "B"}
    assert logs(source="auto:apply-due-grades") and not logs(entity_type="request", source="auto:apply-due-grades")
