"""Typed measures, transport rules, 正常结焦时间 and 分类原因 as the import reads them: the values it plans, and
the Chinese problem (sheet, row, column) it reports for bad cells, with nothing written."""
import pytest

from emergency.importing.layout import column_letter
from emergency.importing.pipeline import commit_file, inspect_file
from emergency.registry.grades import check_category_reason
from emergency.registry.measures import TRANSPORTS, MeasureTypes
from models import Category, Enterprise, LineMeasure, db
from seed.load import read_csv
from tests.conftest import new_credit_code
from tests.import_support import REGISTRY_KEYS, problems, registry_rows, snapshot, xlsx

# A short county-made layout: no 措施类型, no parameter and no 运输管控 column, only the words.
TEXT_HEADERS = ["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级", "生产线", "正常结焦时间(小时)",
                "红色预警减排措施", "NOx年排放量(吨/年)"]
MEASURE_KEYS = ("action", "limit_pct", "hours", "cap_pct", "other_fraction", "transport", "text")
PARAMS = {"limit_pct": None, "hours": None, "cap_pct": None, "other_fraction": None}


def col(key):
    """The column letter of a registry-layout key, as problems name it."""
    return column_letter(REGISTRY_KEYS.index(key))


def firm(**cells):
    """One registry-layout row: a coking firm (key industry, grade B) with one line."""
    return {"name": "测试焦化有限公司", "credit_code": new_credit_code(), "county": "泽州县", "industry_name": "焦化",
            "grade": "B", "line_name": "1#焦炉", **cells}


def planned(data):
    """The one line's planned red measure: {column: value}."""
    report, plans = inspect_file(data, "a.xlsx")
    assert report.clean, report.lines()
    measure = plans[0].lines[0].measures["red"]
    return {name: measure[name] for name in MEASURE_KEYS}


def refused(data):
    """Commit ``data``, check it was refused and wrote nothing; return its problems."""
    before = snapshot()
    report = commit_file(data, "a.xlsx")
    assert not report.committed
    db.session.rollback()
    assert snapshot() == before
    return problems(report)


@pytest.mark.parametrize("text, expected", [
    ("停产保温（保窑/焖炉）", {"action": "hot_standby"}),
    ("石灰窑停产保窑", {"action": "hot_standby"}),
    ("高炉焖炉", {"action": "hot_standby"}),
    ("停产50%，以生产线计", {"action": "line_share", "limit_pct": 50.0}),
    ("停产50%", {"action": "line_share", "limit_pct": 50.0}),
    ("限产30%", {"action": "limit", "limit_pct": 30.0}),
    ("延长结焦时间至36小时", {"action": "coking_time", "hours": 36.0}),
    ("结焦时间延长至36h", {"action": "coking_time", "hours": 36.0}),
    ("以热定产，负荷不超过70%", {"action": "heat_led", "cap_pct": 70.0}),
    ("以量定产，负荷不超过60%", {"action": "order_led", "cap_pct": 60.0}),
    ("其他，削减15%", {"action": "other", "other_fraction": 0.15}),
    ("限产30%，禁止国四及以下重型载货车辆运输", {"action": "limit", "limit_pct": 30.0, "transport": "no_g4"}),
    ("停产，停止公路运输", {"action": "stop", "transport": "no_road"}),
    ("禁止国四及以下重型载货车辆（含燃气）运输", {"action": "none", "transport": "no_g4"}),
])
def test_each_measure_type_read_from_the_text(text, expected):
    rows = [TEXT_HEADERS, ["甲焦化", new_credit_code(), "泽州县", "焦化", "B", "1#焦炉", 24, text]]
    assert planned(xlsx(("表", rows))) == {**PARAMS, "transport": "none", **expected, "text": text}


@pytest.mark.parametrize("cells, expected", [
    ({"red_action": "停产保温（保窑/焖炉）"}, {"action": "hot_standby"}),
    ({"red_action": "hot_standby"}, {"action": "hot_standby"}),
    ({"red_action": "焖炉"}, {"action": "hot_standby"}),
    ({"red_action": "按生产线停产", "red_limit_pct": 50}, {"action": "line_share", "limit_pct": 50.0}),
    ({"red_action": "停产50%（以生产线计）"}, {"action": "line_share", "limit_pct": 50.0}),
    ({"red_action": "限产", "red_limit_pct": "30%"}, {"action": "limit", "limit_pct": 30.0}),
    ({"red_action": "限产", "red_text": "限产30%"}, {"action": "limit", "limit_pct": 30.0, "text": "限产30%"}),
    ({"red_action": "延长结焦时间", "red_hours": 36}, {"action": "coking_time", "hours": 36.0}),
    ({"red_action": "延长结焦时间", "red_text": "延长结焦时间至48小时"},
     {"action": "coking_time", "hours": 48.0, "text": "延长结焦时间至48小时"}),
    ({"red_action": "以热定产", "red_cap_pct": 70}, {"action": "heat_led", "cap_pct": 70.0}),
    ({"red_action": "以量定产", "red_cap_pct": 0.6}, {"action": "order_led", "cap_pct": 60.0}),
    ({"red_action": "其他", "red_other_fraction": "10%"}, {"action": "other", "other_fraction": 0.1}),
    # A parameter column of another type is not the measure's: 停产 takes none.
    ({"red_action": "停产", "red_limit_pct": 30, "red_hours": 36}, {"action": "stop"}),
])
def test_each_measure_type_read_from_the_type_cell(cells, expected):
    expected = {**PARAMS, "transport": "none", "text": "", **expected}
    assert planned(xlsx(("表", registry_rows([firm(**cells)])))) == expected


