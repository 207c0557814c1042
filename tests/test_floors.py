"""The floors page: the floor table as the bureau's policy data (list, edit, new rows, deletion, settings, history,
export and import, the CLI) and who may use it."""
import io
import re

import pytest
import python_calamine
import xlsxwriter

from emergency.lists.inputs import read_settings
from emergency.lists.policy import SETTING_LABELS
from emergency.lists.quality import run_checks
from emergency.registry import floors as ops
from models import AuditLog, Industry, MeasureFloor, Setting, db
from tests.html import has_inline_script

CLINKER_B = {"yellow": ("none", None, None, "no_g4"), "orange": ("limit", 20.0, None, "no_g4")}


def _industry(code):
    return db.session.query(Industry).filter_by(code=code).one()


def _floor(code="cement_clinker", grade="B", level="red", process=""):
    return db.session.query(MeasureFloor).filter_by(industry_id=_industry(code).id, grade_code=grade, level=level,
                                                    process=process).one()


def _table(body):
    """The floor table's rows (the filters above it name industries too)."""
    return body.split('<table class="grid floors">', 1)[1].split("</table>", 1)[0]


def _rows(table):
    return table.count("修改/历史")


def _logged():
    """Audit entries of floors and settings (creating the test's users is logged too)."""
    return db.session.query(AuditLog).filter(AuditLog.entity_type.in_(("floor", "setting"))).count()


def _text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def city(make_user, login):
    user = make_user("city")
    return user, login(user)


def _edit(client, floor, **fields):
    data = {"measure-action": floor.action, "measure-transport": floor.transport, "measure-text": floor.text,
            "source": floor.source}
    data.update({f"measure-{k}" if k not in ("source", "provisional") else k: v for k, v in fields.items()})
    return client.post(f"/floors/{floor.id}", data=data)


# -- list and filters --------------------------------------------------------------------------------------------

def test_list_shows_each_rows_measure_evidence_and_the_provisional_count(city):
    body = _text(city[1].get("/floors/"))
    provisional = db.session.query(MeasureFloor).filter_by(provisional=True).count()
    total = db.session.query(MeasureFloor).count()
    assert provisional > 400 and total > provisional
    assert f"共 {total} 行底线，其中 <strong>{provisional}</strong> 行为暂定值" in body
    assert "待取得原表并逐行转录后核定" in body
    table = _table(_text(city[1].get("/floors/", query_string={"grade": "B", "level": "red"})))
    assert "<span class=\"tag ok\">核定</span>" in table and "<span class=\"tag warn\">暂定</span>" in table
    assert "水泥熟料表（据guc884.cn转引原文，已核实）" in table
    assert "停产；禁止国四及以下重型载货车辆（含燃气）运输" in table       # the typed measure's full label
    assert "种子数据（未修改）" in table
    # The measure types' fixed fractions, read-only, with their notes; the rules' settings form.
    assert "停产保温（保窑/焖炉）" in body and "削减比例固定为 80%" in body and "暂定比例，待市局核定" in body
    assert "最严限产比例（%）" in body and not has_inline_script(body)


@pytest.mark.parametrize("query, expected, present, absent", [
    ({"scope": "general"}, 4, "非重点行业（一般管控）", "绩效分级行业"),
    ({"scope": "small_micro"}, 3, "小微涉气企业", "非重点行业（一般管控）"),
    ({"provisional": "0"}, 12, "水泥（熟料）", "焦化"),
    ({"level": "red", "grade": "B", "stage": "焦炉"}, None, "延长结焦时间至36小时", "黄色"),
    ({"stage": "*", "level": "yellow", "scope": "graded", "grade": "D"}, None, "全部工序", "焦炉"),
])
def test_filters(city, query, expected, present, absent):
    table = _table(_text(city[1].get("/floors/", query_string=query)))
    assert present in table and absent not in table
    if expected is not None:
        assert _rows(table) == expected


def test_filter_by_industry_grade_and_level_finds_one_row(city):
    clinker = _industry("cement_clinker")
    body = _text(city[1].get("/floors/", query_string={"industry": clinker.id, "grade": "C", "level": "yellow"}))
    assert _rows(_table(body)) == 1 and "停产50%（以生产线计）" in _table(body)


# -- editing -----------------------------------------------------------------------------------------------------

