"""/import: who may import, preview then commit, bad files, tampering, re-validation, template and history."""
import io
import re

import pytest
from openpyxl import load_workbook

from app import create_app
from emergency.importing.pipeline import inspect_file
from emergency.registry.operations import measure_types
from emergency.spreadsheets.registry import REGISTRY_HEADERS
from emergency.web.sessions import stamp
from models import AuditLog, Enterprise, ImportBatch, db
from tests.conftest import new_credit_code
from tests.import_support import registry_rows, snapshot, xlsx

PAGES = ["/import", "/import/template.xlsx", "/import/history"]


def clean_file(county="城区", name="新水泥有限公司", code=None, grade="B"):
    row = {"name": name, "credit_code": code or new_credit_code(), "county": county,
           "industry_name": "水泥（熟料）", "grade": grade, "line_name": "1#窑", "so2_t_yr": 3,
           "yellow_action": "限产", "yellow_limit_pct": 20, "red_text": "停产"}
    return xlsx(("企业名录", registry_rows([row])))


def upload(client, data, filename="清单.xlsx"):
    return client.post("/import", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def hidden(page, name):
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    """Keep previewed uploads in the test's own folder, never in the instance folder."""
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))


def stored_uploads(app):
    """The kept uploads' files, on either storage backend."""
    from emergency.importing import uploads

    return uploads.kept()


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_enterprise_users_may_not_import(login, make_user, make_enterprise):
    enterprise = make_enterprise()
    client = login(make_user("enterprise", enterprise=enterprise))
    before = snapshot()
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert upload(client, clean_file()).status_code == 403
    assert client.post("/import/commit", data={"token": "x" * 43, "sha256": "0" * 64}).status_code == 403
    assert snapshot() == before
    nav = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True).split("</nav>")[0]
    assert "本企业" in nav and "我的申请" in nav and "导入" not in nav


@pytest.mark.parametrize("role, county_name", [("admin", None), ("city", None), ("county", "城区")])
def test_staff_see_the_import_page_and_link(login, make_user, role, county_name):
    client = login(make_user(role, county_name=county_name))
    page = client.get("/import").get_data(as_text=True)
    assert "上传并预览" in page and 'href="/import"' in page and "下载导入模板" in page


