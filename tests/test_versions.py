"""Published list versions: frozen against later edits, exported like the live list, compared, access-checked."""
import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from emergency.errors import DomainError
from emergency.lists.exports import export_list
from emergency.lists.notes import beijing_time
from emergency.lists.quality import run_checks
from emergency.publishing.versions import export_version, publish_version, version_totals
from emergency.spreadsheets.layout import LINE_HEIGHT
from models import (
    LEVELS,
    POLLUTANTS,
    AuditLog,
    County,
    Enterprise,
    Grade,
    LineMeasure,
    ListVersion,
    NonIndustrialReduction,
    VersionRow,
    WholeSocietyEmission,
    db,
)
from tests.baseline_support import set_baselines

# Measures that meet the clinker floors (B: trucks banned at yellow, 限产20% at orange, 停产 at red; C stops).
FULL = {"yellow": ("other", None, 0.1, "no_g4"), "orange": ("limit", 20.0, None, "no_g4"),
        "red": ("stop", None, None, "no_g4")}
C_FULL = {level: ("stop", None, None, "no_g4") for level in LEVELS}


def sheets(data):
    """{sheet name: [row values]} of a workbook, title rows included."""
    workbook = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


@pytest.fixture
def registry(make_enterprise, make_line, county):
    """Two enterprises in 城区 and one in 泽州县, with whole-society baselines for every county."""
    season = set_baselines({(c.id, p): 10.0 for c in db.session.query(County) for p in POLLUTANTS})
    # And a non-industrial reduction (dust) in 城区 at every level.
    for level in LEVELS:
        db.session.add(NonIndustrialReduction(season_id=season.id, county_id=county("城区").id, level=level,
                                              source_type="dust", pollutant="so2", reduction_t_per_day=0.5))
    db.session.commit()
    city_a = make_enterprise(name="城区甲水泥", county_name="城区")
    make_line(city_a, name="1#窑", measures=FULL)
    make_line(city_a, name="2#窑", measures=FULL, so2_t_yr=90.0)
    city_b = make_enterprise(name="城区乙水泥", county_name="城区", grade="C")
    make_line(city_b, name="1#窑", measures=C_FULL)
    zezhou = make_enterprise(name="泽州丙水泥", county_name="泽州县")
    make_line(zezhou, name="1#窑", measures=FULL)
    return {"city_a": city_a, "city_b": city_b, "zezhou": zezhou}


@pytest.fixture
def publish(make_user, login):
    """Publish a version through the web as a city user; return it."""
    def run(name="2020年修订版", note=""):
        client = login(make_user("city"))
        response = client.post("/versions/new", data={"name": name, "note": note})
        assert response.status_code == 302, response.get_data(as_text=True)
        return db.session.query(ListVersion).filter_by(name=name).one()
    return run


def version_workbook(client, version, level, query=""):
    response = client.get(f"/versions/{version.id}/{level}/export.xlsx{query}")
    assert response.status_code == 200
    return sheets(response.data)


def test_publish_freezes_every_level_with_plain_values(registry, publish):
    version = publish(note="秋冬季")
    assert (version.enterprises, version.lines, version.note) == (3, 4, "秋冬季")
    rows = db.session.query(VersionRow).filter_by(version_id=version.id).all()
    assert sorted({r.level for r in rows}) == sorted(LEVELS) and len(rows) == 12
    kiln = next(r for r in rows if r.level == "orange" and r.enterprise_name == "城区甲水泥" and r.line_name == "2#窑")
    assert (kiln.county_name, kiln.grade_label, kiln.action, kiln.limit_pct) == ("城区", "B", "limit", 20.0)
    assert (kiln.measure_text, kiln.indicators, kiln.facilities) == ("orange措施", "用电量", "回转窑")
    assert kiln.so2_t_d == pytest.approx(90.0 / 300 * 0.2)
    logged = db.session.query(AuditLog).filter_by(entity_type="list_version").one()
    assert logged.action == "create" and "2020年修订版" in logged.summary and logged.username.startswith("city")


