"""Cell values and headers as the import reads them; the import's line rules equal the web form's."""
import pytest

from emergency.importing.layout import match_header
from emergency.importing.measure_text import SaidMeasure, parse_measure_text
from emergency.importing.plan import line_rules
from emergency.importing.values import (
    Vocabulary,
    cell_text,
    fold,
    parse_bool,
    parse_fraction,
    parse_number,
    parse_percent,
)
from emergency.registry import operations as ops
from emergency.spreadsheets.registry import REGISTRY_COLUMNS


@pytest.mark.parametrize("text, expected", [
    ("停产", ("stop", {})),
    ("全部停产", ("stop", {})),
    ("停产保窑", ("hot_standby", {})),
    ("停产保温（保窑/焖炉）", ("hot_standby", {})),
    ("高炉焖炉", ("hot_standby", {})),
    ("限产30%", ("limit", {"limit_pct": 30.0})),
    ("限产 30 %", ("limit", {"limit_pct": 30.0})),
    ("限产３０％", ("limit", {"limit_pct": 30.0})),
    ("停产50%", ("line_share", {"limit_pct": 50.0})),
    ("停产50%，以生产线计", ("line_share", {"limit_pct": 50.0})),
    ("停产50%（以生产线计）", ("line_share", {"limit_pct": 50.0})),
    ("限产100%", ("stop", {})),
    ("不停产，限产20%", ("limit", {"limit_pct": 20.0})),
    ("不停产，负荷70%", ("none", {})),
    ("限产", ("limit", {})),
    ("延长结焦时间至36小时", ("coking_time", {"hours": 36.0})),
    ("结焦时间延长至36h", ("coking_time", {"hours": 36.0})),
    ("以热定产，负荷不超过70%", ("heat_led", {"cap_pct": 70.0})),
    ("以热定产（负荷不超过70%）", ("heat_led", {"cap_pct": 70.0})),
    ("以热定产，削减20%", ("heat_led", {"cap_pct": 80.0})),
    ("以量定产", ("order_led", {})),
    ("自主减排", ("self", {})),
    ("自主采取减排措施", ("self", {})),
    ("鼓励结合实际，自主采取减排措施", ("self", {})),
    ("不停限产", ("none", {})),
    ("不停产不限产", ("none", {})),
    ("其他", ("other", {})),
    ("其他（削减10%）", ("other", {"other_fraction": 0.1})),
    ("限产30%，禁止国四及以下重型载货车辆运输", ("limit", {"limit_pct": 30.0, "transport": "no_g4"})),
    ("限产20%；国四禁运；停止公路运输", ("limit", {"limit_pct": 20.0, "transport": "no_road"})),
    ("禁止使用国四及以下重型载货车辆（含燃气）进行运输", (None, {"transport": "no_g4"})),
    ("停止公路运输", (None, {"transport": "no_road"})),
])
def test_measure_text(text, expected):
    action, given = expected
    assert parse_measure_text(text) == SaidMeasure(action, **given)


@pytest.mark.parametrize("text", ["加强管理", "", "无", "/", None])
def test_words_that_say_no_measure(text):
    assert parse_measure_text(text) is None


@pytest.mark.parametrize("value, expected", [
    (12, (12.0, None)), (1.5, (1.5, None)), ("12.5", (12.5, None)), (" １２ ", (12.0, None)),
    ("1,234.5", (1234.5, None)), ("-3", (-3.0, None)), ("", (None, None)), (None, (None, None)),
    ("/", (None, None)), ("十二", (None, "不是有效的数字")), ("12吨", (None, "不是有效的数字")),
    (True, (None, "应填写数字")), ("nan", (None, "不是有效的数字")),
])
def test_numbers_stored_as_text_are_accepted(value, expected):
    assert parse_number(value) == expected


def test_percent_and_fraction():
    assert parse_percent("30%") == (30.0, None)
    assert parse_percent(30) == (30.0, None)
    assert parse_percent(0.3) == (30.0, None)     # a cell formatted as percent holds 0.3
    assert parse_fraction("10%") == (0.1, None)
    assert parse_fraction(0.15) == (0.15, None)
    assert parse_fraction("abc") == (None, "不是有效的数字")


@pytest.mark.parametrize("value, expected", [
    ("是", (True, None)), ("否", (False, None)), ("Y", (True, None)), ("n", (False, None)), (1, (True, None)),
    (0.0, (False, None)), ("√", (True, None)), ("不可", (False, None)), ("", (None, None)),
    ("也许", (None, "应填写“是”或“否”")),
])
def test_yes_no(value, expected):
    assert parse_bool(value) == expected