@pytest.mark.parametrize("cell, transport", [
    ("禁止国四及以下重型载货车辆（含燃气）运输", "no_g4"), ("禁止国四及以下重型载货车辆运输", "no_g4"),
    ("国四禁运", "no_g4"), ("停止公路运输", "no_road"), ("无运输管控", "none"), ("无", "none"),
])
def test_transport_read_from_its_column(cell, transport):
    # The column decides, whatever the words say.
    data = xlsx(("表", registry_rows([firm(red_action="停产", red_transport=cell, red_text="停产，停止公路运输")])))
    assert planned(data)["transport"] == transport


@pytest.mark.parametrize("text, transport", [
    ("限产20%，国四禁运", "no_g4"), ("限产20%；禁止国Ⅳ及以下柴油货车运输", "no_g4"), ("停产；停止公路运输", "no_road"),
    ("停产；禁止公路运输", "no_road"), ("停产", "none"),
])
def test_transport_read_from_the_words_without_a_column(text, transport):
    rows = [TEXT_HEADERS, ["甲焦化", new_credit_code(), "泽州县", "焦化", "B", "1#焦炉", None, text]]
    assert planned(xlsx(("表", rows)))["transport"] == transport


def test_words_without_a_transport_rule_keep_the_stored_one(make_enterprise, make_line):
    stored = make_enterprise(name="甲焦化", industry_code="coking")
    make_line(stored, name="1#焦炉", measures={"red": ("limit", 20.0, None, "no_road")})
    rows = [TEXT_HEADERS, ["甲焦化", stored.credit_code, "泽州县", "焦化", "B", "1#焦炉", None, "限产30%"]]
    report, plans = inspect_file(xlsx(("表", rows)), "a.xlsx")
    assert report.clean, report.lines()
    assert plans[0].lines[0].measures["red"]["transport"] == "no_road"
    assert plans[0].lines[0].measures["red"]["limit_pct"] == 30.0


@pytest.mark.parametrize("cells, column, message", [
    ({"red_action": "停产", "red_transport": "火车运输"}, "red_transport",
     "无法识别的运输管控，应为：无运输管控、禁止国四及以下重型载货车辆（含燃气）运输、停止公路运输"),
    ({"red_action": "乱写"}, "red_action",
     "无法识别的措施类型，应为：停产、停产保温（保窑/焖炉）、按生产线停产、限产、延长结焦时间、以热定产、以量定产、其他、"
     "自主减排、不停限产"),
    ({"red_action": "延长结焦时间"}, "red_hours", "“延长结焦时间”须填写延长后的结焦时间（小时）"),
    ({"red_action": "延长结焦时间", "red_hours": 300}, "red_hours", "延长后的结焦时间应大于0且不超过240小时"),
    ({"red_action": "延长结焦时间", "red_hours": "三十六"}, "red_hours", "不是有效的数字"),
    ({"red_action": "以热定产"}, "red_cap_pct", "“以热定产”须填写负荷上限（%）"),
    ({"red_action": "以量定产", "red_cap_pct": 120}, "red_cap_pct", "负荷上限应大于0且不超过100（%）"),
    ({"red_action": "按生产线停产"}, "red_limit_pct", "“按生产线停产”须填写比例（%）"),
    ({"red_action": "其他", "red_other_fraction": 2}, "red_other_fraction", "削减比例应在0到1之间"),
    ({"red_text": "加强管理"}, "red_text",
     "无法识别的减排措施：应写明停产、停产保温、停产X%（以生产线计）、限产X%、延长结焦时间至N小时、以热定产或以量定产"
     "（负荷不超过X%）、自主减排、不停限产或“其他”措施（并填写削减比例）"),
    ({"coking_hours": 0.5, "red_action": "停产"}, "coking_hours", "应在1到240小时之间"),
    ({"coking_hours": "二十四", "red_action": "停产"}, "coking_hours", "不是有效的数字"),
])
def test_bad_measure_cells_are_located_and_nothing_is_written(make_enterprise, cells, column, message):
    make_enterprise(name="已有企业")
    assert refused(xlsx(("表", registry_rows([firm(**cells)])))) == [("表", 2, col(column), message)]


def test_coking_hours_are_read_and_stored():
    row = firm(coking_hours="24.5", red_action="延长结焦时间", red_hours=36)
    report = commit_file(xlsx(("表", registry_rows([row]))), "a.xlsx")
    assert report.committed, report.lines()
    line = db.session.query(Enterprise).filter_by(credit_code=row["credit_code"]).one().lines[0]
    measure = line.measure_for("red")
    assert (line.coking_hours, measure.action, measure.hours, measure.limit_pct) == (24.5, "coking_time", 36.0, None)