@pytest.mark.mutates_reference
def test_an_edit_is_audited_and_the_next_list_uses_the_new_floor(city, make_enterprise, make_line):
    user, client = city
    make_line(make_enterprise(name="限产五成水泥", grade="B"), measures={**CLINKER_B, "red": ("limit", 50.0, None, "no_g4")})
    assert "错误：低于行业措施底线" in _text(client.get("/lists/red")) and run_checks().errors == 1
    floor = _floor()
    response = _edit(client, floor, action="limit", limit_pct="50", text="限产50%；禁止国四及以下重型载货车辆运输",
                     source="市局2026年会议纪要")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/floors/{floor.id}")
    db.session.expire_all()
    assert (floor.action, floor.limit_pct, floor.provisional) == ("limit", 50.0, False)
    assert floor.edited_by == user.username and floor.edited_at is not None
    log = db.session.query(AuditLog).filter_by(entity_type="floor", entity_id=floor.id).one()
    assert log.action == "update" and log.username == user.username and '"action": "stop"' in log.before
    assert "B级 · 红色预警 · 全部工序" in log.summary
    # The next list and quality check judge by the new floor.
    red = _text(client.get("/lists/red"))
    assert "限产五成水泥" in red and "限产50%" in red and "错误：低于行业措施底线" not in red
    assert run_checks().errors == 0
    # The row's page shows its history, before → after, with the audit view's labels.
    page = _text(client.get(f"/floors/{floor.id}"))
    assert '<td class="before">停产</td><td class="after">限产</td>' in page
    assert "市局2026年会议纪要" in page and user.username in page
    assert user.username in _table(_text(client.get("/floors/", query_string={"industry": floor.industry_id,
                                                                              "grade": "B", "level": "red"})))


@pytest.mark.parametrize("fields, field, message", [
    ({"action": "limit", "limit_pct": ""}, "measure-limit_pct", "“限产”须填写比例（%）"),
    ({"action": "limit", "limit_pct": "100"}, "measure-limit_pct", "限产比例应大于0且小于100（100%请选择停产）"),
    ({"action": "coking_time", "hours": "500"}, "measure-hours", "延长后的结焦时间应大于0且不超过240小时"),
    ({"action": ""}, "measure-action", "请选择措施类型"),
    ({"text": "停" * 301}, "measure-text", "不能超过300个字"),
    ({"action": "limit", "limit_pct": "abc"}, "measure-limit_pct", "请填写数字"),
])
def test_bad_edits_are_refused_in_chinese_and_write_nothing(city, fields, field, message):
    floor = _floor()
    response = _edit(city[1], floor, **fields)
    body = _text(response)
    assert response.status_code == 400 and message in body and "未保存任何内容" in body
    db.session.expire_all()
    assert (floor.action, floor.limit_pct, floor.edited_at) == ("stop", None, None)
    assert _logged() == 0


def test_an_unchanged_save_does_not_mark_the_row_edited(city):
    floor = _floor()
    response = _edit(city[1], floor)
    assert response.status_code == 302
    assert "底线没有变化" in _text(city[1].get(response.headers["Location"]))
    db.session.expire_all()
    assert floor.edited_at is None and _logged() == 0


# -- new rows and deletion ---------------------------------------------------------------------------------------

def _new(client, **fields):
    data = {"scope": "graded", "industry_id": str(_industry("cement_clinker").id), "grade_code": "B",
            "level": "red", "stage": "", "measure-action": "stop", "measure-transport": "no_g4", "provisional": "y",
            "source": "测试"}
    data.update(fields)
    return client.post("/floors/new", data=data)


@pytest.mark.parametrize("fields, message", [
    ({}, "已存在，不能重复添加"),
    ({"industry_id": ""}, "绩效分级行业的底线须选择行业"),
    ({"grade_code": ""}, "绩效分级行业的底线须选择绩效等级"),
    ({"grade_code": "LEADING"}, "水泥（熟料）的分级方案没有引领性（可选：A级、B级、B-级、C级、D级）"),
    ({"scope": "general", "grade_code": "B"}, "“非重点行业（一般管控）”的底线不分绩效等级，请勿选择等级"),
    ({"industry_id": lambda: str(_industry("thermal_power").id)}, "火电不实行绩效分级"),
    ({"scope": "", "level": ""}, "请选择预警级别"),
    ({"stage": "烧结", "measure-action": "limit", "measure-limit_pct": "0"}, "限产比例应大于0且小于100"),
])
def test_bad_new_rows_and_duplicates_are_refused(city, fields, message):
    fields = {k: v() if callable(v) else v for k, v in fields.items()}
    before = db.session.query(MeasureFloor).count()
    response = _new(city[1], **fields)
    assert response.status_code == 400 and message in _text(response)
    assert db.session.query(MeasureFloor).count() == before and _logged() == 0


