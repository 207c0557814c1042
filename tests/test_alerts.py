"""Alert activation: dispatch once per county, files that never change, receipts, level changes, access."""
import hashlib
import io
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from emergency.errors import DomainError
from emergency.publishing.alerts import change_level, local_to_utc, start_alert
from emergency.publishing.versions import publish_version
from models import Alert, AlertStep, AuditLog, County, Dispatch, DispatchFile, LineMeasure, db
from tests.html import has_inline_script
from tests.official import workbook_markers

# Measures that meet the clinker B floors (trucks banned at every level, 限产20% at orange, 停产 at red).
FULL = {"yellow": ("other", None, 0.1, "no_g4"), "orange": ("limit", 20.0, None, "no_g4"),
        "red": ("stop", None, None, "no_g4")}


@pytest.fixture
def world(make_enterprise, make_line, make_user):
    """An enterprise in 城区 and one in 泽州县, a published version, and users of each kind."""
    city = make_enterprise(name="城区甲水泥", county_name="城区")
    make_line(city, name="1#窑", measures=FULL)
    zezhou = make_enterprise(name="泽州乙水泥", county_name="泽州县")
    make_line(zezhou, name="1#窑", measures=FULL)
    users = {"city": make_user("city"), "admin": make_user("admin"),
             "county_cq": make_user("county", county_name="城区"),
             "county_zz": make_user("county", county_name="泽州县"),
             "enterprise": make_user("enterprise", enterprise=city)}
    version = publish_version("2020年修订版", "", users["city"])
    db.session.commit()
    return {"city": city, "zezhou": zezhou, "users": users, "version": version}


def county_id(name):
    return db.session.query(County).filter_by(name=name).one().id


def start(client, level="orange", counties=None, started="2020-12-01T08:00", note="晋环发〔2020〕1号", override=""):
    data = {"level": level, "scope": "some" if counties else "all", "started_at": started, "note": note,
            "override_reason": override}
    if counties:
        data["county_ids"] = [str(county_id(name)) for name in counties]
    return client.post("/alerts/new", data=data)


def dispatch_of(alert, county_name, seq=1):
    step = next(s for s in alert.steps if s.seq == seq)
    return next(d for d in step.dispatches if d.county.name == county_name)


def names_in(data):
    ws = load_workbook(io.BytesIO(data))["清单"]
    return {row[2] for row in ws.iter_rows(min_row=3, values_only=True)}


def test_recording_an_alert_dispatches_each_county_once(world, login):
    client = login(world["users"]["city"])
    response = start(client, counties=["城区", "泽州县"])
    assert response.status_code == 302
    alert = db.session.query(Alert).one()
    assert (alert.level, alert.all_counties, alert.note) == ("orange", False, "晋环发〔2020〕1号")
    assert alert.started_at == local_to_utc(datetime(2020, 12, 1, 8, 0)) == datetime(2020, 12, 1, 0, 0)
    [step] = alert.steps
    assert step.version_id == world["version"].id and step.level == "orange"
    assert sorted(d.county.name for d in step.dispatches) == ["城区", "泽州县"]
    for dispatch in step.dispatches:
        assert dispatch.sha256 == hashlib.sha256(dispatch.file.content).hexdigest() == dispatch.file.sha256
        assert dispatch.size == len(dispatch.file.content) and dispatch.received_at is None
    assert names_in(dispatch_of(alert, "泽州县").file.content) == {"泽州乙水泥"}
    assert dispatch_of(alert, "泽州县").filename == "泽州县_橙色预警减排清单（2020年修订版）.xlsx"
    logged = {row.entity_type for row in db.session.query(AuditLog)}
    assert {"alert", "alert_step", "dispatch"} <= logged


def test_all_counties_means_every_county(world, login):
    start(login(world["users"]["admin"]), level="yellow")
    alert = db.session.query(Alert).one()
    assert alert.all_counties and len(alert.steps[0].dispatches) == db.session.query(County).count()


def test_no_published_version_refuses_to_start(make_user, login):
    client = login(make_user("city"))
    assert "尚未发布清单版本" in client.get("/alerts/new").get_data(as_text=True)
    response = start(client)
    assert response.status_code == 200 and "尚未发布清单版本，不能启动预警" in response.get_data(as_text=True)
    assert db.session.query(Alert).count() == 0 and db.session.query(Dispatch).count() == 0


