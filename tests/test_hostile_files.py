"""Hostile files: formula-like text stays text in every workbook, refused uploads write nothing, and
attachments are typed by content, renamed at random and reachable only through their own request."""
import io
import re
import zipfile
from pathlib import Path

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from emergency.platform import storage
from models import (
    Alert,
    Enterprise,
    GradeRequest,
    ImportBatch,
    LineMeasure,
    ListVersion,
    ProductionLine,
    RequestAttachment,
    db,
)
from tests.conftest import new_credit_code
from tests.import_support import csv_bytes, registry_rows, snapshot
from tests.test_workflow import VALUES

FORMULA_STARTS = ("=", "+", "-", "@")
NAME = '=HYPERLINK("http://evil.example","点我")'
ADDED = "+SUM(1,2)公司"
LINE, FACILITIES, TEXT, INDICATORS = "+1", "@SUM(A1)", "-2+3", "=1+1"
# The clinker C floors (停产, trucks banned): no quality error holds back publishing or the alert.
MEASURES = {level: ("stop", None, None, "no_g4") for level in ("yellow", "orange", "red")}
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def body(response):
    return response.get_data(as_text=True)


def cells(data):
    """Every non-empty cell of a workbook: (sheet, cell)."""
    workbook = load_workbook(io.BytesIO(data))
    return [(ws.title, cell) for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
            if cell.value is not None]


def assert_no_formulas(data, expected=(), where=""):
    """No cell is a formula; formula-like text is a string cell with Excel's quote prefix; ``expected`` appear (a
    measure text follows its measure's label in a list's 减排措施 cell)."""
    found = cells(data)
    assert found, where
    for sheet, cell in found:
        assert cell.data_type != "f", (where, sheet, cell.coordinate, cell.value)
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            assert cell.data_type == "s" and cell.quotePrefix, (where, sheet, cell.coordinate, cell.value)
    values = {cell.value for _, cell in found}
    for text in expected:
        assert text in values or any(isinstance(v, str) and text in v for v in values), (where, text)
    return {sheet for sheet, _ in found}


@pytest.fixture
def formulas(make_enterprise, make_line, make_user, login):
    firm = make_enterprise(name=NAME, county_name="泽州县", grade="C")
    line = make_line(firm, name=LINE, facilities=FACILITIES, process_stage="=A1", measures=MEASURES)
    for measure in line.measures:
        measure.text, measure.indicators = "旧措施", INDICATORS
    db.session.commit()
    city = make_user("city")
    client = login(city)
    assert client.post("/versions/new", data={"name": "=旧版本"}).status_code == 302
    for measure in line.measures:
        measure.text = TEXT
    make_line(make_enterprise(name=ADDED, county_name="泽州县"), name="-1", measures=MEASURES)
    assert client.post("/versions/new", data={"name": "@新版本"}).status_code == 302
    return {"firm": firm, "line": line, "client": client}


def measure_texts(data):
    """The 减排措施 cells of a list workbook: the measure's label first, then its text (TEXT is inside)."""
    return [row[9] for row in load_workbook(io.BytesIO(data))["清单"].iter_rows(min_row=3, values_only=True)]


def test_live_list_registry_and_county_zip(formulas):
    client = formulas["client"]
    expected = (NAME, LINE, FACILITIES)
    for level in ("yellow", "orange", "red"):
        data = client.get(f"/lists/{level}/export.xlsx").data
        assert assert_no_formulas(data, expected, level) == {"汇总", "清单", "停限产企业", "全国格式清单", "企业基本信息", "说明"}
        assert any(f"。{TEXT}（" in cell for cell in measure_texts(data)), level
        # The 停限产企业 sheet names the firm too.
        orders = load_workbook(io.BytesIO(data))["停限产企业"]
        assert NAME in [row[2] for row in orders.iter_rows(values_only=True)]
    archive = zipfile.ZipFile(io.BytesIO(client.get("/lists/red/counties.zip").data))
    members = {name: archive.read(name) for name in archive.namelist()}
    assert len(members) == 7
    for name, data in members.items():
        assert_no_formulas(data, expected if name.startswith("泽州县") else (), name)
    data = client.get("/registry/export.xlsx").data
    assert_no_formulas(data, (NAME, ADDED, LINE, FACILITIES, TEXT, INDICATORS, "=A1"), "registry")