def test_the_old_limit_header_still_reads():
    rows = [["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级", "生产线", "红色预警措施类型",
             "红色预警限产比例(%)", "NOx年排放量(吨/年)"],
            ["甲焦化", new_credit_code(), "泽州县", "焦化", "B", "1#焦炉", "限产", 30, 12.5]]
    assert planned(xlsx(("表", rows)))["limit_pct"] == 30.0


@pytest.mark.parametrize("header", ["分类原因", "保障类别", "保障类原因"])
def test_a_guarantee_reason_is_read_under_any_of_its_headers(header):
    code = new_credit_code()
    rows = [["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "管控类别", "绩效等级", header],
            ["保障焦化", code, "泽州县", "焦化", "保障类", "B", "国家战略性产业"]]
    report = commit_file(xlsx(("表", rows)), "a.xlsx")
    assert report.committed, report.lines()
    stored = db.session.query(Enterprise).filter_by(credit_code=code).one()
    assert (stored.category_code, stored.grade_code, stored.category_reason) == ("GUARANTEED", "B", "国家战略性产业")


def test_a_reason_is_kept_only_where_the_category_takes_one():
    code = new_credit_code()
    report = commit_file(xlsx(("表", registry_rows([firm(credit_code=code, category_reason="保障民生")]))), "a.xlsx")
    assert report.committed, report.lines()
    assert db.session.query(Enterprise).filter_by(credit_code=code).one().category_reason == ""   # as the form


@pytest.mark.parametrize("category, grade, reason", [
    ("保障类", "B", None), ("保障类", "B", "环保示范"), ("不纳入绩效分级", None, None),
    ("不纳入绩效分级", None, "保障民生"),
])
def test_a_missing_or_unknown_reason_is_refused_as_the_web_form_refuses_it(make_enterprise, category, grade,
                                                                            reason):
    make_enterprise(name="已有企业")
    row = firm(category=category, grade=grade, category_reason=reason)
    code = db.session.query(Category).filter_by(label=category).one()
    expected = check_category_reason(code, reason)["category_reason"]     # the web form's own check
    assert refused(xlsx(("表", registry_rows([row])))) == [("表", 2, col("category_reason"), expected)]
    assert expected.startswith(f"“{category}”企业须填写") if reason is None else "应为：" in expected


def test_the_reason_messages_name_the_accepted_reasons():
    rows = [firm(category="保障类", category_reason="环保示范"), firm(category="不纳入绩效分级", grade=None)]
    assert [message for *_, message in refused(xlsx(("表", registry_rows(rows))))] == [
        "保障类别（保障民生、保障城市正常运转或国家战略性产业）应为：保障民生、保障城市正常运转、国家战略性产业",
        "“不纳入绩效分级”企业须填写不纳入绩效分级的原因",
    ]


def test_a_file_without_the_reason_column_names_it():
    rows = [["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级"],
            ["保障焦化", new_credit_code(), "泽州县", "焦化", "保障类（B）"]]
    report = commit_file(xlsx(("表", rows)), "a.xlsx")
    assert problems(report) == [("表", 2, "", "“保障类”企业须填写保障类别（保障民生、保障城市正常运转或国家战略性产业）")]
    assert report.problems[0].as_text() == \
        "工作表“表” 第2行 “分类原因”列：“保障类”企业须填写保障类别（保障民生、保障城市正常运转或国家战略性产业）"


def test_livelihood_on_a_coking_firm_is_refused_naming_the_row(make_enterprise):
    make_enterprise(name="已有企业")
    rows = [firm(), firm(name="民生焦化", category="民生", grade=None)]
    assert refused(xlsx(("表", registry_rows(rows)))) == [
        ("表", 3, col("category"), "“民生”仅适用于居民供暖锅炉、生活服务业，不适用于“焦化”")]
    assert db.session.query(LineMeasure).count() == 0


def test_livelihood_on_residential_heating_is_accepted():
    code = new_credit_code()
    row = {"name": "城南供暖站", "credit_code": code, "county": "城区", "industry_name": "居民供暖锅炉",
           "category": "民生", "line_name": "1#锅炉", "red_action": "不停限产"}
    report = commit_file(xlsx(("表", registry_rows([row]))), "a.xlsx")
    assert report.committed, report.lines()
    assert db.session.query(Enterprise).filter_by(credit_code=code).one().category_code == "LIVELIHOOD"


def test_every_measure_phrase_names_a_type_or_a_transport_rule():
    types = MeasureTypes.seeded()
    rows = read_csv("measure_synonyms.csv")
    assert len(rows) > 40
    for row in rows:
        assert row["match"] in ("exact", "percent", "contains"), row
        assert (row["action"] in types) != (row["transport"] in TRANSPORTS), row
        # A fixed parameter only for a type that takes one.
        assert not row["param"] or types[row["action"]].param, row