def test_a_dispatched_file_never_changes(world, login, make_enterprise, make_line):
    client = login(world["users"]["city"])
    start(client, counties=["泽州县"])
    dispatch = dispatch_of(db.session.query(Alert).one(), "泽州县")
    first = client.get(f"/dispatches/{dispatch.id}/download")
    original, digest = first.data, dispatch.sha256
    assert first.headers["X-Content-SHA256"] == digest == hashlib.sha256(original).hexdigest()
    # Later edits, a new version and a level change do not touch what was sent.
    for measure in db.session.query(LineMeasure):
        measure.text = "修改后的措施"
    make_line(make_enterprise(name="后来的企业", county_name="泽州县"), measures=FULL)
    db.session.commit()
    publish_version("2020年12月动态调整", "", world["users"]["city"])
    db.session.commit()
    alert = db.session.query(Alert).one()
    assert client.post(f"/alerts/{alert.id}/level", data={"level": "red"}).status_code == 302
    again = client.get(f"/dispatches/{dispatch.id}/download")
    assert again.data == original and hashlib.sha256(again.data).hexdigest() == digest
    db.session.expire_all()
    assert db.session.get(Dispatch, dispatch.id).sha256 == digest
    newer = dispatch_of(db.session.query(Alert).one(), "泽州县", seq=2)
    assert newer.sha256 != digest and "后来的企业" in names_in(newer.file.content)
    # The stored bytes refuse to be changed or deleted.
    stored = db.session.get(DispatchFile, dispatch.file_id)
    stored.content = b"tampered"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(PermissionError):
        db.session.delete(db.session.get(DispatchFile, dispatch.file_id))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(DispatchFile, dispatch.file_id).content == original


def test_county_sees_downloads_and_confirms_only_its_own_dispatch(world, login):
    start(login(world["users"]["city"]), counties=["城区", "泽州县"])
    alert = db.session.query(Alert).one()
    own, other = dispatch_of(alert, "泽州县"), dispatch_of(alert, "城区")
    client = login(world["users"]["county_zz"])
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert own.filename in page and other.filename not in page
    assert client.get(f"/dispatches/{own.id}/download").status_code == 200
    assert client.get(f"/dispatches/{other.id}/download").status_code == 404
    assert client.post(f"/dispatches/{other.id}/receipt").status_code == 404
    db.session.expire_all()
    assert db.session.get(Dispatch, other.id).received_at is None
    assert client.post(f"/dispatches/{own.id}/receipt").status_code == 302
    db.session.expire_all()
    confirmed = db.session.get(Dispatch, own.id)
    assert confirmed.received_at is not None and confirmed.received_by == world["users"]["county_zz"].signature
    stamp = confirmed.received_at
    client.post(f"/dispatches/{own.id}/receipt")          # a second 签收 changes nothing
    db.session.expire_all()
    assert db.session.get(Dispatch, own.id).received_at == stamp
    # The county's first download and its receipt.
    assert db.session.query(AuditLog).filter_by(entity_type="dispatch", action="update").count() == 2
    city_page = login(world["users"]["city"]).get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "已签收 1/2" in city_page and own.filename in city_page and other.filename in city_page


def test_county_cannot_see_an_alert_that_does_not_cover_it(world, login):
    start(login(world["users"]["city"]), counties=["城区"])
    alert = db.session.query(Alert).one()
    client = login(world["users"]["county_zz"])
    assert client.get(f"/alerts/{alert.id}").status_code == 404
    listing = client.get("/alerts").get_data(as_text=True)
    assert "暂无预警记录。" in listing and f"/alerts/{alert.id}" not in listing
    assert f"/alerts/{alert.id}" in login(world["users"]["county_cq"]).get("/alerts").get_data(as_text=True)


@pytest.mark.parametrize("role", ["city", "admin", "enterprise"])
def test_only_county_users_confirm_receipt(world, login, role):
    start(login(world["users"]["city"]), counties=["城区"])
    dispatch = dispatch_of(db.session.query(Alert).one(), "城区")
    assert login(world["users"][role]).post(f"/dispatches/{dispatch.id}/receipt").status_code == 403
    db.session.expire_all()
    assert db.session.get(Dispatch, dispatch.id).received_at is None