def test_version_compare_dispatch_and_template(formulas):
    client = formulas["client"]
    old, new = (v.id for v in db.session.query(ListVersion).order_by(ListVersion.id))
    expected = (NAME, LINE, FACILITIES)
    for level in ("yellow", "red"):
        data = client.get(f"/versions/{new}/{level}/export.xlsx").data
        # The version's name, "@新版本", is on its 说明 sheet: text too.
        assert assert_no_formulas(data, expected + ("@新版本",), level) == {"汇总", "清单", "停限产企业", "全国格式清单", "企业基本信息", "说明"}
        assert any(f"。{TEXT}（" in cell for cell in measure_texts(data)), level
    data = client.get(f"/versions/compare.xlsx?old={old}&new={new}").data
    assert assert_no_formulas(data, (NAME, ADDED, LINE), "compare") == {"汇总", "变化明细"}

    response = client.post("/alerts/new", data={"level": "red", "scope": "all", "started_at": "2020-12-01T08:00"})
    assert response.status_code == 302
    alert = db.session.query(Alert).one()
    for dispatch in alert.steps[0].dispatches:
        response = client.get(f"/dispatches/{dispatch.id}/download")
        assert response.status_code == 200
        assert_no_formulas(response.data, expected if dispatch.county.name == "泽州县" else (), dispatch.filename)
    # The template echoes only reference data, never a formula.
    assert_no_formulas(client.get("/import/template.xlsx").data, (), "template")


# --- /import: files that are not what they claim, or too big once unpacked -------------------------------

def zip_bomb(size):
    """A small .xlsx-shaped zip whose sheet inflates to ``size`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<sheetData>" + b" " * size + b"</sheetData>")
    return buffer.getvalue()


@pytest.fixture
def importer(app, tmp_path, monkeypatch, make_user, login):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))
    return login(make_user("city"))


def upload(client, data, filename):
    return client.post("/import", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


@pytest.mark.parametrize("data, filename, message", [
    (PNG, "清单.xlsx", "内容不是表格文件"),
    (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>", "清单.xlsx", "网页"),
    ("企业名称,统一社会信用代码\n甲,1\n".encode(), "清单.xlsx", "内容是文本文件"),
    (PDF, "清单.xlsx", "文件扩展名为 .xlsx，但内容"),
    (EXE, "清单.xls", "内容不是表格文件"),
    (bytes(range(256)) * 8, "清单.csv", "内容不是表格文件"),
    (PNG, "清单.csv", "内容不是表格文件"),
])
def test_files_that_are_not_spreadsheets_are_refused(app, importer, data, filename, message):
    before, folder = snapshot(), Path(app.config["IMPORT_FOLDER"])
    response = upload(importer, data, filename)
    page = body(response)
    assert response.status_code == 400 and message in page and "文件无法导入，未写入任何数据" in page
    assert "Traceback" not in page and "Error" not in page
    assert snapshot() == before and not (folder.exists() and any(folder.iterdir()))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, importer, monkeypatch):
    bomb = zip_bomb(30 * 1024 * 1024)
    assert len(bomb) < 100 * 1024
    before = snapshot()
    # The unpacked limit defaults to 20 times the size limit: 1 MB here.
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 50 * 1024)
    response = upload(importer, bomb, "清单.xlsx")
    assert response.status_code == 400 and "疑为异常文件，已拒绝" in body(response)
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_BYTES", 10 * 1024 * 1024)
    response = upload(importer, bomb, "清单.xlsx")
    assert response.status_code == 400 and "超过上限 10.0 MB" in body(response)
    assert snapshot() == before and db.session.query(ImportBatch).count() == 0


def test_nul_characters_in_a_file_or_its_name_are_dropped(app, importer):
    """NUL cannot be stored by PostgreSQL; old .xls and CSV writers leave them in cells."""
    rows = [{"name": f"企业{i}", "credit_code": new_credit_code(), "county": "城区", "industry_name": "水泥（熟料）",
             "grade": "B", "line_name": "1#线", "red_text": "停产"} for i in range(30)]
    rows[-1].update(name="新\x00企业", line_name="2#\x00线", red_text="全部\x00停产")
    data = csv_bytes(registry_rows(rows))
    assert data.index(b"\x00") > 2048   # a NUL at the start marks a binary file, refused as such
    response = upload(importer, data, "清\x00单.csv")
    page = body(response)
    assert response.status_code == 200 and "导入预览：清单.csv" in page and "\x00" not in page
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    digest = re.search(r'name="sha256" type="hidden" value="([^"]+)"', page).group(1)
    assert importer.post("/import/commit", data={"token": token, "sha256": digest}).status_code == 302
    assert db.session.query(ImportBatch).one().filename == "清单.csv"
    firm = db.session.query(Enterprise).filter_by(name="新企业").one()
    assert [line.name for line in firm.lines] == ["2#线"]
    assert firm.lines[0].measure_for("red").text == "全部停产"
    stored = [e.name for e in db.session.query(Enterprise)] + [p.name for p in db.session.query(ProductionLine)] \
        + [m.text for m in db.session.query(LineMeasure)]
    assert not any("\x00" in text for text in stored)


# --- attachments -------------------------------------------------------------------------------------------

@pytest.fixture
def attachment_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


def apply(client, files, submit=False):
    data = {**VALUES, "files": [(io.BytesIO(content), name) for name, content in files],
            "submit" if submit else "save": "1"}
    return client.post("/requests/new", data=data, content_type="multipart/form-data")


def everything_under(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize("name, content", [
    ("报告.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("报告.pdf", EXE),
    ("照片.png", b"GIF89a\x01\x00\x01\x00"),
    ("报告.pdf", b"  %PDF-1.4 leading spaces"),
    ("报告.pdf", b"%PD"),
])
def test_attachments_are_typed_by_content(parties, login, attachment_dir, tmp_path, name, content):  # noqa: F811
    client = login(parties["ent"])
    response = apply(client, [(name, content)])
    assert response.status_code == 200 and "未保存任何内容，所选附件也未上传" in body(response)
    assert db.session.query(GradeRequest).count() == 0 and db.session.query(RequestAttachment).count() == 0
    assert everything_under(tmp_path) == []


def raw_multipart(filename, content):
    """A request body as a hostile client may send it: the file name's bytes exactly as given, unencoded."""
    fields = [f'--XyZ\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
              for key, value in {**VALUES, "save": "1"}.items()]
    head = b'--XyZ\r\nContent-Disposition: form-data; name="files"; filename="' + filename + b'"\r\n\r\n'
    return b"".join(fields) + head + content + b"\r\n--XyZ--\r\n"


