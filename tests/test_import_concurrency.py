"""Imports meet edits: rows edited since the preview or while the import writes are named and nothing is
written; a clerk's edit while an import holds the database is 系统繁忙 with the form kept (SQLite) or saved
(PostgreSQL), never a 500; chunked planning and writing lands the same rows as the whole file at once."""
import io

import pytest
from openpyxl import load_workbook

from app import create_app
from emergency.audit.trail import acting_as
from emergency.importing import apply as import_apply
from emergency.importing import pipeline
from emergency.importing.pipeline import commit_file
from emergency.lists.exports import export_registry
from emergency.web.sessions import stamp
from models import AuditLog, Enterprise, ImportBatch, Job, LineMeasure, ProductionLine, User, db
from seed.demo import load_demo
from tests.conftest import new_credit_code, wipe
from tests.import_support import REGISTRY_KEYS, registry_rows, snapshot, xlsx
from tests.test_import_roundtrip import planted_defects
from tests.test_import_web import hidden, upload


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))


def _file(firm, so2=41.0, extra=True):
    """Updates ``firm``'s line 1#窑 (its SO2) and, with ``extra``, registers one new firm."""
    rows = [{"name": firm.name, "credit_code": firm.credit_code, "county": "城区", "industry_name": "水泥（熟料）",
             "grade": "B", "line_name": "1#窑", "so2_t_yr": so2, "red_action": "停产"}]
    if extra:
        rows.append({"name": "并发新增水泥有限公司", "credit_code": new_credit_code(), "county": "城区",
                     "industry_name": "水泥（熟料）", "grade": "B", "line_name": "2#窑", "so2_t_yr": 5,
                     "red_action": "停产"})
    return xlsx(("企业名录", registry_rows(rows)))


def _edit_elsewhere(app, line_id, facilities):
    """Another session (its own app context, connection and transaction) edits the line and commits."""
    with app.app_context():
        line = db.session.get(ProductionLine, line_id)
        line.facilities = facilities
        db.session.commit()
        db.session.remove()


@pytest.fixture
def firm(make_enterprise, make_line):
    enterprise = make_enterprise(name="并发水泥有限公司")
    line = make_line(enterprise, name="1#窑", so2_t_yr=30.0)
    db.session.commit()
    return enterprise, line


