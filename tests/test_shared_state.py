"""Two app instances with their own instance folders share what the database holds: the dashboard's figures
(FIGURES_BACKEND=database) and kept files (STORAGE_BACKEND=database), as two hosts would."""
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app import create_app
from emergency.dashboard import figures as dashboard
from emergency.dashboard import store as dashboard_store
from emergency.importing import uploads
from emergency.platform import jobs, storage
from emergency.web.sessions import stamp
from models import Job, LineMeasure, RequestAttachment, StoredChunk, db
from tests.test_dashboard import FULL, figures, tpd
from tests.test_requests_web import PDF, form


@pytest.fixture
def host_b(app, tmp_path):
    """A second app on the same database, with an instance data folder and figure folder of its own."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                        "SECRET_KEY": app.config["SECRET_KEY"], "WTF_CSRF_ENABLED": False,
                        "INSTANCE_DATA": str(tmp_path / "host-b"), "DASHBOARD_CACHE_DIR": str(tmp_path / "b-dash"),
                        "JOBS_DIR": str(tmp_path / "b-jobs"),
                        "FIGURES_BACKEND": "database", "STORAGE_BACKEND": "database"})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _client_of(other, user):
    client = other.test_client()
    with other.app_context(), client.session_transaction() as session:
        stamp(session, user)
    return client


def test_an_edit_committed_through_one_host_changes_the_figures_the_other_serves(
        app, host_b, make_enterprise, make_line, make_user, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "FIGURES_BACKEND", "database")
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_DIR", str(tmp_path / "a-dash"))
    dashboard.clear_cache()
    firm = make_enterprise(name="城区B级水泥", county_name="城区", grade="B")
    make_line(firm, name="1#窑", measures=FULL)
    user = make_user("city")
    db.session.commit()
    b = _client_of(host_b, user)
    before = figures(b.get("/dashboard").get_data(as_text=True))

    measure = db.session.query(LineMeasure).filter_by(level="orange", action="limit").one()
    measure.limit_pct = 80.0
    db.session.commit()                                              # committed through host A
    computed_on_a = dashboard.cached_figures()                      # A computes the new generation once
    calls, real = [], dashboard.compute_figures
    monkeypatch.setattr(dashboard, "compute_figures", lambda county_id=None: calls.append(county_id) or real(county_id))
    after = figures(b.get("/dashboard").get_data(as_text=True))
    assert after["orange-so2-reduction"] != before["orange-so2-reduction"]
    assert calls == []                                               # B serves A's computation
    reduction = computed_on_a.levels[1].totals.checks["so2"].reduction
    assert after["orange-so2-reduction"] == tpd(reduction)
    assert not list((tmp_path / "a-dash").glob("*.json")) and not list((tmp_path / "b-dash").glob("*.json"))
    dashboard.clear_cache()


def test_an_attachment_uploaded_on_one_host_downloads_from_the_other(app, host_b, parties, login, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "a-files"))
    response = login(parties["ent"]).post("/requests/new", data=form([("监测报告.pdf", PDF)]),
                                          content_type="multipart/form-data")
    assert response.status_code == 302
    item = db.session.query(RequestAttachment).one()
    url = f"/requests/{item.request_id}/attachments/{item.id}"
    with _client_of(host_b, parties["county"]).get(url) as downloaded:
        assert (downloaded.status_code, downloaded.data) == (200, PDF)
        assert "attachment" in downloaded.headers["Content-Disposition"]
    assert not (tmp_path / "a-files").exists() and not (tmp_path / "host-b").exists()   # neither host's disk


@pytest.fixture(params=storage.BACKENDS)
def backend(app, tmp_path, monkeypatch, request):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", request.param)
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "files"))
    return request.param


def test_a_large_file_is_kept_in_chunks_and_read_back_whole(backend, monkeypatch):
    monkeypatch.setattr(storage, "CHUNK_BYTES", 1000)
    data = bytes(range(256)) * 40                                    # 10 240 bytes: 11 chunks
    storage.put("attachments", "big.pdf", data)
    db.session.commit()
    assert storage.get("attachments", "big.pdf", hashlib.sha256(data).hexdigest()) == data
    assert storage.names("attachments") == ["big.pdf"]
    chunks = db.session.scalar(select(func.count()).select_from(StoredChunk))
    assert chunks == (11 if backend == "database" else 0)


def test_a_kept_file_is_never_written_twice(backend):
    storage.put("attachments", "a.pdf", PDF)
    db.session.commit()
    with pytest.raises((FileExistsError, IntegrityError)):
        storage.put("attachments", "a.pdf", b"%PDF-other")
    db.session.rollback()
    assert storage.get("attachments", "a.pdf") == PDF


def test_a_file_whose_bytes_changed_is_refused(backend, tmp_path):
    storage.put("attachments", "a.pdf", PDF)
    db.session.commit()
    if backend == "database":
        db.session.execute(update(StoredChunk).values(data=b"%PDF-forged"))
        db.session.commit()
    else:
        (tmp_path / "files" / "a.pdf").write_bytes(b"%PDF-forged")
    with pytest.raises(storage.DamagedFile):
        storage.get("attachments", "a.pdf", hashlib.sha256(PDF).hexdigest())


def test_a_rolled_back_deletion_keeps_the_file_and_a_committed_one_removes_it(backend, parties, login):
    login(parties["ent"]).post("/requests/new", data=form([("a.pdf", PDF)]), content_type="multipart/form-data")
    item = db.session.query(RequestAttachment).one()
    name = item.stored_name
    db.session.delete(item)
    db.session.flush()
    db.session.rollback()
    assert storage.names("attachments") == [name]
    db.session.delete(db.session.query(RequestAttachment).one())
    db.session.commit()
    assert storage.names("attachments") == []
    assert db.session.scalar(select(func.count()).select_from(StoredChunk)) == 0


@pytest.mark.parametrize("setting, module", [("STORAGE_BACKEND", storage), ("FIGURES_BACKEND", dashboard_store)])
def test_an_unknown_backend_setting_is_refused(app, monkeypatch, setting, module):
    monkeypatch.setitem(app.config, setting, "s3")
    with pytest.raises(ValueError, match=setting):
        module.backend()


def test_a_job_run_on_one_host_shows_its_progress_and_downloads_from_the_other(
        app, host_b, make_user, make_enterprise, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")
    make_enterprise(name="任务共享有限公司", county_name="城区")
    user = make_user("city")
    job = jobs.submit("export_list", "导出共享", {"level": "red"}, user)
    db.session.commit()
    b = _client_of(host_b, user)
    assert "导出共享" in b.get(f"/jobs/{job.id}").get_data(as_text=True)
    jobs.run(app, job.id)                                           # runs on host A (its own jobs folder)
    db.session.expire_all()
    done = db.session.get(Job, job.id)
    assert done.status == "done" and not Path(done.path).exists()   # no host's disk holds it
    page = b.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"/jobs/{job.id}/download" in page
    with b.get(f"/jobs/{job.id}/download") as response:
        assert response.status_code == 200 and response.data == storage.get("jobs", f"{job.id}.out")
        assert response.data.startswith(b"PK")


def test_an_upload_previewed_on_one_host_is_committed_from_the_other_and_claimed_once(
        app, host_b, make_user, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "a-imports"))
    user = make_user("city")
    db.session.commit()
    data = "企业名称\n共享导入有限公司\n".encode()
    token = uploads.save(data, "清单.csv", user.id, rows=1)
    digest = hashlib.sha256(data).hexdigest()
    with host_b.app_context():
        assert uploads.load(token, user.id, digest)[0] == data
        assert uploads.load(token, user.id + 1, digest) is None                 # another user's upload
        new, meta = uploads.claim(token, user.id, digest)
        assert meta["rows"] == 1 and uploads.claim(token, user.id, digest) is None   # one claim wins
        db.session.remove()
    assert uploads.load(new, user.id, digest)[0] == data and uploads.load(token, user.id, digest) is None
    assert not (tmp_path / "a-imports").exists() or not any((tmp_path / "a-imports").iterdir())
    assert not (tmp_path / "host-b").exists()
    uploads.discard(new)
    assert uploads.kept() == []
