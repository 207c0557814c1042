"""Failing well: a busy SQLite gives 503 with the form kept; disk-full, read-only and unreachable databases get
Chinese pages that render without the database; a form without its version is refused; next= with a control
character is ignored; HSTS over HTTPS; no-store on logged-in pages and downloads."""
import errno
import re
import sqlite3

import pytest
from flask import Blueprint
from sqlalchemy.exc import OperationalError

from app import create_app
from emergency.web.sessions import stamp
from models import Enterprise, ProductionLine, User, db
from seed.load import load_reference
from tests.conftest import PASSWORD, new_credit_code
from tests.database import postgres_base

on_sqlite = pytest.mark.skipif(postgres_base() is not None, reason="SQLite's own locking and files")


@pytest.fixture
def own_db(tmp_path, password_hash):
    """An app on its own SQLite file (in a folder of its own), with reference data, a firm and a city user."""
    folder = tmp_path / "data"
    folder.mkdir()

    def make(**config):
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'own.sqlite'}", "TESTING": True,
                          "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test", **config})
        with app.app_context():
            db.create_all()
            if db.session.query(User).count() == 0:
                load_reference()
                db.session.add(User(username="clerk", role="city", password_hash=password_hash))
                from models import Category, County, Industry
                db.session.add(Enterprise(
                    name="忙时水泥有限公司", credit_code=new_credit_code(),
                    county=db.session.query(County).filter_by(name="城区").one(),
                    industry=db.session.query(Industry).filter_by(code="boiler").one(),
                    category=db.session.get(Category, "GENERAL")))
                db.session.commit()
        return app
    yield make, folder


def _client(app):
    client = app.test_client()
    with app.app_context():
        user = db.session.query(User).filter_by(username="clerk").one()
        with client.session_transaction() as session:
            stamp(session, user)
    return client


def _edit_data(app, **changes):
    with app.app_context():
        firm = db.session.query(Enterprise).one()
        data = {"name": firm.name, "credit_code": firm.credit_code, "county_id": firm.county_id,
                "industry_id": firm.industry_id, "category_code": firm.category_code, "version": firm.version}
        return firm.id, {**data, **changes}


@on_sqlite
def test_an_edit_during_a_long_write_gets_busy_503_with_the_form_kept(own_db):
    make, folder = own_db
    app = make(SQLITE_BUSY_TIMEOUT_SECONDS=0.2)
    client = _client(app)
    firm_id, data = _edit_data(app, name="改名后的忙时水泥有限公司")
    writer = sqlite3.connect(folder / "own.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")    # a long import's write transaction
    writer.execute("UPDATE county SET name = name")
    try:
        with app.app_context():
            response = client.post(f"/enterprises/{firm_id}/edit", data=data)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "系统繁忙，请稍后重试" in body and response.headers["Retry-After"]
    assert 'name="name" value="改名后的忙时水泥有限公司"' in body and f'action="/enterprises/{firm_id}/edit"' in body
    assert "Traceback" not in body and "database is locked" not in body
    resent = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    with app.app_context():
        assert client.post(f"/enterprises/{firm_id}/edit", data=resent).status_code == 302   # 重新提交, lock gone
        assert db.session.get(Enterprise, firm_id).name == "改名后的忙时水泥有限公司"
        db.engine.dispose()


@on_sqlite
def test_a_read_only_database_is_explained_even_on_the_login_page(own_db):
    make, folder = own_db
    app = make()   # create the file, then open it read-only
    with app.app_context():
        db.engine.dispose()
    ro = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{folder / 'own.sqlite'}?mode=ro&uri=true",
                     "TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test"})
    client = ro.test_client()
    with ro.app_context():
        assert client.get("/login").status_code == 200
        response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
        db.engine.dispose()
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "数据库当前为只读" in body and "联系系统管理员" in body
    assert "Internal Server Error" not in body