def test_level_change_is_a_new_dispatch_and_history_keeps_every_step(world, login):
    client = login(world["users"]["city"])
    start(client, counties=["城区", "泽州县"])
    alert = db.session.query(Alert).one()
    assert client.post(f"/alerts/{alert.id}/level", data={"level": "red"}).status_code == 302
    assert client.post(f"/alerts/{alert.id}/level", data={"level": "orange"}).status_code == 302
    db.session.expire_all()
    alert = db.session.query(Alert).one()
    assert alert.level == "orange"
    assert [(s.seq, s.previous_level, s.level) for s in alert.steps] == [
        (1, None, "orange"), (2, "orange", "red"), (3, "red", "orange")]
    assert db.session.query(Dispatch).count() == 6
    assert {d.level for d in alert.steps[1].dispatches} == {"red"}
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "第 3 次下发" in page and "第 2 次下发" in page and "第 1 次下发" in page


@pytest.mark.parametrize("role", ["county_cq", "enterprise"])
def test_only_city_staff_record_change_and_end_alerts(world, login, role):
    start(login(world["users"]["city"]), counties=["城区"])
    alert = db.session.query(Alert).one()
    client = login(world["users"][role])
    assert client.get("/alerts/new").status_code == 403
    assert start(client, counties=["泽州县"]).status_code == 403
    assert client.post(f"/alerts/{alert.id}/level", data={"level": "red"}).status_code == 403
    assert client.post(f"/alerts/{alert.id}/end", data={"ended_at": "2020-12-03T08:00"}).status_code == 403
    db.session.expire_all()
    assert db.session.query(Alert).count() == 1 and db.session.query(AlertStep).count() == 1
    alert = db.session.get(Alert, alert.id)
    assert alert.level == "orange" and alert.ended_at is None


