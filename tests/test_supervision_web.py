"""The supervision pages: the board, its filters and export, a firm's history, the import page, inspections with
their downgrade proposals, and the positive list."""
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from models import GradeHistory, Inspection, InspectionPhoto, PositiveListEntry, PowerReading, db
from tests.html import has_inline_script, loads_external
from tests.supervision_support import make_world

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(make_enterprise, make_line, make_user):
    return make_world(make_enterprise, make_line, make_user)


def firm_names(body):
    table = body.split('id="firms"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'/supervision/enterprises/\d+">([^<]+)</a>', table)


def test_the_board_ranks_firms_with_svg_charts_and_filters(world, login):
    firms, users, alert = world
    response = login(users["city"]).get(f"/supervision/alerts/{alert.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert firm_names(body) == ["城区违规水泥", "泽州乙水泥", "城区无数据水泥", "城区守规水泥"]
    assert "疑似未落实 <strong>2</strong> 家；无数据 <strong>1</strong> 家" in body
    assert "疑似未落实（最高为基准的95%）" in body
    assert body.count('<svg class="use-chart"') == 4 and not has_inline_script(body) and not loads_external(body)
    filtered = login(users["city"]).get(f"/supervision/alerts/{alert.id}?status=obeyed").get_data(as_text=True)
    assert firm_names(filtered) == ["城区守规水泥"]
    county = login(users["county"]).get(f"/supervision/alerts/{alert.id}").get_data(as_text=True)
    assert firm_names(county) == ["城区违规水泥", "城区无数据水泥", "城区守规水泥"]


def test_the_clue_list_holds_suspect_and_silent_firms(world, login):
    firms, users, alert = world
    response = login(users["county"]).get(f"/supervision/alerts/{alert.id}/clues.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["问题线索清单"]
    rows = [r for r in sheet.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[2], r[7], r[8]) for r in rows] == [("城区违规水泥", "疑似未落实", 0.95), ("城区无数据水泥", "无数据", "—")]
    assert rows[0][9] == 1000 and rows[0][10] == "预警前14日日均" and rows[0][11] == 1350


def test_an_enterprise_sees_only_its_own_history(world, login):
    firms, users, alert = world
    own = login(users["ent"]).get(f"/supervision/enterprises/{firms['ignores'].id}")
    body = own.get_data(as_text=True)
    assert own.status_code == 200 and "疑似未落实（最高为基准的95%）" in body and "11-21：950" in body
    assert f"A{firms['ignores'].id}（城区违规水泥）" in body
    assert login(users["ent"]).get(f"/supervision/enterprises/{firms['obeys'].id}").status_code == 404
    assert login(users["ent"]).get(f"/supervision/alerts/{alert.id}").status_code == 403


def test_the_import_page_previews_then_commits(world, login):
    firms, users, alert = world
    client = login(users["city"])
    data = f"户号,户名,日期,有功电量\nN1,{firms['silent'].name},2026-11-21,300\n".encode("gbk")
    preview = client.post("/supervision/power/import", data={"file": (io.BytesIO(data), "电量.csv")},
                          content_type="multipart/form-data")
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "新增日电量 1 条" in body and "城区无数据水泥" in body and "确认导入" in body
    token = re.search(r'name="token"[^>]*value="([^"]+)"', body).group(1)
    sha = re.search(r'name="sha256"[^>]*value="([^"]+)"', body).group(1)
    done = client.post("/supervision/power/import/commit", data={"token": token, "sha256": sha})
    assert done.status_code == 302
    assert db.session.query(PowerReading).filter_by(day=date(2026, 11, 21), kwh=300.0).count() == 1
    bad = client.post("/supervision/power/import", data={"file": (io.BytesIO(b"\x00\x01"), "x.xlsx")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "无法导入" in bad.get_data(as_text=True)
    readings = db.session.query(PowerReading).count()
    negative = f"户号,户名,日期,有功电量\nN1,{firms['silent'].name},2026-11-22,-5\n".encode("gbk")
    problem = client.post("/supervision/power/import", data={"file": (io.BytesIO(negative), "电量.csv")},
                          content_type="multipart/form-data").get_data(as_text=True)
    # The problem table names the row; no confirm button, nothing written.
    assert "<td>第2行</td>" in problem and "确认导入" not in problem
    assert db.session.query(PowerReading).count() == readings


def test_an_unimplemented_finding_proposes_a_downgrade_the_city_approves(world, login, app, tmp_path, monkeypatch):
    firms, users, alert = world
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "files"))
    firm = firms["ignores"]
    url = f"/supervision/alerts/{alert.id}/enterprises/{firm.id}/inspections/new"
    form = {"visited_at": "2026-11-22 10:00", "inspectors": "张三、李四", "finding": "not_implemented",
            "note": "窑炉仍在运行"}
    response = login(users["county"]).post(url, data={**form, "photos": (io.BytesIO(PNG), "现场.png")},
                                           content_type="multipart/form-data")
    assert response.status_code == 302
    inspection = db.session.query(Inspection).one()
    assert (inspection.finding, inspection.proposal, len(inspection.photos)) == ("not_implemented", "open", 1)
    assert login(users["county_other"]).post(url, data=form).status_code == 404
    assert login(users["ent"]).post(url, data=form).status_code == 403
    city = login(users["city"])
    assert "窑炉仍在运行" in city.get("/supervision/proposals").get_data(as_text=True)
    decided = city.post(f"/supervision/inspections/{inspection.id}/decide",
                        data={"target": "GRADED:D", "reason_code": "not_implemented", "reason": "现场检查未落实",
                              "effective_date": "2026-11-25"})
    assert decided.status_code == 302
    history = db.session.query(GradeHistory).filter_by(enterprise_id=firm.id).one()
    assert (history.kind, history.reason_code, history.new_grade_code, history.status) == (
        "downgrade", "not_implemented", "D", "applied")
    db.session.refresh(inspection)
    assert inspection.proposal == "approved" and inspection.history_id == history.id
    assert db.session.get(type(firm), firm.id).grade_code == "D"


@pytest.mark.parametrize("form, message", [
    ({"visited_at": "2026-11-22 10:00", "inspectors": "", "finding": "implemented"}, "请填写检查人员"),
    ({"visited_at": "2026-11-19 10:00", "inspectors": "张三", "finding": "implemented"}, "检查时间不能早于预警启动时间"),
    ({"visited_at": "2026-11-22 10:00", "inspectors": "张三", "finding": "maybe"}, "请选择检查结论"),
])
def test_bad_inspections_write_nothing(world, login, form, message):
    firms, users, alert = world
    url = f"/supervision/alerts/{alert.id}/enterprises/{firms['ignores'].id}/inspections/new"
    response = login(users["county"]).post(url, data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.query(Inspection).count() == 0


def test_a_photo_that_is_not_an_image_is_refused(world, login):
    firms, users, alert = world
    url = f"/supervision/alerts/{alert.id}/enterprises/{firms['ignores'].id}/inspections/new"
    response = login(users["county"]).post(url, data={"visited_at": "2026-11-22 10:00", "inspectors": "张三",
                                                      "finding": "implemented",
                                                      "photos": (io.BytesIO(b"MZ\x90\x00"), "现场.png")},
                                           content_type="multipart/form-data")
    assert response.status_code == 400 and "不是PDF、JPG或PNG文件" in response.get_data(as_text=True)
    assert db.session.query(Inspection).count() == 0 and db.session.query(InspectionPhoto).count() == 0


def test_positive_list_firms_are_marked_and_sorted_after_their_status(world, login):
    firms, users, alert = world
    city = login(users["city"])
    response = city.post("/supervision/positive", data={"firm": firms["ignores"].credit_code, "reason": "连续三年无违法记录",
                                                        "added_on": "2026-01-01", "expires_on": "2027-12-31"})
    assert response.status_code == 302
    body = city.get(f"/supervision/alerts/{alert.id}").get_data(as_text=True)
    assert firm_names(body) == ["泽州乙水泥", "城区违规水泥", "城区无数据水泥", "城区守规水泥"]
    assert body.count('title="正面清单">正面清单</span>') == 1
    bad = city.post("/supervision/positive", data={"firm": "不存在的公司", "reason": "x", "added_on": "2026-01-01",
                                                   "expires_on": "2025-01-01"})
    assert bad.status_code == 400 and "名录中没有该企业" in bad.get_data(as_text=True)
    assert db.session.query(PositiveListEntry).count() == 1


def test_the_dashboard_counts_suspect_and_silent_firms_per_running_alert(make_enterprise, make_line, make_user, login):
    firms, users, alert = make_world(make_enterprise, make_line, make_user, ended=False)
    body = login(users["city"]).get("/dashboard").get_data(as_text=True)
    assert "疑似未落实 2 家，无数据 1 家" in body
    county = login(users["county"]).get("/dashboard").get_data(as_text=True)
    assert "疑似未落实 1 家，无数据 1 家" in county


def test_staff_register_an_account_and_tie_it_to_a_line(world, login):
    from models import PowerAccount

    firms, users, alert = world
    firm = firms["silent"]
    line = firm.lines[0]
    client = login(users["county"])
    response = client.post(f"/supervision/enterprises/{firm.id}/accounts",
                           data={"number": " 7788 ", "holder": "无数据厂", "line_id": str(line.id)})
    assert response.status_code == 302
    account = db.session.query(PowerAccount).filter_by(number="7788").one()
    assert (account.enterprise_id, account.line_id, account.holder) == (firm.id, line.id, "无数据厂")
    taken = client.post(f"/supervision/enterprises/{firm.id}/accounts",
                        data={"number": f"A{firms['ignores'].id}", "holder": "", "line_id": ""})
    assert taken.status_code == 400 and "已登记在另一家企业名下" in taken.get_data(as_text=True)
    other_line = client.post(f"/supervision/enterprises/{firm.id}/accounts",
                             data={"number": "7788", "line_id": str(firms["obeys"].lines[0].id)})
    assert other_line.status_code == 400 and "请选择本企业的生产线" in other_line.get_data(as_text=True)
    db.session.refresh(account)
    assert account.line_id == line.id and db.session.query(PowerAccount).count() == 4
    assert login(users["ent"]).post(f"/supervision/enterprises/{firms['ignores'].id}/accounts",
                                    data={"number": "1"}).status_code == 403