@on_sqlite
def test_the_error_page_renders_without_the_database(own_db):
    make, folder = own_db
    app = make()
    client = _client(app)
    with app.app_context():
        db.engine.dispose()
    folder.rename(folder.parent / "gone")     # every new connection now fails
    with app.app_context():
        page = client.get("/enterprises")
        missing = client.get("/no-such-page")
        anonymous = app.test_client().get("/login")
        db.engine.dispose()
    assert page.status_code == 503 and "数据库暂时无法连接" in page.get_data(as_text=True)
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert anonymous.status_code == 503 and "请求编号" in anonymous.get_data(as_text=True)
    for response in (page, missing, anonymous):
        assert response.headers["X-Request-Id"] in response.get_data(as_text=True)


@pytest.mark.parametrize("error, title", [
    (OSError(errno.ENOSPC, "No space left on device"), "服务器磁盘已满"),
    (OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")), "服务器磁盘已满"),
    (OperationalError("UPDATE", {}, sqlite3.OperationalError("attempt to write a readonly database")),
     "数据库当前为只读"),
    (OSError(errno.EROFS, "Read-only file system"), "数据库当前为只读"),
])
def test_disk_full_and_read_only_get_explained_pages(app, error, title):
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                        "WTF_CSRF_ENABLED": False})
    failing = Blueprint("failing", __name__)

    @failing.route("/failing-test", methods=["POST"])
    def fail():
        raise error

    fresh.register_blueprint(failing)
    response = fresh.test_client().post("/failing-test", data={"x": "1"})
    with fresh.app_context():
        db.engine.dispose()
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and title in body and "重新提交" not in body


def test_an_edit_without_its_version_is_refused(client, login, make_user, make_enterprise, make_line):
    firm = make_enterprise(name="版本水泥有限公司")
    line = make_line(firm)
    city = login(make_user("city"))
    data = {"name": "无版本改名有限公司", "credit_code": firm.credit_code, "county_id": firm.county_id,
            "industry_id": firm.industry_id, "category_code": firm.category_code, "grade_code": firm.grade_code}
    response = city.post(f"/enterprises/{firm.id}/edit", data=data)
    assert response.status_code == 409 and "该记录已被他人修改" in response.get_data(as_text=True)
    url = f"/enterprises/{firm.id}/lines/{line.id}/edit"
    fields = {"name": "改名线", "process_stage": "熟料烧成", "facilities": "回转窑", "capacity": "2500",
              "capacity_unit": "吨/日", "so2_t_yr": "30", "nox_t_yr": "60", "pm_t_yr": "15", "vocs_t_yr": "0",
              "operating_days": "300", "yellow-action": "none", "yellow-transport": "no_g4", "yellow-text": "黄",
              "orange-action": "limit", "orange-limit_pct": "20", "orange-transport": "no_g4", "orange-text": "橙",
              "red-action": "stop", "red-transport": "no_g4", "red-text": "红"}
    line_response = city.post(url, data=fields)
    assert line_response.status_code == 409 and "该记录已被他人修改" in line_response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enterprise, firm.id).name == "版本水泥有限公司"
    assert db.session.get(ProductionLine, line.id).name == "1#生产线"
    # The same form with the version it was opened on saves.
    assert city.post(url, data={**fields, "version": str(line.version)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ProductionLine, line.id).name == "改名线"


@pytest.mark.parametrize("target", ["/enterprises\r\nX-Injected: 1", "/enterprises\n", "/enter\tprises",
                                    "/\\\\evil.example", "/enterprises\x7f"])
def test_a_control_character_in_next_is_ignored(client, make_user, target):
    make_user("city", username="clerk")
    response = client.post("/login", query_string={"next": target}, data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_hsts_over_https_only(client):
    plain = client.get("/login")
    assert "Content-Security-Policy" in plain.headers and "Strict-Transport-Security" not in plain.headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_store_on_logged_in_pages_and_downloads_only(client, login, make_user):
    anonymous = client.get("/login")
    assert "X-Request-Id" in anonymous.headers and "Cache-Control" not in anonymous.headers
    city = login(make_user("city"))
    for path in ("/enterprises", "/import/template.xlsx", "/no-such-page"):
        assert city.get(path).headers["Cache-Control"] == "no-store", path
    static = city.get("/static/css/app.css")
    static.close()
    assert static.headers["Cache-Control"] == "no-cache"   # the browser's own revalidation, not no-store
    assert client.get("/api/v1/lists/red").headers["Cache-Control"] == "no-store"