def test_enterprise_users_cannot_see_alerts_or_downloads(world, login):
    start(login(world["users"]["city"]), counties=["城区"])
    dispatch = dispatch_of(db.session.query(Alert).one(), "城区")
    client = login(world["users"]["enterprise"])
    for url in ("/alerts", f"/alerts/{dispatch.alert_id}", f"/dispatches/{dispatch.id}/download"):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(client):
    for url in ("/alerts", "/alerts/new", "/alerts/1", "/dispatches/1/download"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_ending_an_alert(world, login):
    client = login(world["users"]["city"])
    start(client, counties=["城区"], started="2020-12-01T08:00")
    alert = db.session.query(Alert).one()
    early = client.post(f"/alerts/{alert.id}/end", data={"ended_at": "2020-11-30T08:00"})
    assert "解除时间不能早于启动时间（2020-12-01 08:00）" in early.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).ended_at is None
    assert client.post(f"/alerts/{alert.id}/end", data={"ended_at": "2020-12-03 20:00"}).status_code == 302
    db.session.expire_all()
    alert = db.session.get(Alert, alert.id)
    assert alert.ended_at == datetime(2020, 12, 3, 12, 0) and alert.ended_by == world["users"]["city"].username
    refused = client.post(f"/alerts/{alert.id}/level", data={"level": "red"})
    assert refused.status_code == 200
    db.session.expire_all()
    assert db.session.query(AlertStep).count() == 1
    again = client.post(f"/alerts/{alert.id}/end", data={"ended_at": "2020-12-04 20:00"}).get_data(as_text=True)
    assert "该预警已于 2020-12-03 20:00 解除" in again
    # Once ended, the county may be covered by a new alert.
    assert start(client, counties=["城区"], started="2020-12-05T08:00").status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"level": "", "scope": "all", "started_at": "2020-12-01T08:00"}, "请选择预警级别"),
    ({"level": "purple", "scope": "all", "started_at": "2020-12-01T08:00"}, "请选择预警级别"),
    ({"level": "red", "scope": "some", "started_at": "2020-12-01T08:00"}, "请选择至少一个县（市、区）"),
    ({"level": "red", "scope": "some", "county_ids": ["99999"], "started_at": "2020-12-01T08:00"},
     "所选县（市、区）不存在"),
    ({"level": "red", "scope": "all", "started_at": ""}, "请填写启动时间"),
    ({"level": "red", "scope": "all", "started_at": "明天早上"}, "时间格式应为"),
    ({"level": "red", "scope": "all", "started_at": "2020-12-01T08:00", "note": "长" * 201}, "不超过200字"),
])
def test_bad_alert_input_shows_a_chinese_error_and_writes_nothing(world, login, data, message):
    response = login(world["users"]["city"]).post("/alerts/new", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.query(Alert).count() == 0 and db.session.query(Dispatch).count() == 0


def test_a_county_takes_one_running_alert_at_a_time(world, login):
    client = login(world["users"]["city"])
    start(client, counties=["泽州县"])
    response = start(client, level="red", counties=["城区", "泽州县"])
    assert "以下县（市、区）已有未解除的预警" in response.get_data(as_text=True)
    assert db.session.query(Alert).count() == 1


@pytest.mark.parametrize("level, message", [("orange", "当前已是橙色预警"), ("green", "请选择预警级别"),
                                            ("", "请选择预警级别")])
def test_bad_level_change_writes_nothing(world, login, level, message):
    client = login(world["users"]["city"])
    start(client, counties=["城区"])
    alert = db.session.query(Alert).one()
    response = client.post(f"/alerts/{alert.id}/level", data={"level": level})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.query(AlertStep).count() == 1 and db.session.query(Dispatch).count() == 1


def test_unknown_ids_are_404(world, login):
    client = login(world["users"]["city"])
    assert client.get("/alerts/99999").status_code == 404
    assert client.post("/alerts/99999/level", data={"level": "red"}).status_code == 404
    assert client.get("/dispatches/99999/download").status_code == 404
    assert login(world["users"]["county_cq"]).post("/dispatches/99999/receipt").status_code == 404


def test_alert_pages_carry_no_inline_script(world, login):
    client = login(world["users"]["city"])
    start(client, counties=["城区"], started=(datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    alert = db.session.query(Alert).one()
    headings = {"/alerts": "<h1>预警启动记录</h1>", "/alerts/new": "<h1>启动预警（预警启动记录）</h1>",
                f"/alerts/{alert.id}": f"<h1>预警 #{alert.id}："}
    for url, heading in headings.items():
        body = client.get(url).get_data(as_text=True)
        assert heading in body and not has_inline_script(body), url


REASON = "市政府已决定启动，丁企业红色预警措施由县局当面核实后另行通知"
WITHHELD = "措施复核中，暂不下达（另行通知）"


@pytest.fixture
def weak_version(world, make_enterprise, make_line):
    """A newer version, published on a written reason, whose 城区 firm 丁 is below the red floor (限产30%)."""
    weak = make_enterprise(name="城区丁水泥", county_name="城区")
    make_line(weak, name="1#窑", measures={**FULL, "red": ("limit", 30.0, None, "no_g4")})
    version = publish_version("2020年12月动态调整", "", world["users"]["city"], override_reason="先行发布")
    db.session.commit()
    return version


def notes_of(dispatch):
    return {row[0]: row[1] for row in load_workbook(io.BytesIO(dispatch.file.content))["说明"]
            .iter_rows(min_row=3, values_only=True)}


def nothing_dispatched():
    return all(db.session.query(model).count() == 0 for model in (Alert, AlertStep, Dispatch, DispatchFile))


def test_starting_an_alert_with_errors_is_refused_without_a_reason(weak_version, world, login):
    client = login(world["users"]["city"])
    page = client.get("/alerts/new").get_data(as_text=True)
    assert "清单版本“2020年12月动态调整”中全市存在错误的生产线" in page and "红色预警 <strong>1</strong> 条" in page
    assert "橙色预警 <strong>0</strong> 条" in page and 'href="/lists/check"' in page
    assert "强制下发理由" in page and 'name="override_reason"' in page
    refused = start(client, level="red", counties=["城区"])
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "未启动预警" in body
    assert "清单存在1项错误，下发红色预警清单前请先修正（见“质量检查”）" in body
    assert "理由不超过300字" in start(client, level="red", counties=["城区"], override="理" * 301).get_data(as_text=True)
    assert nothing_dispatched()
    assert db.session.query(AuditLog).filter(AuditLog.entity_type.in_(("alert", "alert_step"))).count() == 0


def test_errors_elsewhere_do_not_hold_an_alert_back(weak_version, world, login):
    client = login(world["users"]["city"])
    # 丁's error is at red in 城区: red in 泽州县 and orange in 城区 need no reason.
    assert start(client, level="red", counties=["泽州县"]).status_code == 302
    assert start(client, level="orange", counties=["城区"]).status_code == 302
    steps = db.session.query(AlertStep).all()
    assert len(steps) == 2 and {s.override_reason for s in steps} == {""}
    notes = notes_of(dispatch_of(steps[1].alert, "城区"))
    assert "强制下发理由" not in notes and notes["下发"].endswith("第1次下发（启动 橙色）")


@pytest.mark.parametrize("role", ["county_cq", "enterprise"])
def test_only_city_staff_may_override_a_dispatch(weak_version, world, role):
    user = world["users"][role]
    values = {"level": "red", "all_counties": False, "county_ids": [county_id("城区")],
              "started_at": datetime(2020, 12, 1), "note": "", "override_reason": REASON}
    with pytest.raises(DomainError) as refused:
        start_alert(values, user)
    assert "仅市局人员可填写理由后下发红色预警清单" in refused.value.errors["override_reason"]
    db.session.rollback()
    assert nothing_dispatched()


def test_city_override_starts_the_alert_and_is_printed_on_every_file(weak_version, world, login):
    client = login(world["users"]["city"])
    response = start(client, level="red", counties=["城区"], override=REASON)
    assert response.status_code == 302
    alert = db.session.query(Alert).one()
    [step] = alert.steps
    assert step.override_reason == REASON and step.version_id == weak_version.id
    logged = db.session.query(AuditLog).filter_by(entity_type="alert_step").one()
    assert REASON in logged.summary and json.loads(logged.after)["override_reason"] == REASON
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "强制下发" in page and REASON in page
    dispatch = dispatch_of(alert, "城区")
    notes = notes_of(dispatch)
    assert notes["强制下发理由"] == REASON and notes["下发时错误生产线"] == "1条（本预警范围内，该级别）"
    assert notes["强制发布理由"] == "先行发布" and notes["清单版本"] == "2020年12月动态调整"
    assert notes["下发"] == f"预警 #{alert.id} 第1次下发（启动 红色）" and notes["范围"] == "城区"
    assert notes["下发人"] == world["users"]["city"].username
    workbook = load_workbook(io.BytesIO(dispatch.file.content))
    rows = {row[2]: row[9] for row in workbook["清单"].iter_rows(min_row=3, values_only=True)}
    assert rows["城区丁水泥"] == WITHHELD and rows["城区甲水泥"].startswith("停产")
    assert workbook_markers(dispatch.file.content) == []


def test_a_level_change_passes_the_same_gate(weak_version, world, login):
    client = login(world["users"]["city"])
    start(client, level="orange", counties=["城区"])
    alert = db.session.query(Alert).one()
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "本预警范围内存在错误的生产线" in page and "红色预警 <strong>1</strong> 条" in page
    assert 'name="override_reason"' in page
    refused = client.post(f"/alerts/{alert.id}/level", data={"level": "red"})
    assert refused.status_code == 200 and "清单存在1项错误，下发红色预警清单前请先修正" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).level == "orange"
    assert db.session.query(AlertStep).count() == 1 and db.session.query(Dispatch).count() == 1
    county = login(world["users"]["county_cq"])
    with pytest.raises(DomainError):
        change_level(db.session.get(Alert, alert.id), "red", world["users"]["county_cq"], override_reason=REASON)
    db.session.rollback()
    assert county.post(f"/alerts/{alert.id}/level", data={"level": "red", "override_reason": REASON}).status_code == 403
    client = login(world["users"]["city"])
    moved = client.post(f"/alerts/{alert.id}/level", data={"level": "red", "override_reason": REASON})
    assert moved.status_code == 302
    db.session.expire_all()
    alert = db.session.get(Alert, alert.id)
    assert alert.level == "red" and [s.override_reason for s in alert.steps] == ["", REASON]
    notes = notes_of(dispatch_of(alert, "城区", seq=2))
    assert notes["强制下发理由"] == REASON and notes["下发"] == f"预警 #{alert.id} 第2次下发（橙色 → 红色）"