def test_published_version_is_unchanged_by_later_edits(registry, publish, make_user, login, make_enterprise,
                                                       make_line):
    version = publish()
    client = login(make_user("city"))
    before = {level: version_workbook(client, version, level) for level in LEVELS}
    totals_before = version_totals(version)
    # Edit everything the list is made of: measures, names, grades, lines, enterprises, baselines, non-industrial
    # reductions.
    measure = db.session.query(LineMeasure).filter_by(level="orange").first()
    measure.action, measure.limit_pct, measure.text = "stop", None, "改为停产"
    registry["city_a"].name = "城区甲水泥（更名）"
    registry["city_b"].grade = db.session.get(Grade, "A")
    db.session.delete(registry["zezhou"])
    make_line(make_enterprise(name="新登记企业", county_name="泽州县"), measures=FULL)
    for baseline in db.session.query(WholeSocietyEmission):
        baseline.baseline_t_per_day = 99.0
    for reduction in db.session.query(NonIndustrialReduction):
        reduction.reduction_t_per_day = 7.0
    db.session.commit()
    after = {level: version_workbook(client, version, level) for level in LEVELS}
    assert after == before
    assert version_totals(version) == totals_before
    # The live list did change, so the equality above is not vacuous.
    live = io.BytesIO()
    export_list(live, "orange")
    names = {row[2] for row in sheets(live.getvalue())["清单"][2:]}
    assert "新登记企业" in names and "泽州丙水泥" not in names
    assert {row[2] for row in before["orange"]["清单"][2:]} == {"城区甲水泥", "城区乙水泥", "泽州丙水泥"}


def test_version_export_is_the_live_workbook_format(registry, publish):
    version = publish()
    for level in LEVELS:
        live, frozen = io.BytesIO(), io.BytesIO()
        export_list(live, level)
        export_version(frozen, version, level)
        live_sheets, frozen_sheets = sheets(live.getvalue()), sheets(frozen.getvalue())
        assert list(frozen_sheets) == list(live_sheets) == ["汇总", "清单", "停限产企业", "全国格式清单", "企业基本信息",
                                                            "说明"]
        for name in ("汇总", "清单", "停限产企业", "全国格式清单", "企业基本信息"):
            # Row 1 is the title (it names the version); headers and every row are the same: the registry
            # details of the national layout are frozen with the version.
            assert frozen_sheets[name][1:] == live_sheets[name][1:], (level, name)
        assert "2020年修订版" in next(v for v in frozen_sheets["清单"][0] if v)
        # The 说明 sheet says which list each is: the published version, or the unpublished registry.
        frozen_notes, live_notes = dict(frozen_sheets["说明"][2:]), dict(live_sheets["说明"][2:])
        assert frozen_notes["清单版本"] == "2020年修订版" and live_notes["清单版本"] == "当前登记数据（未发布）"
        assert frozen_notes["发布单位"] == live_notes["发布单位"] == "晋城市生态环境局"
        assert "强制发布理由" not in frozen_notes and "发布人" not in live_notes


def test_compare_finds_each_kind_of_change(registry, publish, make_user, login, make_enterprise, make_line):
    old = publish("2020年修订版")
    city_a = registry["city_a"]
    orange = next(m for m in city_a.lines[0].measures if m.level == "orange")
    orange.limit_pct = 40.0
    db.session.delete(city_a.lines[1])                                     # line removed
    make_line(registry["city_b"], name="3#磨", measures=C_FULL)             # line added
    registry["zezhou"].grade = db.session.get(Grade, "B-")                 # grade change
    added = make_enterprise(name="新增企业", county_name="城区")
    make_line(added, measures=FULL)
    removed_code = registry["city_b"].credit_code
    db.session.commit()
    new = publish("2020年12月动态调整")
    client = login(make_user("city"))
    page = client.get(f"/versions/compare?old={old.id}&new={new.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for kind, number in {"enterprise_added": 1, "enterprise_removed": 0, "grade_changed": 1, "line_added": 1,
                         "line_removed": 1, "measure_changed": 1}.items():
        assert f'id="count-{kind}">{number}<' in body, kind
    ban = "禁止国四及以下重型载货车辆（含燃气）运输"
    assert f"限产20%；{ban}：orange措施（核查指标：用电量）" in body
    assert f"限产40%；{ban}：orange措施（核查指标：用电量）" in body
    # Removing an enterprise is found too (compare the other way round).
    db.session.delete(db.session.query(Enterprise).filter_by(credit_code=removed_code).one())
    db.session.commit()
    third = publish("2021年修订版")
    back = client.get(f"/versions/compare?old={new.id}&new={third.id}").get_data(as_text=True)
    assert 'id="count-enterprise_removed">1<' in back and "城区乙水泥" in back
    workbook = client.get(f"/versions/compare.xlsx?old={old.id}&new={new.id}")
    assert workbook.status_code == 200
    data = sheets(workbook.data)
    kinds = sorted(row[1] for row in data["变化明细"][2:])
    assert kinds == sorted(["新增企业", "等级变化", "新增生产线", "移除生产线", "措施变化"])
    assert dict((row[0], row[1]) for row in data["汇总"][2:])["措施变化"] == 1