def test_preview_writes_nothing_and_commit_imports_the_same_bytes(app, login, make_user):
    client = login(make_user("city", username="clerk"))
    before, kept = snapshot(), stored_uploads(app)
    response = upload(client, clean_file(name="预览水泥有限公司"), "城区清单.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "导入预览：城区清单.xlsx" in page and "检查通过" in page and "确认导入" in page
    assert re.search(r"<td>企业</td><td class=\"num\">1</td><td class=\"num\">0</td>", page)
    assert snapshot() == before
    assert len(stored_uploads(app)) == len(kept) + 2
    token, digest = hidden(page, "token"), hidden(page, "sha256")
    response = client.post("/import/commit", data={"token": token, "sha256": digest})
    assert response.status_code == 302 and response.headers["Location"].endswith("/import/history")
    enterprise = db.session.query(Enterprise).filter_by(name="预览水泥有限公司").one()
    assert [line.name for line in enterprise.lines] == ["1#窑"]
    batch = db.session.query(ImportBatch).one()
    assert (batch.username, batch.source, batch.filename, batch.sha256, batch.county_id) == \
        ("clerk", "web", "城区清单.xlsx", digest, None)
    sources = {row.source for row in db.session.query(AuditLog).filter(AuditLog.enterprise_id == enterprise.id)}
    assert sources == {"import:城区清单.xlsx"}
    assert stored_uploads(app) == kept
    history = client.get("/import/history").get_data(as_text=True)
    assert "城区清单.xlsx" in history and "clerk" in history and "已导入" in history
    # The same token cannot be committed twice.
    again = client.post("/import/commit", data={"token": token, "sha256": digest}, follow_redirects=True)
    assert "预览的文件已失效" in again.get_data(as_text=True)
    assert db.session.query(ImportBatch).count() == 1


def test_a_file_with_problems_shows_them_and_offers_no_commit(app, login, make_user):
    client = login(make_user("city"))
    before, kept = snapshot(), stored_uploads(app)
    response = upload(client, clean_file(county="火星县"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "发现问题 1 项，不能导入，未写入任何数据" in page
    assert "<td class=\"num\">2</td>" in page and "C（县（市、区））" in page and "火星县" in page
    assert "确认导入" not in page
    assert snapshot() == before and stored_uploads(app) == kept


@pytest.mark.parametrize("data, filename, message", [
    (b"", "清单.xlsx", "文件是空的（0字节）"),
    (b"\x00\x01garbage" * 20, "清单.xlsx", "文件扩展名为 .xlsx，但内容不是表格文件"),
    (b"PK\x03\x04" + b"\x01" * 300, "清单.xlsx", "文件已损坏，无法读取"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "清单.xlsx", "工作簿设有密码保护"),
    (b"a,b\n", "清单.pdf", "不支持的文件类型“.pdf”"),
])
def test_bad_files_get_a_clear_error_and_nothing_is_written(app, login, make_user, data, filename, message):
    client = login(make_user("city"))
    before, kept = snapshot(), stored_uploads(app)
    response = upload(client, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "Traceback" not in page and "文件无法导入，未写入任何数据" in page
    assert snapshot() == before and stored_uploads(app) == kept


def test_missing_file_and_size_limits(app, login, make_user, monkeypatch):
    client = login(make_user("city"))
    response = client.post("/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择要导入的文件" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024)
    response = upload(client, clean_file())
    assert response.status_code == 400 and "超过上限 1.0 KB" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = upload(client, b"x" * 4096, "清单.csv")
    assert response.status_code == 413 and "上传的文件过大" in response.get_data(as_text=True)
    assert db.session.query(Enterprise).count() == 0


def test_commit_needs_the_same_user_and_digest(login, make_user):
    clerk, other = make_user("city"), make_user("city")
    client = login(clerk)
    page = upload(client, clean_file()).get_data(as_text=True)
    token, digest = hidden(page, "token"), hidden(page, "sha256")
    for data in ({"token": token, "sha256": "0" * 64}, {"token": "../../etc/passwd", "sha256": digest}, {}):
        response = client.post("/import/commit", data=data, follow_redirects=True)
        assert "预览的文件已失效或不属于您" in response.get_data(as_text=True)
    response = login(other).post("/import/commit", data={"token": token, "sha256": digest}, follow_redirects=True)
    assert "预览的文件已失效或不属于您" in response.get_data(as_text=True)
    assert db.session.query(Enterprise).count() == 0 and db.session.query(ImportBatch).count() == 0


@pytest.mark.mutates_reference
def test_commit_re_checks_and_refuses_whole(login, make_user, industry):
    client = login(make_user("city"))
    page = upload(client, clean_file(grade="B-")).get_data(as_text=True)
    assert "检查通过" in page
    industry("cement_clinker").allows_b_minus = False
    db.session.commit()
    before = snapshot()
    response = client.post("/import/commit", data={"token": hidden(page, "token"), "sha256": hidden(page, "sha256")})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "分级方案不允许“B-”" in page and "未写入任何数据" in page and "确认导入" not in page
    assert snapshot() == before


def test_county_staff_rows_of_other_counties_are_problems(login, make_user):
    client = login(make_user("county", county_name="泽州县"))
    page = upload(client, clean_file(county="城区")).get_data(as_text=True)
    assert "不属于您所在的县（市、区）（泽州县），无权导入" in page and "确认导入" not in page
    page = upload(client, clean_file(county="泽州县")).get_data(as_text=True)
    assert "检查通过" in page
    client.post("/import/commit", data={"token": hidden(page, "token"), "sha256": hidden(page, "sha256")})
    assert db.session.query(ImportBatch).one().county_id == db.session.query(Enterprise).one().county_id


def test_history_is_scoped_for_county_staff(login, make_user, county):
    db.session.add_all([ImportBatch(filename="全市.xlsx", size=1, sha256="a" * 64, status="committed"),
                        ImportBatch(filename="泽州.xlsx", size=1, sha256="b" * 64, status="committed",
                                    county_id=county("泽州县").id),
                        ImportBatch(filename="城区.xlsx", size=1, sha256="c" * 64, status="no_changes",
                                    county_id=county("城区").id)])
    db.session.commit()
    page = login(make_user("county", county_name="泽州县")).get("/import/history").get_data(as_text=True)
    assert "泽州.xlsx" in page and "城区.xlsx" not in page and "全市.xlsx" not in page
    page = login(make_user("city")).get("/import/history").get_data(as_text=True)
    assert all(name in page for name in ("全市.xlsx", "泽州.xlsx", "城区.xlsx", "无变化"))


def test_template_is_blank_explains_every_column_and_reads_back(login, make_user):
    response = login(make_user("county", county_name="城区")).get("/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["企业名录", "填写说明", "选项"]
    assert [c.value for c in workbook["企业名录"][1]] == list(REGISTRY_HEADERS)
    assert workbook["企业名录"].max_row == 1
    guide = {row[0]: row[1:] for row in workbook["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert set(guide) == set(REGISTRY_HEADERS)
    assert guide["县（市、区）"][0] == "必填" and "泽州县" in guide["县（市、区）"][2]
    assert "水泥（熟料）" in guide["行业类别"][2] and "B-" in guide["绩效等级"][2]
    types = guide["黄色预警措施类型"][2]
    assert all(label in types for label in measure_types().labels.values())
    assert "限产（填“限产/停产比例(%)”）" in types and "延长结焦时间（填“延长后结焦时间(小时)”）" in types
    assert guide["红色预警运输管控"][2] == "无运输管控、禁止国四及以下重型载货车辆（含燃气）运输、停止公路运输"
    assert guide["分类原因"][0] == "保障类、不纳入绩效分级必填"
    assert all(reason in guide["分类原因"][2] for reason in ("保障民生", "保障城市正常运转", "国家战略性产业",
                                                          "不能稳定达标排放"))
    assert "居民供暖锅炉" in guide["管控类别"][1] and "1–240小时" in guide["正常结焦时间(小时)"][1]
    report, _ = inspect_file(response.data, "模板.xlsx")
    assert report.file_error == "表中没有数据行" and report.skipped == ["填写说明"]    # the hidden list is not read


def test_template_has_drop_down_lists_from_a_hidden_sheet(login, make_user):
    response = login(make_user("city")).get("/import/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    lists = workbook["选项"]
    assert lists.sheet_state == "hidden"
    columns = {col[0].column_letter: [c.value for c in col if c.value is not None] for col in lists.iter_cols()}
    headers = list(REGISTRY_HEADERS)
    found = {}
    for validation in workbook["企业名录"].data_validations.dataValidation:
        assert validation.type == "list" and validation.errorStyle == "warning"
        [cells] = validation.sqref.ranges
        assert (cells.min_col, cells.max_col, cells.min_row, cells.max_row) == (cells.min_col, cells.min_col, 2, 2001)
        match = re.fullmatch(r"'选项'!\$([A-Z]+)\$1:\$\1\$(\d+)", validation.formula1)
        assert match, validation.formula1
        values = columns[match.group(1)]
        assert len(values) == int(match.group(2))
        found[headers[cells.min_col - 1]] = values
    types = list(measure_types().labels.values())
    assert set(found) == {"县（市、区）", "行业类别", "绩效等级", "黄色预警措施类型", "橙色预警措施类型", "红色预警措施类型"}
    assert "泽州县" in found["县（市、区）"] and "城区" in found["县（市、区）"]
    assert "水泥（熟料）" in found["行业类别"] and "铸造（铸件）" in found["行业类别"]
    assert "B-" in "".join(found["绩效等级"])
    assert all(found[f"{label}预警措施类型"] == types for label in ("黄色", "橙色", "红色"))


def test_commit_without_csrf_token_is_refused(app, make_user):
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "IMPORT_FOLDER")}
    csrf_app = create_app({**config, "TESTING": True, "WTF_CSRF_ENABLED": True})
    user = make_user("city")
    client = csrf_app.test_client()
    with client.session_transaction() as session:
        stamp(session, user)
    with csrf_app.app_context():
        assert client.post("/import/commit", data={"token": "x" * 43, "sha256": "0" * 64}).status_code == 400
        assert upload(client, clean_file()).status_code == 400
        db.engine.dispose()
    assert db.session.query(ImportBatch).count() == 0
