"""Long exports run as jobs with progress: owner-only pages, real threads, and the same workbook."""
import io
import time

import openpyxl
import pytest

from emergency.platform import jobs
from models import Job, db


@pytest.fixture
def small_threshold(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", 2)


@pytest.fixture
def firms(make_enterprise, make_line):
    for i in range(3):
        firm = make_enterprise(name=f"任务测试{i}有限公司", county_name="泽州县")
        make_line(firm, name="1#线")
        make_line(firm, name="2#线")


def _wait(job_id, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.status in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_small_export_downloads_directly(firms, make_user, login):
    response = login(make_user("city")).get("/lists/red/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("sheet")
    assert db.session.query(Job).count() == 0


def test_large_export_runs_as_a_job_with_progress(firms, small_threshold, make_user, login):
    user = make_user("city")
    client = login(user)
    response = client.get("/lists/red/export.xlsx")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = _wait(response.headers["Location"].rsplit("/", 1)[1])
    assert job.status == "done" and job.done == job.total == 6
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "已完成" in page and "已处理 6 / 6 行" in page and 'http-equiv="refresh"' not in page
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200
    data = download.data
    download.close()
    sheet = openpyxl.load_workbook(io.BytesIO(data))["清单"]
    names = {row[2] for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], int)}
    assert names == {"任务测试0有限公司", "任务测试1有限公司", "任务测试2有限公司"}


def test_running_job_page_refreshes_and_shows_counts(make_user, login):
    user = make_user("city")
    job = jobs.submit("export_list", "导出测试", {"level": "red"}, user)
    job.status, job.done, job.total = "running", 40, 100
    db.session.commit()
    page = login(user).get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "已处理 40 / 100 行（40%）" in page


def test_other_users_cannot_see_a_job(firms, small_threshold, make_user, login, app):
    owner, other = make_user("city"), make_user("city")
    response = login(owner).get("/lists/yellow/counties.zip")
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    _wait(job_id)
    intruder = login(other)
    assert intruder.get(f"/jobs/{job_id}").status_code == 404
    assert intruder.get(f"/jobs/{job_id}/download").status_code == 404
    assert login(make_user("admin")).get(f"/jobs/{job_id}").status_code == 200


def test_failed_job_reports_without_a_stack_trace(make_user, login, app, monkeypatch):
    user = make_user("city")
    job = jobs.submit("export_list", "导出测试", {"level": "purple"}, user)
    db.session.commit()
    monkeypatch.setitem(app.config, "JOBS_SYNC", True)
    jobs.start(job.id)
    monkeypatch.delitem(app.config, "JOBS_SYNC")
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "failed"
    page = login(user).get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "任务执行失败" in page and "Traceback" not in page


def test_large_version_export_runs_as_a_job(firms, small_threshold, make_user, login):
    from emergency.publishing.versions import publish_version
    user = make_user("city")
    version = publish_version("任务测试版", "", user)
    db.session.commit()
    client = login(user)
    response = client.get(f"/versions/{version.id}/red/export.xlsx")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = _wait(response.headers["Location"].rsplit("/", 1)[1])
    assert job.status == "done" and job.done == job.total == 6 and "任务测试版" in job.filename
    download = client.get(f"/jobs/{job.id}/download")
    data = download.data
    download.close()
    rows = [r for r in openpyxl.load_workbook(io.BytesIO(data))["清单"].iter_rows(values_only=True)
            if r and isinstance(r[0], int)]
    assert len(rows) == 6