def test_compare_of_identical_versions_finds_nothing(registry, publish, make_user, login):
    old, new = publish("甲版"), publish("乙版")
    body = login(make_user("city")).get(f"/versions/compare?old={old.id}&new={new.id}").get_data(as_text=True)
    assert "两个版本之间没有变化" in body


def test_versions_list_shows_publisher_and_time(registry, publish, make_user, login):
    version = publish(note="依据2020年秋冬季方案")
    body = login(make_user("county", county_name="泽州县")).get("/versions").get_data(as_text=True)
    assert version.name in body and version.published_by in body and "依据2020年秋冬季方案" in body
    assert "发布新版本" not in body


@pytest.mark.parametrize("role", ["county", "enterprise"])
def test_only_city_staff_publish_and_a_refusal_writes_nothing(registry, make_user, login, role):
    user = make_user(role, county_name="城区" if role == "county" else None,
                     enterprise=registry["city_a"] if role == "enterprise" else None)
    client = login(user)
    assert client.get("/versions/new").status_code == 403
    assert client.post("/versions/new", data={"name": "越权版本"}).status_code == 403
    assert db.session.query(ListVersion).count() == 0 and db.session.query(VersionRow).count() == 0


def test_admin_may_publish(registry, make_user, login):
    response = login(make_user("admin")).post("/versions/new", data={"name": "管理员版本"})
    assert response.status_code == 302
    assert db.session.query(ListVersion).filter_by(name="管理员版本").count() == 1