@pytest.mark.parametrize("name, shown", [
    (rb"..\..\x.pdf", "x.pdf"),
    (rb"..\\..\\x.pdf", "x.pdf"),
    (b"../../etc/passwd.pdf", "passwd.pdf"),
    (b"/etc/cron.d/evil.pdf", "evil.pdf"),
    ("监测\x00报告.pdf".encode(), "监测报告.pdf"),
    (b"\x1b[31m\x07.pdf", "[31m.pdf"),
    (rb'a\"; filename=evil.html; x=\".pdf', "a_; filename=evil.html; x=_.pdf"),
    (b"<img src=x onerror=alert(1)>.pdf", "_img src=x onerror=alert(1)_.pdf"),
    ("\u202egnp.pdf".encode(), "gnp.pdf"),
])
def test_attachment_names_are_sanitised_and_files_land_only_in_the_attachments_dir(
        parties, login, attachment_dir, tmp_path, name, shown):  # noqa: F811
    client = login(parties["ent"])
    response = client.post("/requests/new", data=raw_multipart(name, PDF),
                           content_type="multipart/form-data; boundary=XyZ")
    assert response.status_code == 302
    item = db.session.query(RequestAttachment).one()
    assert item.display_name == shown
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", item.stored_name)
    if storage.backend() == "database":
        assert everything_under(tmp_path) == [] and storage.names("attachments") == [item.stored_name]
    else:
        assert everything_under(tmp_path) == [f"attachments/{item.stored_name}"]
    with client.get(f"/requests/{item.request_id}/attachments/{item.id}") as response:
        assert response.status_code == 200 and response.data == PDF
        disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and not re.search(r"[\r\n\x00]", disposition)
    page = body(client.get(f"/requests/{item.request_id}"))
    assert str(escape(shown)) in page and "<img src=x" not in page


def test_control_characters_never_reach_a_display_name():
    from emergency.grading.attachments import clean_display_name

    assert clean_display_name("line\rbreak\n\t.pdf") == "linebreak.pdf"
    assert clean_display_name("a\x00b\x7f.pdf") == "ab.pdf"


def test_attachment_ids_must_belong_to_the_request(parties, login, attachment_dir):  # noqa: F811
    client = login(parties["ent"])
    assert apply(client, [("a.pdf", PDF)]).status_code == 302
    first = db.session.query(RequestAttachment).one()
    # A second request of the same enterprise (the first is withdrawn so a new one may be opened).
    req = db.session.get(GradeRequest, first.request_id)
    assert client.post(f"/requests/{req.id}/withdraw", data={"version": req.version}).status_code == 302
    assert apply(client, [("b.png", PNG)]).status_code == 302
    second = db.session.query(RequestAttachment).filter(RequestAttachment.id != first.id).one()
    for request_id, attachment_id, status in ((first.request_id, first.id, 200), (second.request_id, second.id, 200),
                                              (first.request_id, second.id, 404), (second.request_id, first.id, 404),
                                              (first.request_id, 2**31 - 1, 404), (2**31 - 1, first.id, 404)):
        with client.get(f"/requests/{request_id}/attachments/{attachment_id}") as response:
            assert response.status_code == status, (request_id, attachment_id)
    # Deleting through the wrong request is refused too, and removes nothing.
    assert client.post(f"/requests/{second.request_id}/attachments/{first.id}/delete").status_code == 404
    # Another enterprise's user, and another county's staff, get 404 for both.
    for party in ("ent_other", "county_other"):
        other = login(parties[party])
        for item in (first, second):
            with other.get(f"/requests/{item.request_id}/attachments/{item.id}") as response:
                assert response.status_code == 404, party
    assert db.session.query(RequestAttachment).count() == 2