@pytest.mark.mutates_reference
def test_a_new_process_row_is_added_audited_and_can_be_deleted(city):
    user, client = city
    response = _new(client, stage=" 熟料烧成 ", **{"measure-action": "hot_standby"})
    assert response.status_code == 302
    floor = _floor(process="熟料烧成")
    assert (floor.action, floor.provisional, floor.edited_by) == ("hot_standby", True, user.username)
    assert db.session.query(AuditLog).filter_by(entity_type="floor", action="create", entity_id=floor.id).count() == 1
    page = _text(client.get(response.headers["Location"]))
    assert "已新增底线" in page and "删除此底线" in page
    response = client.post(f"/floors/{floor.id}/delete")
    assert response.status_code == 302 and "已删除底线" in _text(client.get(response.headers["Location"]))
    assert db.session.query(MeasureFloor).filter_by(process="熟料烧成").count() == 0
    assert db.session.query(AuditLog).filter_by(entity_type="floor", action="delete").count() == 1


def test_a_general_row_needs_no_industry(city):
    response = _new(city[1], scope="small_micro", industry_id="", grade_code="", level="red")
    assert response.status_code == 400 and "已存在，不能重复添加" in _text(response)   # the common small-micro row


def test_the_industry_wide_row_cannot_be_deleted(city):
    floor = _floor()
    response = city[1].post(f"/floors/{floor.id}/delete")
    assert response.status_code == 302
    page = _text(city[1].get(response.headers["Location"]))
    assert "是不分工序的通用底线，规则缺了它无法判断，不能删除" in page and "删除此底线" not in page
    assert db.session.get(MeasureFloor, floor.id) is not None and _logged() == 0


# -- settings ------------------------------------------------------------------------------------------------------

def test_settings_are_saved_audited_and_read_by_the_rules(city):
    client = city[1]
    response = client.post("/floors/settings", data={"strictest_limit_pct": "60", "count_self_commitment": "y",
                                                     "small_micro_threshold_t_yr": "3"})
    assert response.status_code == 302
    assert read_settings() == {"strictest_limit_pct": 60.0, "count_self_commitment": 1.0,
                               "small_micro_threshold_t_yr": 3.0}
    assert db.session.get(Setting, "strictest_limit_pct").value == "60"
    logs = db.session.query(AuditLog).filter_by(entity_type="setting").all()
    assert {log.summary for log in logs} == {"最严限产比例（%）", "自主减排承诺计入减排量", "小微涉气企业排放量上限（吨/年）"}
    body = _text(client.get(response.headers["Location"]))
    assert "已保存规则参数（修改 3 项）" in body and '<td colspan="2">最严限产比例（%）</td>' in body


@pytest.mark.parametrize("data, message", [
    ({"strictest_limit_pct": "100", "small_micro_threshold_t_yr": "2"}, "最严限产比例应大于0且小于100（%）"),
    ({"strictest_limit_pct": "50", "small_micro_threshold_t_yr": "-1"}, "排放量上限应在0到10000吨/年之间"),
    ({"strictest_limit_pct": "", "small_micro_threshold_t_yr": "2"}, "请填写最严限产比例"),
])
def test_bad_settings_are_refused(city, data, message):
    response = city[1].post("/floors/settings", data=data)
    assert response.status_code == 400 and message in _text(response) and "参数有误，未保存" in _text(response)
    assert db.session.query(Setting).filter(Setting.key.in_(SETTING_LABELS)).count() == 0 and _logged() == 0


def test_the_demo_flag_is_not_a_rule_setting_and_is_not_logged():
    db.session.add(Setting(key="demo_loaded", value="1"))
    db.session.add(Setting(key="strictest_limit_pct", value="55"))
    db.session.commit()
    assert [log.summary for log in db.session.query(AuditLog)] == ["最严限产比例（%）"]


# -- export and import ---------------------------------------------------------------------------------------------

def _sheet_rows(data, sheet="措施底线"):
    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()