def test_anonymous_is_sent_to_login(client):
    for url in ("/versions", "/versions/new", "/versions/1", "/versions/1/red/export.xlsx", "/versions/compare"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_enterprise_users_cannot_see_versions(registry, publish, make_user, login):
    version = publish()
    client = login(make_user("enterprise", enterprise=registry["city_a"]))
    for url in ("/versions", f"/versions/{version.id}", f"/versions/{version.id}/red/export.xlsx",
                f"/versions/compare?old={version.id}&new={version.id}", "/versions/compare.xlsx"):
        assert client.get(url).status_code == 403, url


def test_county_users_export_and_compare_only_their_county(registry, publish, make_user, login):
    old = publish("甲版")
    registry["city_a"].lines[0].measures[0].text = "城区改动"
    registry["zezhou"].lines[0].measures[0].text = "泽州改动"
    db.session.commit()
    new = publish("乙版")
    client = login(make_user("county", county_name="泽州县"))
    rows = version_workbook(client, old, "red")["清单"][2:]
    assert {row[2] for row in rows} == {"泽州丙水泥"}
    assert client.get(f"/versions/{old.id}/red/export.xlsx?county=城区").status_code == 404
    assert client.get(f"/versions/{old.id}?county=城区").status_code == 404
    body = client.get(f"/versions/compare?old={old.id}&new={new.id}").get_data(as_text=True)
    assert "泽州改动" in body and "城区改动" not in body
    city = login(make_user("city"))
    rows = version_workbook(city, old, "red", "?county=城区")["清单"][2:]
    assert {row[2] for row in rows} == {"城区甲水泥", "城区乙水泥"}


@pytest.mark.parametrize("name, message", [
    ("", "请填写版本名称"), ("   ", "请填写版本名称"), ("长" * 101, "版本名称不超过100字"),
    ("2020年修订版", "已发布，请换一个名称"),
])
def test_bad_publish_input_shows_a_chinese_error_and_writes_nothing(registry, publish, make_user, login, name,
                                                                     message):
    publish("2020年修订版")
    client = login(make_user("city"))
    response = client.post("/versions/new", data={"name": name})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.query(ListVersion).count() == 1
    assert db.session.query(VersionRow).count() == 12


def test_bad_compare_and_export_input(registry, publish, make_user, login):
    version = publish()
    client = login(make_user("city"))
    same = client.get(f"/versions/compare?old={version.id}&new={version.id}").get_data(as_text=True)
    assert "请选择两个不同的版本进行对比" in same
    unknown = client.get(f"/versions/compare?old={version.id}&new=99999").get_data(as_text=True)
    assert "没有这个版本" in unknown
    missing = client.get("/versions/compare?old=&new=abc").get_data(as_text=True)
    assert "请选择原版本" in missing and "请选择新版本" in missing
    assert client.get(f"/versions/compare.xlsx?old={version.id}&new={version.id}").status_code == 400
    assert client.get(f"/versions/{version.id}/purple/export.xlsx").status_code == 404
    assert client.get("/versions/99999").status_code == 404
    assert client.get("/versions/99999/red/export.xlsx").status_code == 404
    assert client.get(f"/versions/{version.id}/red/export.xlsx?county=火星县").status_code == 404


REASON = "省厅要求今日报送，丁企业红色预警措施已通知县局核实，先行发布"


@pytest.fixture
def weak_line(registry, make_enterprise, make_line):
    """A B clinker firm in 城区 whose red measure (限产30%) is below the floor (停产): a quality error."""
    firm = make_enterprise(name="城区丁水泥", county_name="城区")
    return make_line(firm, name="1#窑", measures={**FULL, "red": ("limit", 30.0, None, "no_g4")})


def publish_page(client, **data):
    return client.post("/versions/new", data={"name": "2020年修订版", **data})


def test_the_publish_page_states_the_errors_and_offers_a_reason_only_then(registry, make_user, login):
    client = login(make_user("city"))
    clean = client.get("/versions/new").get_data(as_text=True)
    assert "质量检查未发现错误" in clean and 'href="/lists/check"' in clean
    assert 'name="name"' in clean and 'name="override_reason"' not in clean


def test_publishing_with_errors_is_refused_without_a_reason(weak_line, make_user, login):
    errors = run_checks().errors
    assert errors > 0
    client = login(make_user("city"))
    page = client.get("/versions/new").get_data(as_text=True)
    assert f"当前清单存在 <strong>{errors}</strong> 项错误" in page and 'href="/lists/check"' in page
    assert "强制发布理由" in page and 'name="override_reason"' in page
    for reason in ("", "   "):
        refused = publish_page(client, override_reason=reason)
        body = refused.get_data(as_text=True)
        assert refused.status_code == 200
        assert f"清单存在{errors}项错误，发布清单版本前请先修正（见“质量检查”）" in body
        assert "未发布任何版本" in body
    too_long = publish_page(client, override_reason="理" * 301).get_data(as_text=True)
    assert "理由不超过300字" in too_long
    assert db.session.query(ListVersion).count() == 0 and db.session.query(VersionRow).count() == 0
    assert db.session.query(AuditLog).filter_by(entity_type="list_version").count() == 0


@pytest.mark.parametrize("role", ["county", "enterprise"])
def test_only_city_staff_may_override(weak_line, make_user, role):
    user = make_user(role, county_name="城区" if role == "county" else None,
                     enterprise=weak_line.enterprise if role == "enterprise" else None)
    with pytest.raises(DomainError) as refused:
        publish_version("越权强制发布", "", user, override_reason=REASON)
    assert "仅市局人员可填写理由后发布清单版本" in refused.value.errors["override_reason"]
    db.session.rollback()
    assert db.session.query(ListVersion).count() == 0 and db.session.query(VersionRow).count() == 0


def test_city_override_is_audited_and_printed_on_the_notes_sheet(weak_line, make_user, login):
    errors = run_checks().errors
    user = make_user("city")
    client = login(user)
    response = publish_page(client, note="秋冬季", override_reason=REASON)
    assert response.status_code == 302
    version = db.session.query(ListVersion).one()
    assert (version.override_reason, version.errors) == (REASON, errors)
    logged = db.session.query(AuditLog).filter_by(entity_type="list_version").one()
    assert REASON in logged.summary and json.loads(logged.after)["override_reason"] == REASON
    assert REASON in client.get("/audit?type=list_version").get_data(as_text=True)
    detail = client.get(f"/versions/{version.id}").get_data(as_text=True)
    assert f"发布时存在 {errors} 项错误" in detail and REASON in detail
    workbook = load_workbook(io.BytesIO(client.get(f"/versions/{version.id}/red/export.xlsx").data))
    assert workbook.sheetnames == ["汇总", "清单", "停限产企业", "全国格式清单", "企业基本信息", "说明"]
    notes = {row[0]: row[1] for row in workbook["说明"].iter_rows(min_row=3, values_only=True)}
    assert notes == {"发布单位": "晋城市生态环境局", "清单版本": "2020年修订版",
                     "发布时间": beijing_time(version.published_at), "发布人": user.username,
                     "季节": "2020–2021年秋冬季", "范围": "全市",
                     "预警级别": "红色预警", "版本说明": "秋冬季", "强制发布理由": REASON,
                     "发布时质量检查错误": f"{errors}项", "编制（签字）": None, "审核（签字）": None,
                     "签发日期": None}
    assert workbook["说明"]["A1"].value == "晋城市重污染天气红色预警应急减排清单（全市·2020年修订版）说明"
    # The line in error carries no measure and no marker; its firm gets no order on 停限产企业.
    rows = {row[2]: row for row in workbook["清单"].iter_rows(min_row=3, values_only=True)}
    assert rows["城区丁水泥"][9] == "措施复核中，暂不下达（另行通知）" and rows["城区丁水泥"][8] is None
    ordered = {row[2] for row in workbook["停限产企业"].iter_rows(min_row=3, values_only=True)}
    assert "城区丁水泥" not in ordered and "城区甲水泥" in ordered


def test_notes_sheet_names_the_configured_body_in_beijing_time(registry, app, monkeypatch, make_user):
    monkeypatch.setitem(app.config, "ISSUING_BODY", "某市生态环境局")
    monkeypatch.setitem(app.config, "TIMEZONE", "UTC")             # the pages' zone; documents say Beijing time
    assert beijing_time(datetime(2020, 12, 1, 0, 30)) == "2020-12-01 08:30（北京时间）"
    version = publish_version("2020年修订版", "", make_user("city"))
    db.session.commit()
    buffer = io.BytesIO()
    export_version(buffer, version, "orange", db.session.query(County).filter_by(name="泽州县").one())
    notes = dict(sheets(buffer.getvalue())["说明"][2:])
    assert notes["发布单位"] == "某市生态环境局" and notes["范围"] == "泽州县" and notes["版本说明"] == "无"
    assert notes["发布时间"] == beijing_time(version.published_at) and "强制发布理由" not in notes


def test_a_long_reason_gets_a_row_tall_enough_to_print_in_full(weak_line, make_user):
    reason = "理" * 300
    version = publish_version("长理由版", "", make_user("city"), override_reason=reason)
    db.session.commit()
    buffer = io.BytesIO()
    export_version(buffer, version, "red")
    ws = load_workbook(io.BytesIO(buffer.getvalue()))["说明"]
    [row] = [cells for cells in ws.iter_rows(min_row=3) if cells[0].value == "强制发布理由"]
    assert row[1].value == reason and row[1].alignment.wrap_text
    # 600 columns in a 96-wide cell: 7 lines.
    assert ws.row_dimensions[row[0].row].height == pytest.approx(7 * LINE_HEIGHT, abs=0.5)
    short = next(cells for cells in ws.iter_rows(min_row=3) if cells[0].value == "清单版本")
    assert ws.row_dimensions[short[0].row].height is None