def test_rows_edited_since_the_preview_are_named_and_nothing_is_written(app, firm, make_user, login):
    enterprise, line = firm
    client = login(make_user("city"))
    page = upload(client, _file(enterprise)).get_data(as_text=True)
    assert "检查通过" in page
    form = {"token": hidden(page, "token"), "sha256": hidden(page, "sha256")}
    _edit_elsewhere(app, line.id, "一位科员刚改的回转窑")
    before = snapshot()
    response = client.post("/import/commit", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "并发水泥有限公司（生产线 1#窑）" in body and "预览之后已被他人修改" in body and "重新预览" in body
    assert snapshot() == before and db.session.query(ImportBatch).count() == 0
    assert db.session.get(ProductionLine, line.id).facilities == "一位科员刚改的回转窑"
    # Previewed again, the same file commits against the edited rows.
    page = upload(client, _file(enterprise)).get_data(as_text=True)
    response = client.post("/import/commit", data={"token": hidden(page, "token"), "sha256": hidden(page, "sha256")})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(ProductionLine, line.id)
    assert (stored.so2_t_yr, stored.facilities) == (41.0, "一位科员刚改的回转窑")
    assert db.session.query(Enterprise).filter_by(name="并发新增水泥有限公司").count() == 1


def test_an_edit_while_the_import_writes_is_named_and_nothing_is_written(app, firm, monkeypatch):
    """Another session edits one of the import's rows after it was planned and before it is written."""
    enterprise, line = firm
    take_lock = import_apply.lock_for_writing

    def edit_then_lock():
        _edit_elsewhere(app, line.id, "导入期间改的回转窑")
        take_lock()

    monkeypatch.setattr(import_apply, "lock_for_writing", edit_then_lock)
    with acting_as("cli:test", "import:并发.xlsx"):
        report = commit_file(_file(enterprise), "并发.xlsx")
    assert not report.committed and report.conflicts == ["并发水泥有限公司（生产线 1#窑）"]
    assert "未导入任何数据" in "\n".join(report.lines()) and "重新预览" in report.conflict_message
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(ProductionLine, line.id).facilities == "导入期间改的回转窑"
    assert db.session.get(ProductionLine, line.id).so2_t_yr == 30.0
    assert db.session.query(Enterprise).filter_by(name="并发新增水泥有限公司").count() == 0
    assert db.session.query(ImportBatch).count() == 0


def _clerk(app):
    """A second app on the same database (its own engine, a short SQLite busy timeout) and a logged-in clerk."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                        "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test", "SQLITE_BUSY_TIMEOUT_SECONDS": 0.2})
    client = other.test_client()
    with other.app_context():
        user = db.session.query(User).filter_by(username="并发科员").one()
        with client.session_transaction() as session:
            stamp(session, user)
    return other, client


def test_a_clerks_edit_during_an_import_is_busy_or_saved_never_500(app, firm, make_enterprise, make_user,
                                                                   monkeypatch):
    enterprise, _ = firm
    make_user("city", username="并发科员")
    other_firm = make_enterprise(name="另一家企业有限公司")
    db.session.commit()
    data = {"name": "改名后的另一家企业有限公司", "credit_code": other_firm.credit_code,
            "county_id": other_firm.county_id, "industry_id": other_firm.industry_id,
            "category_code": other_firm.category_code, "grade_code": other_firm.grade_code,
            "version": other_firm.version}
    clerk_app, clerk = _clerk(app)
    responses = []
    write = import_apply.Writer.write

    def write_then_edit(self, plans):
        write(self, plans)      # the import now holds SQLite's write lock (PostgreSQL: its own rows' locks)
        with clerk_app.app_context():
            responses.append(clerk.post(f"/enterprises/{other_firm.id}/edit", data=data))

    monkeypatch.setattr(import_apply.Writer, "write", write_then_edit)
    with acting_as("cli:test", "import:并发.xlsx"):
        report = commit_file(_file(enterprise), "并发.xlsx")
    assert report.committed
    db.session.commit()
    with clerk_app.app_context():
        db.engine.dispose()
    [response] = responses
    body = response.get_data(as_text=True)
    db.session.expire_all()
    if db.engine.dialect.name == "sqlite":
        assert response.status_code == 503 and "系统繁忙，请稍后重试" in body
        assert 'name="name" value="改名后的另一家企业有限公司"' in body and "Traceback" not in body
        assert db.session.get(Enterprise, other_firm.id).name == "另一家企业有限公司"
    else:
        assert response.status_code == 302
        assert db.session.get(Enterprise, other_firm.id).name == "改名后的另一家企业有限公司"
    # The import committed whole.
    assert db.session.get(ProductionLine, firm[1].id).so2_t_yr == 41.0
    assert db.session.query(Enterprise).filter_by(name="并发新增水泥有限公司").count() == 1


def _state():
    """The registry by natural keys (no ids or times), and the audit rows per table and action."""
    skip = {"id", "created_at", "updated_at", "enterprise_id", "line_id"}

    def values(obj):
        return tuple((c.key, getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip)
    db.session.expire_all()
    state = {}
    for firm in db.session.query(Enterprise):
        state[firm.credit_code] = values(firm)
        for line in firm.lines:
            state[(firm.credit_code, line.name)] = values(line)
            for measure in line.measures:
                state[(firm.credit_code, line.name, measure.level)] = values(measure)
    audit = sorted((row.entity_type, row.action, row.summary, row.source) for row in db.session.query(AuditLog))
    return state, audit


def test_chunked_planning_lands_what_the_whole_file_at_once_lands_on_the_demo(monkeypatch):
    load_demo(n=200)
    db.session.commit()
    buffer = io.BytesIO()
    export_registry(buffer)
    rows = list(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))
    code, planted = REGISTRY_KEYS.index("credit_code"), planted_defects()
    data = xlsx(("企业名录", [rows[0]] + [row for row in rows[1:] if row[code] not in planted]))
    wipe()
    states = []
    for chunk in (7, 10 ** 6):      # 29 chunks, then the whole file planned before anything is written
        monkeypatch.setattr(pipeline, "PLAN_CHUNK", chunk)
        with acting_as("cli:test", "import:名录.xlsx"):
            report = commit_file(data, "名录.xlsx")
        assert report.committed, report.lines()[:5]
        db.session.commit()
        states.append(_state())
        wipe()
    assert states[0] == states[1]
    assert len(states[0][0]) > 1000 and db.session.query(LineMeasure).count() == 0


def test_a_job_whose_rows_were_edited_since_the_preview_names_them(app, firm, make_user, login, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_SYNC", True)
    monkeypatch.setitem(app.config, "JOB_THRESHOLD_ROWS", 1)
    enterprise, line = firm
    client = login(make_user("city"))
    page = upload(client, _file(enterprise, so2=52.0)).get_data(as_text=True)
    assert "检查通过" in page
    _edit_elsewhere(app, line.id, "预览后改的回转窑")
    before = snapshot()
    response = client.post("/import/commit", data={"token": hidden(page, "token"), "sha256": hidden(page, "sha256")})
    job = db.session.get(Job, response.headers["Location"].rsplit("/", 1)[1])
    db.session.refresh(job)
    assert job.status == "failed" and "并发水泥有限公司（生产线 1#窑）" in job.message and "重新预览" in job.message
    assert snapshot() == before and db.session.get(ProductionLine, line.id).so2_t_yr == 30.0