def _workbook(rows):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    sheet = workbook.add_worksheet("措施底线")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value not in (None, ""):
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def _upload(client, data, name="底线.xlsx"):
    return client.post("/floors/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_export_has_the_seed_files_columns_in_chinese(city):
    response = city[1].get("/floors/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = _sheet_rows(response.data)
    assert rows[0][:7] == ["适用范围", "行业代码", "行业名称", "绩效等级", "预警级别", "工序", "措施类型"]
    assert rows[0][-2:] == ["暂定", "依据"]
    assert len(rows) - 1 == db.session.query(MeasureFloor).count()
    clinker = [r for r in rows if r[1] == "cement_clinker" and r[3] == "C" and r[4] == "黄色"][0]
    assert clinker[6:8] == ["按生产线停产", 50.0] and clinker[11] == "禁止国四及以下重型载货车辆（含燃气）运输"
    assert clinker[13] == "否"


def test_an_exported_workbook_imported_unchanged_changes_nothing(city):
    client = city[1]
    body = _text(_upload(client, client.get("/floors/export.xlsx").data))
    total = db.session.query(MeasureFloor).count()
    assert f"新增 0 行、修改 0 行、不变 {total} 行" in body and "无需导入" in body and "确认导入" not in body
    assert _logged() == 0


@pytest.mark.mutates_reference
def test_an_import_previews_then_commits_all_rows_and_marks_them_edited(city):
    user, client = city
    rows = _sheet_rows(client.get("/floors/export.xlsx").data)
    header = rows[0]
    changed = next(i for i, r in enumerate(rows) if r[1] == "cement_clinker" and r[3] == "B" and r[4] == "红色")
    rows[changed][header.index("措施类型")] = "限产"
    rows[changed][header.index("比例（%）")] = 50
    rows.append(["绩效分级行业", "cement_clinker", "", "B", "红色", "熟料烧成", "停产保温（保窑/焖炉）", "", "", "", "",
                 "禁止国四及以下重型载货车辆（含燃气）运输", "停产保窑", "是", "导入测试"])
    response = _upload(client, _workbook(rows))
    body = _text(response)
    assert response.status_code == 200 and "新增 1 行、修改 1 行" in body and "确认导入" in body
    assert f"第{changed + 1}行" in body and "措施类型、比例（%）" in body
    assert _floor().action == "stop"                                       # the preview wrote nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)
    sha = re.search(r'name="sha256" type="hidden" value="([^"]+)"', body).group(1)
    response = client.post("/floors/import/commit", data={"token": token, "sha256": sha})
    assert response.status_code == 302 and "新增 1 行、修改 1 行" in _text(client.get(response.headers["Location"]))
    db.session.expire_all()
    floor, new = _floor(), _floor(process="熟料烧成")
    assert (floor.action, floor.limit_pct, floor.edited_by) == ("limit", 50.0, user.username)
    assert (new.action, new.source, new.edited_by) == ("hot_standby", "导入测试", user.username)
    assert {log.source for log in db.session.query(AuditLog).filter_by(entity_type="floor")} == {"import:底线.xlsx"}


def test_an_import_with_problems_lists_them_by_row_and_writes_nothing(city):
    client = city[1]
    rows = _sheet_rows(client.get("/floors/export.xlsx").data)[:3]
    rows += [
        ["绩效分级", "cement_clinker", "", "B", "红色", "", "停产"] + [""] * 8,
        ["绩效分级行业", "no_such", "", "B", "红色", "", "停产"] + [""] * 8,
        ["绩效分级行业", "cement_clinker", "", "", "红色", "烧成", "停产"] + [""] * 8,
        ["绩效分级行业", "cement_clinker", "", "B", "红色", "窑", "限产", "150"] + [""] * 7,
        ["小微涉气企业", "", "", "B", "紫色", "", "关停"] + [""] * 8,
        ["绩效分级行业", "cement_clinker", "", "B", "红色", "窑", "停产", "", "", "", "", "", "", "也许"],
        rows[1],
    ]
    response = _upload(client, _workbook(rows))
    body = _text(response)
    assert response.status_code == 400 and "不能导入，未写入任何数据" in body
    for expected in ("第4行", "“绩效分级”无效", "第5行", "未知的行业代码“no_such”", "第6行", "绩效分级行业的底线须选择绩效等级",
                     "第7行", "限产比例应大于0且小于100", "第8行", "“紫色”无效，应为黄色、橙色或红色", "“关停”无效",
                     "不分绩效等级", "第9行", "应填写“是”或“否”", "第10行", "与第2行重复"):
        assert expected in body, expected
    assert "确认导入" not in body and _logged() == 0


@pytest.mark.parametrize("data, name, message", [
    (b"not a workbook", "底线.xlsx", "文件扩展名为 .xlsx，但内容是文本文件"),
    (b"a,b\n1,2\n", "底线.csv", "未找到措施底线表头"),
    ("适用范围,预警级别,措施类型\n绩效分级行业,红色,停产\n".encode(), "底线.csv", "缺少列：绩效等级、工序、行业代码"),
])
def test_unreadable_files_are_refused(city, data, name, message):
    response = _upload(city[1], data, name)
    assert response.status_code == 400 and message in _text(response)


def test_a_stale_commit_token_imports_nothing(city):
    response = city[1].post("/floors/import/commit", data={"token": "x" * 43, "sha256": "0" * 64})
    assert response.status_code == 302
    assert "检查过的文件已失效" in _text(city[1].get(response.headers["Location"]))


# -- the command line ----------------------------------------------------------------------------------------------

@pytest.mark.mutates_reference
def test_export_and_import_commands(runner, tmp_path):
    out = tmp_path / "floors.xlsx"
    result = runner.invoke(args=["export-floors", "--out", str(out)])
    total = db.session.query(MeasureFloor).count()
    assert result.exit_code == 0 and f"已导出措施底线 {total} 行" in result.output
    result = runner.invoke(args=["import-floors", str(out), "--dry-run"])
    assert result.exit_code == 0 and f"新增 0 行、修改 0 行、不变 {total} 行" in result.output
    rows = _sheet_rows(out.read_bytes())
    rows[1][rows[0].index("依据")] = "命令行导入"
    bad = rows + [["绩效分级行业", "cement_clinker", "", "Z", "红色", "", "停产"] + [""] * 8]
    (tmp_path / "bad.xlsx").write_bytes(_workbook(bad))
    result = runner.invoke(args=["import-floors", str(tmp_path / "bad.xlsx")])
    assert result.exit_code == 1 and f"第{len(bad)}行“绩效等级”列：“Z”无效" in result.output
    assert "未导入任何数据" in result.output and _logged() == 0
    (tmp_path / "good.xlsx").write_bytes(_workbook(rows))
    result = runner.invoke(args=["import-floors", str(tmp_path / "good.xlsx"), "--dry-run"])
    assert result.exit_code == 0 and "修改 1 行" in result.output and _logged() == 0
    result = runner.invoke(args=["import-floors", str(tmp_path / "good.xlsx")])
    assert result.exit_code == 0 and "已导入" in result.output
    db.session.expire_all()
    edited = db.session.query(MeasureFloor).filter_by(source="命令行导入").one()
    assert edited.edited_by.startswith("cli:") and edited.edited_at is not None


def test_the_seed_file_itself_imports_unchanged(runner):
    result = runner.invoke(args=["import-floors", "seed/data/measure_floors.csv", "--dry-run"])
    assert result.exit_code == 0 and "新增 0 行、修改 0 行" in result.output, result.output


# -- seeding and access --------------------------------------------------------------------------------------------

@pytest.mark.mutates_reference
def test_seed_leaves_rows_edited_on_the_floors_page_alone(runner):
    edited, plain = _floor(), _floor(level="orange")
    ops.update_floor(edited, {"action": "limit", "limit_pct": 50.0}, "city-x")
    plain.limit_pct = 30.0                # changed behind the page's back: the seed restores it
    db.session.commit()
    assert runner.invoke(args=["seed"]).exit_code == 0
    db.session.expire_all()
    assert (edited.action, edited.limit_pct, edited.edited_by) == ("limit", 50.0, "city-x")
    assert plain.limit_pct == 20.0 and plain.edited_at is None


@pytest.mark.parametrize("role", ["county", "enterprise"])
def test_county_and_enterprise_users_are_refused(role, make_user, login, make_enterprise):
    user = make_user(role, county_name="城区") if role == "county" else make_user(role, enterprise=make_enterprise())
    client, floor = login(user), _floor()
    for method, url in (("GET", "/floors/"), ("GET", f"/floors/{floor.id}"), ("POST", f"/floors/{floor.id}"),
                        ("GET", "/floors/export.xlsx"), ("POST", "/floors/settings"), ("GET", "/floors/import"),
                        ("POST", f"/floors/{floor.id}/delete"), ("GET", "/floors/new")):
        response = client.open(url, method=method, data={"measure-action": "none"})
        assert response.status_code == 403 and "您没有权限执行此操作" in _text(response), url
    db.session.expire_all()
    assert floor.action == "stop" and db.session.query(AuditLog).filter_by(entity_type="floor").count() == 0


def test_anonymous_users_are_sent_to_login(client):
    response = client.get("/floors/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role, shown", [("city", True), ("admin", True), ("county", False)])
def test_the_nav_links_the_floors_page_for_city_staff(role, shown, make_user, login):
    user = make_user(role, county_name="城区" if role == "county" else None)
    body = _text(login(user).get("/lists/red"))
    assert "减排清单" in body and ('href="/floors/">措施底线</a>' in body) == shown


def test_a_missing_floor_is_404(city):
    response = city[1].get("/floors/999999")
    assert response.status_code == 404 and "页面不存在" in _text(response)
