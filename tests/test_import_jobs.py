"""Large imports commit through a job: progress page, owner only, the same checks, all or nothing."""

import pytest

from emergency.importing import uploads as import_uploads
from models import AuditLog, Enterprise, ImportBatch, Job, LineMeasure, ProductionLine, db
from tests.conftest import new_credit_code
from tests.import_support import registry_rows, snapshot, xlsx
from tests.test_import_web import hidden, stored_uploads, upload
from tests.test_jobs import _wait


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))


@pytest.fixture
def small_threshold(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", 2)


def three_rows(grade="B"):
    code = new_credit_code()
    rows = [{"name": "任务导入水泥有限公司", "credit_code": code, "county": "泽州县", "industry_name": "水泥（熟料）",
             "grade": grade, "line_name": f"{i}#窑", "so2_t_yr": i, "red_action": "停产"} for i in (1, 2)]
    rows.append({"name": "任务导入供热站", "credit_code": new_credit_code(), "county": "城区",
                 "industry_name": "居民供暖锅炉", "grade": "民生保障"})
    return xlsx(("企业名录", registry_rows(rows)))


def preview(client, data, filename="大清单.xlsx"):
    page = upload(client, data, filename).get_data(as_text=True)
    assert "检查通过" in page, page
    return {"token": hidden(page, "token"), "sha256": hidden(page, "sha256")}


def test_a_large_import_runs_as_a_job_and_lands(app, small_threshold, make_user, login):
    user = make_user("city", username="importer")
    client = login(user)
    page = upload(client, three_rows(), "大清单.xlsx").get_data(as_text=True)
    assert "文件较大（3 行），确认后在后台导入" in page
    form = {"token": hidden(page, "token"), "sha256": hidden(page, "sha256")}
    assert db.session.query(Enterprise).count() == 0
    response = client.post("/import/commit", data=form)
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = _wait(response.headers["Location"].rsplit("/", 1)[1])
    assert (job.status, job.kind, job.user_id) == ("done", "import", user.id)
    assert job.done == job.total == 3 and job.label == "导入“大清单.xlsx”"
    assert "企业新增 2、修改 0、不变 0；生产线新增 2、修改 0、不变 0；减排措施新增 2、修改 0、不变 0" in job.message
    firm = db.session.query(Enterprise).filter_by(name="任务导入水泥有限公司").one()
    assert [line.name for line in firm.lines] == ["1#窑", "2#窑"]
    batch = db.session.query(ImportBatch).one()
    assert (batch.username, batch.filename, batch.rows, batch.enterprises_created, batch.lines_created) == \
        ("importer", "大清单.xlsx", 3, 2, 2)
    log = db.session.query(AuditLog).filter(AuditLog.source == "import:大清单.xlsx").all()
    assert len(log) == 6 and {row.username for row in log} == {"importer"}
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "已完成" in page and "已处理 3 / 3 行" in page and 'href="/import/history"' in page
    report = client.get(f"/jobs/{job.id}/download")
    assert report.status_code == 200 and "企业：新增 2，修改 0，不变 0" in report.get_data(as_text=True)
    report.close()
    assert "大清单.xlsx" in client.get("/import/history").get_data(as_text=True)
    assert not [name for name in stored_uploads(app) if name.endswith(".bin")]
    # The confirmation started one import; posting it again starts nothing.
    again = client.post("/import/commit", data=form, follow_redirects=True)
    assert "预览的文件已失效" in again.get_data(as_text=True)
    assert db.session.query(Job).count() == 1 and db.session.query(ImportBatch).count() == 1


def test_other_users_cannot_see_an_import_job(app, small_threshold, make_user, login):
    owner = make_user("city")
    client = login(owner)
    response = client.post("/import/commit", data=preview(client, three_rows()))
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    _wait(job_id)
    for other in (make_user("city"), make_user("county", county_name="泽州县")):
        intruder = login(other)
        assert intruder.get(f"/jobs/{job_id}").status_code == 404
        assert intruder.get(f"/jobs/{job_id}/download").status_code == 404
    assert login(make_user("admin")).get(f"/jobs/{job_id}").status_code == 200


def test_another_user_cannot_commit_someone_elses_preview_as_a_job(small_threshold, make_user, login):
    client = login(make_user("city"))
    form = preview(client, three_rows())
    response = login(make_user("city")).post("/import/commit", data=form, follow_redirects=True)
    assert "预览的文件已失效或不属于您" in response.get_data(as_text=True)
    assert db.session.query(Job).count() == 0 and db.session.query(Enterprise).count() == 0


@pytest.mark.mutates_reference
def test_a_file_that_became_invalid_fails_the_job_and_writes_nothing(app, small_threshold, make_user, login,
                                                                      industry, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_SYNC", True)
    client = login(make_user("city"))
    form = preview(client, three_rows(grade="B-"))
    industry("cement_clinker").allows_b_minus = False
    db.session.commit()
    before = snapshot()
    response = client.post("/import/commit", data=form)
    job = db.session.get(Job, response.headers["Location"].rsplit("/", 1)[1])
    db.session.refresh(job)
    assert job.status == "failed"
    assert "未导入任何数据" in job.message and "分级方案不允许“B-”" in job.message
    assert snapshot() == before
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "失败" in page and "分级方案不允许" in page and "Traceback" not in page and "重新上传" in page


def test_a_job_runs_with_the_importers_county_scope(app, small_threshold, make_user, login, make_enterprise,
                                                    monkeypatch):
    """A county clerk's job checks the rows against the clerk's county, as the preview did."""
    monkeypatch.setitem(app.config, "JOBS_SYNC", True)
    clerk = make_user("county", county_name="泽州县")
    client = login(clerk)
    rows = [{"name": f"泽州企业{i}", "credit_code": new_credit_code(), "county": "泽州县", "industry_name": "焦化",
             "grade": "B"} for i in range(3)]
    form = preview(client, xlsx(("表", registry_rows(rows))))
    # Between preview and commit one of the codes is registered in another county.
    make_enterprise(name="城区企业", county_name="城区", credit_code=rows[0]["credit_code"])
    before = snapshot()
    job_id = client.post("/import/commit", data=form).headers["Location"].rsplit("/", 1)[1]
    job = db.session.get(Job, job_id)
    db.session.refresh(job)
    assert job.status == "failed" and "该企业登记在其他县（市、区）" in job.message
    assert snapshot() == before and db.session.query(ImportBatch).count() == 0


def test_small_imports_still_commit_within_the_request(make_user, login):
    client = login(make_user("city"))
    page = upload(client, three_rows()).get_data(as_text=True)
    assert "确认导入" in page and "后台导入" not in page
    response = client.post("/import/commit", data={"token": hidden(page, "token"), "sha256": hidden(page, "sha256")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/import/history")
    assert db.session.query(Job).count() == 0
    assert (db.session.query(Enterprise).count(), db.session.query(ProductionLine).count(),
            db.session.query(LineMeasure).count()) == (2, 2, 2)


def test_the_preview_records_the_row_count_for_the_choice(app, make_user, login):
    client = login(make_user("city"))
    form = preview(client, three_rows())
    assert import_uploads.read(form["token"])[1]["rows"] == 3


def test_a_long_file_name_fits_the_job(app, small_threshold, make_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_SYNC", True)
    client = login(make_user("city"))
    name = "晋" * 240 + ".xlsx"
    response = client.post("/import/commit", data=preview(client, three_rows(), name))
    job = db.session.get(Job, response.headers["Location"].rsplit("/", 1)[1])
    db.session.refresh(job)
    assert job.status == "done" and job.label == f"导入“{'晋' * 59}…”"
    assert db.session.query(ImportBatch).one().filename == name


@pytest.fixture
def previews_as_jobs(app, monkeypatch):
    monkeypatch.setitem(app.config, "PREVIEW_JOB_BYTES", 1000)


def test_a_large_file_is_previewed_by_a_job_then_committed(app, previews_as_jobs, small_threshold, make_user, login):
    client = login(make_user("city"))
    book = three_rows()
    assert len(book) > 1000
    response = upload(client, book, "大清单.xlsx")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = _wait(response.headers["Location"].rsplit("/", 1)[1])
    assert (job.kind, job.status, job.label) == ("import_preview", "done", "预览“大清单.xlsx”")
    assert job.message == "已检查 3 行：检查通过。" and db.session.query(Enterprise).count() == 0
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/import/preview/{job.id}" in page and "查看预览结果" in page
    page = client.get(f"/import/preview/{job.id}").get_data(as_text=True)
    assert "导入预览：大清单.xlsx" in page and "检查通过" in page and "文件较大（3 行），确认后在后台导入" in page
    response = client.post("/import/commit", data={"token": hidden(page, "token"), "sha256": hidden(page, "sha256")})
    assert response.status_code == 302 and _wait(response.headers["Location"].rsplit("/", 1)[1]).status == "done"
    assert db.session.query(Enterprise).count() == 2 and stored_uploads(app) == []


def test_a_hostile_file_previewed_by_a_job_is_refused_with_the_limit(app, previews_as_jobs, make_user, login):
    from tests.hostile_books import whole_sheet_merge

    client, before = login(make_user("city")), snapshot()
    response = upload(client, whole_sheet_merge(), "清单.xlsx")
    job = _wait(response.headers["Location"].rsplit("/", 1)[1])
    assert job.status == "done" and "超过处理上限" in job.message
    response = client.get(f"/import/preview/{job.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "合并单元格 A2:XFD1048576" in page and "确认导入" not in page
    assert stored_uploads(app) == [] and snapshot() == before


def test_another_users_preview_is_not_shown(app, previews_as_jobs, make_user, login):
    owner, other = make_user("city"), make_user("city")
    response = upload(login(owner), three_rows(), "大清单.xlsx")
    job = _wait(response.headers["Location"].rsplit("/", 1)[1])
    assert job.status == "done"
    assert login(other).get(f"/import/preview/{job.id}").status_code == 404