def test_text_folding_keeps_chinese_punctuation():
    assert fold("　ＡＢＣ１２３公司（集团）　") == "ABC123公司（集团）"
    assert cell_text(13912345678.0) == "13912345678"
    assert cell_text(2.5) == "2.5"
    assert cell_text(None) == ""


def test_every_registry_header_maps_back_to_its_field():
    assert {header: match_header(header) for _, header in REGISTRY_COLUMNS} == \
        {header: key for key, header in REGISTRY_COLUMNS}


@pytest.mark.parametrize("header, field", [
    ("企业名称", "name"), ("单位名称", "name"), ("企业（单位）名称", "name"), ("*企业名称", "name"),
    ("统一社会信用代码", "credit_code"), ("社会信用代码", "credit_code"), ("信用代码", "credit_code"),
    ("县（市、区）", "county"), ("所属县区", "county"), ("区县", "county"), ("县 (市、区)", "county"),
    ("绩效等级", "grade"), ("绩效分级", "grade"), ("评级结果", "grade"),
    ("生产线", "line_name"), ("生产线名称", "line_name"), ("生产线（设施）", "line_name"),
    ("二氧化硫（t/a）", "so2_t_yr"), ("so2", "so2_t_yr"),
    ("黄色预警", "yellow_text"), ("黄色预警/减排措施", None), ("黄色预警减排措施", "yellow_text"),
    ("应急减排措施红色预警", "red_text"), ("橙色预警期间措施类型", "orange_action"),
    ("红色预警限产比例", "red_limit_pct"), ("序号", "ignore"), ("备注", "ignore"), ("企业规模", None), ("", None),
])
def test_header_synonyms(header, field):
    assert match_header(header) == field


def test_classification_spellings():
    vocab = Vocabulary()
    cases = {
        "A级": (None, "A"), "Ａ": (None, "A"), "a": (None, "A"), "B-级": (None, "B-"), "Ｂ－级": (None, "B-"),
        "B—": (None, "B-"), "引领性企业": (None, "LEADING"), "非引领性": (None, "NON_LEADING"),
        "保障类": ("GUARANTEED", None), "民生保障": ("LIVELIHOOD", None), "民生": ("LIVELIHOOD", None),
        "不纳入绩效分级": ("NON_COMPLIANT", None), "一般管控": ("GENERAL", None), "绩效分级": ("GRADED", None),
        "保障类（A）": ("GUARANTEED", "A"), "保障类(B级)": ("GUARANTEED", "B"),
    }
    assert {text: vocab.classification(text)[:2] for text in cases} == cases
    assert vocab.classification("E级") == (None, None, False)
    assert vocab.classification("/") == (None, None, True)


def test_industry_matching(industry):
    vocab = Vocabulary()
    clinker, coking = industry("cement_clinker"), industry("coking")
    for name, sub in [("水泥（熟料）", ""), ("水泥(熟料)", ""), ("水泥熟料", ""), ("水泥", "熟料"),
                      ("水泥（熟料）", "熟料"), ("cement_clinker", "")]:
        assert vocab.industry(name, sub) == (clinker, None), (name, sub)
    assert vocab.industry("焦化") == (coking, None)
    assert vocab.industry("〔非重点〕集中供热")[0].code == "heating"
    assert vocab.industry("水泥") == (None, "行业“水泥”分为多个子类（熟料、粉磨站），请写明子类，如“水泥（熟料）”")
    assert vocab.industry("水泥", "玻璃") == (None, "“玻璃”不是“水泥”的子类，可填写：熟料、粉磨站")
    assert vocab.industry("造纸")[1] == "未知的行业类别“造纸”，请按模板“填写说明”中的行业名称填写"


def test_county_matching(county):
    vocab = Vocabulary()
    zezhou = county("泽州县")
    for text in ("泽州县", "泽州", "晋城市泽州县", "山西省晋城市泽州县", "140525", " 泽州县 "):
        assert vocab.county(text) == (zezhou, None), text
    assert vocab.county("经开区")[0].name == "开发区"
    assert vocab.county("城区")[0].name == "城区"
    assert vocab.county("太原市")[1].startswith("未知的县（市、区）“太原市”，可填写：城区、泽州县")


@pytest.mark.parametrize("values", [
    {"so2_t_yr": -1.0}, {"capacity": -5.0}, {"vocs_t_yr": 0.0, "pm_t_yr": -0.1}, {"operating_days": 0},
    {"operating_days": 367}, {"operating_days": None}, {"operating_days": 366, "nox_t_yr": 3.0}, {},
])
def test_line_rules_equal_the_web_forms(make_enterprise, values):
    """The import checks lines without a query per row; its rules must stay those of operations.check_line."""
    enterprise = make_enterprise()
    full = {"name": "1#线", "operating_days": 300, "so2_t_yr": 1.0, **values}
    assert line_rules(full) == ops.check_line(enterprise, full, {})
