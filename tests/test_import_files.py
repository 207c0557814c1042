"""Messy workbooks built in code: layouts the import must read, and the exact problems it must report."""
from pathlib import Path

import pytest

from emergency.importing.pipeline import commit_file, inspect_file
from emergency.importing.plan_measures import UNREADABLE_TEXT
from models import Enterprise, LineMeasure, ProductionLine, db
from tests.conftest import new_credit_code
from tests.import_support import csv_bytes, gov_code, gov_sheet, problems, snapshot, xlsx

GOV_XLS = Path(__file__).parent / "data" / "import_gov.xls"
SHORT = ["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级", "生产线", "SO2(吨/年)", "年运行天数",
         "黄色预警减排措施", "橙色预警减排措施", "红色预警减排措施"]
GOOD = ["限产20%", "限产50%", "停产"]


def line_row(name, code, line="1#窑", county="城区", industry="水泥（熟料）", grade="B", so2=10, days=300,
             measures=GOOD):
    return [name, code, county, industry, grade, line, so2, days, *measures]


def measures_of(code):
    """{(line, level): (action, its % / hours / cap parameter, other_fraction, transport, text)}."""
    rows = (db.session.query(ProductionLine.name, LineMeasure)
            .join(LineMeasure.line).join(ProductionLine.enterprise).filter(Enterprise.credit_code == code))
    return {(line, m.level): (m.action, next((v for v in (m.limit_pct, m.hours, m.cap_pct) if v is not None), None),
                              m.other_fraction, m.transport, m.text) for line, m in rows}


@pytest.mark.parametrize("source", ["xlsx", "xls"])
def test_government_file_with_titles_merged_cells_totals_and_notes(source):
    rows, merges = gov_sheet()
    data = xlsx(("泽州县", rows, merges)) if source == "xlsx" else GOV_XLS.read_bytes()
    report = commit_file(data, f"泽州县清单.{source}")
    assert report.clean and report.committed, report.lines()
    db.session.commit()
    assert [(s.name, s.header_rows, s.rows) for s in report.sheets] == [("泽州县", "3–4", 4)]
    assert report.table() == [("企业", 3, 0, 0), ("生产线", 4, 0, 0), ("减排措施", 12, 0, 0)]
    firms = {e.credit_code: e for e in db.session.query(Enterprise)}
    first, second, third = (firms[gov_code(n)] for n in (901, 902, 903))
    assert (first.name, first.county.name, first.industry.code, first.grade_code) == \
        ("泽州金石水泥有限公司", "泽州县", "cement_clinker", "C")
    assert [(line.name, line.so2_t_yr, line.nox_t_yr, line.operating_days) for line in first.lines] == \
        [("1#窑", 12.5, 30.0, 300), ("2#窑", 8.0, 20.0, 300)]
    assert measures_of(first.credit_code)[("1#窑", "yellow")] == ("limit", 30.0, None, "none", "限产 30 %")
    assert measures_of(first.credit_code)[("1#窑", "red")] == ("stop", None, None, "none", "全部停产")
    assert (second.name, second.grade_code, second.category_code) == ("泽州兴达建材有限公司", "B-", "GRADED")
    # Words naming only the truck ban: no stop or limit, with the ban.
    assert measures_of(second.credit_code)[("粉磨线", "yellow")] == (
        "none", None, None, "no_g4", "禁止使用国四及以下重型载货车辆（含燃气）进行运输")
    assert (third.category_code, third.grade_code, third.lines[0].so2_t_yr) == ("LIVELIHOOD", None, 12.0)
    assert {m[0] for m in measures_of(third.credit_code).values()} == {"none"}


def test_every_problem_is_reported_with_its_row_and_nothing_is_written(make_enterprise):
    keep = make_enterprise(name="已有企业")
    before = snapshot()
    code, codes = new_credit_code(), [new_credit_code() for _ in range(12)]
    bad_code = codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1")
    rows = [
        ["晋城市应急减排清单"], SHORT,
        line_row("甲水泥有限公司", code),                                            # 3: fine
        line_row("乙公司", bad_code),                                               # 4
        line_row("丙公司", codes[1], county="火星县"),                              # 5
        line_row("丁公司", codes[2], industry="造纸"),                              # 6
        line_row("戊公司", codes[3], industry="水泥（粉磨站）", grade="A"),           # 7
        line_row("己公司", codes[4], so2=-5),                                       # 8
        line_row("庚公司", codes[5], so2="十吨"),                                    # 9
        line_row("辛公司", codes[6], measures=["加强管理", "停产", "停产"]),           # 10
        line_row("甲水泥有限公司", code),                                            # 11: same line again
        line_row("甲水泥分公司", code, line="2#窑"),                                 # 12: same code, other name
        line_row("壬公司", codes[7], grade="保障类（C）"),                            # 13
        line_row("癸公司", codes[8], days=400),                                     # 14
        line_row("子公司", codes[9], measures=["限产", "停产", "停产"]),              # 15
        ["丑公司", codes[10], "城区", "水泥（熟料）", "B", None, 5],                   # 16: data but no line name
        line_row("寅公司", codes[11], grade=None),                                  # 17
        [None, None, None, None, None, None, 60, 3000],                             # 18: no code, no name
        line_row("甲水泥分公司", code, line="3#窑"),                                 # 19: row 12 again
        ["合计", None, None, None, None, None, 99],
        ["注：排放量为上年度数据。"],
    ]
    report = commit_file(xlsx(("清单", rows)), "问题清单.xlsx")
    assert not report.committed
    db.session.rollback()
    assert problems(report) == [
        ("清单", 4, "B", f"统一社会信用代码校验位错误（应为{codes[0][-1]}）"),
        ("清单", 5, "C", "未知的县（市、区）“火星县”，可填写：城区、泽州县、高平市、阳城县、陵川县、沁水县、开发区"),
        ("清单", 6, "D", "未知的行业类别“造纸”，请按模板“填写说明”中的行业名称填写"),
        ("清单", 7, "E", "“水泥（粉磨站）”的分级方案不允许“A”，可选：引领性、非引领性"),
        ("清单", 8, "G", "不能为负数"),
        ("清单", 9, "G", "不是有效的数字"),
        ("清单", 10, "I", UNREADABLE_TEXT),
        ("清单", 11, "F", "同一企业的生产线名称重复（与第3行相同）"),
        ("清单", 12, "A", "与第3行的统一社会信用代码相同，但企业名称不同（“甲水泥有限公司”）"),
        ("清单", 13, "E", "保障类企业须达到B级及以上或引领性（晋城市规定），当前为“C”"),
        ("清单", 13, "", "“保障类”企业须填写保障类别（保障民生、保障城市正常运转或国家战略性产业）"),
        ("清单", 14, "H", "年运行天数应在1到366之间"),
        ("清单", 15, "I", "“限产”须填写比例（%）"),
        ("清单", 16, "F", "填写了生产线数据，但未填写生产线名称"),
        ("清单", 17, "E", "未填写绩效等级（或管控类别）"),
        ("清单", 18, "B", "统一社会信用代码不能为空"),
        ("清单", 19, "A", "与第3行的统一社会信用代码相同，但企业名称不同（“甲水泥有限公司”）"),
    ]
    assert report.problems[0].value == bad_code and report.problems[0].header == "统一社会信用代码"
    assert [report.problems[i].value for i in (4, 7, 8)] == ["-5", "1#窑", "甲水泥分公司"]
    assert snapshot() == before
    assert db.session.get(Enterprise, keep.id).name == "已有企业"


def test_dry_run_reports_the_same_without_writing():
    before = snapshot()
    report, plans = inspect_file(xlsx(("清单", [SHORT, line_row("甲公司", new_credit_code())])), "a.xlsx")
    assert report.clean and report.table()[0] == ("企业", 1, 0, 0) and len(plans) == 1
    assert snapshot() == before


def test_two_row_header_with_a_group_over_the_levels_and_per_level_columns():
    code = new_credit_code()
    rows = [
        ["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级", "生产线", "应急减排措施", None, None,
         "黄色预警", None, "NOx年排放量(吨/年)"],
        [None, None, None, None, None, None, "黄色预警", "橙色预警", "红色预警", "措施类型", "限产比例(%)", None],
        ["甲公司", code, "高平市", "焦化", "B-级", "1#焦炉", "延长结焦时间至36小时，限产20%", "停产50%", "全部停产",
         "限产", 25, 40],
    ]
    report = commit_file(xlsx(("表", rows, ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:F2", "G1:I1",
                                            "J1:K1", "L1:L2"])), "a.xlsx")
    assert report.committed, report.lines()
    assert measures_of(code) == {
        ("1#焦炉", "yellow"): ("limit", 25.0, None, "none", "延长结焦时间至36小时，限产20%"),
        ("1#焦炉", "orange"): ("line_share", 50.0, None, "none", "停产50%"),
        ("1#焦炉", "red"): ("stop", None, None, "none", "全部停产"),
    }


def test_rows_left_blank_under_an_enterprise_continue_it_and_enterprise_only_rows():
    code, lone = new_credit_code(), new_credit_code()
    rows = [SHORT, line_row("甲公司", code), [None, None, None, None, None, "2#窑", 3, 300, *GOOD], [],
            ["乙涂装厂", lone, "城区", "其他涉气行业", "一般管控"],
            ["丙印刷厂", new_credit_code(), "城区", "工业锅炉"]]
    report = commit_file(xlsx(("表", rows)), "a.xlsx")
    assert report.committed, report.lines()
    firms = {e.name: e for e in db.session.query(Enterprise)}
    assert [line.name for line in firms["甲公司"].lines] == ["1#窑", "2#窑"]
    assert firms["乙涂装厂"].lines == [] and firms["乙涂装厂"].category_code == "GENERAL"
    # A non-key firm with no grade or category is 一般管控 (README, "Importing").
    assert firms["丙印刷厂"].category_code == "GENERAL" and firms["丙印刷厂"].grade_code is None


def test_several_sheets_are_read_and_an_explanation_sheet_is_skipped():
    code = new_credit_code()
    report, _ = inspect_file(xlsx(("说明", [["本表说明"], ["企业名称：填写全称"]]),
                                  ("城区", [SHORT, line_row("甲公司", code)]),
                                  ("泽州县", [SHORT, line_row("甲公司（泽州）", code, line="9#窑", county="城区")])),
                             "多表.xlsx")
    assert report.skipped == ["说明"]
    assert [(s.name, s.rows) for s in report.sheets] == [("城区", 1), ("泽州县", 1)]
    assert problems(report) == [("泽州县", 2, "A", "与工作表“城区”第2行的统一社会信用代码相同，但企业名称不同（“甲公司”）")]


def test_missing_required_columns_and_unknown_columns():
    rows = [["企业名称", "生产线", "行业类别", "企业规模", "序号"], ["甲公司", "1#", "焦化", "大", 1]]
    report, _ = inspect_file(xlsx(("表", rows)), "a.xlsx")
    assert problems(report) == [("表", 1, "", "缺少必需的列：统一社会信用代码、县（市、区）、绩效等级（或管控类别）")]
    rows[0][1:2] = ["统一社会信用代码", "县区", "绩效等级", "生产线"]
    rows[1][1:2] = [new_credit_code(), "城区", "B", "1#"]
    report, _ = inspect_file(xlsx(("表", rows)), "a.xlsx")
    # A file that creates a line but has no emission column at all is refused, naming the columns to add.
    [(sheet, row, column, message)] = problems(report)
    assert (sheet, row, column) == ("表", 2, "") and "没有任何排放量列" in message
    assert all(name in message for name in ("“SO2(吨/年)”", "“NOx(吨/年)”", "“颗粒物(吨/年)”", "“VOCs(吨/年)”"))
    rows[0].append("SO2年排放量(吨/年)")
    rows[1].append(3)
    report, _ = inspect_file(xlsx(("表", rows)), "a.xlsx")
    assert report.clean and report.sheets[0].ignored == ["企业规模"]


@pytest.mark.parametrize("rows, message", [
    ([["名称", "地址"], ["甲", "乙"]], "未找到表头：表中应有“企业名称”“统一社会信用代码”“县（市、区）”“行业类别”“绩效等级”等列"),
    ([SHORT, [], ["合计"]], "表中没有数据行"),
])
def test_files_without_a_table(rows, message):
    report, _ = inspect_file(xlsx(("表", rows)), "a.xlsx")
    assert report.file_error == message and not report.clean


@pytest.mark.parametrize("encoding, bom", [("gbk", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_csv_in_gbk_and_utf8_with_bom_imports(encoding, bom):
    code = new_credit_code()
    data = bom + csv_bytes([SHORT, line_row("晋城市甲水泥有限公司", code, county="泽州县")], encoding)
    report = commit_file(data, "清单.csv")
    assert report.committed, report.lines()
    enterprise = db.session.query(Enterprise).filter_by(credit_code=code).one()
    assert (enterprise.name, enterprise.county.name) == ("晋城市甲水泥有限公司", "泽州县")
    assert measures_of(code)[("1#窑", "orange")] == ("limit", 50.0, None, "none", "限产50%")


def test_rows_are_told_apart_by_their_cells():
    from emergency.importing.layout import Layout, row_kind

    layout = Layout("表", 0, 0, {"name": 1, "credit_code": 2}, {})
    assert row_kind([None, "", "  \u3000", None], layout) == "blank"
    assert row_kind(["全 市\u3000合 计", None, None, 12.5], layout) == "total"
    assert row_kind([1, "合计煤业有限公司", "91140500MA0000001X", 0], layout) == "data"
    assert row_kind([2, "某某集团公司统计中心（合计用电）", "91140500MA0000002X"], layout) == "data"
    assert row_kind([" ", 0, None], layout) == "data"


def test_a_cell_first_given_on_a_later_row_of_the_firm_is_reported_at_that_row():
    # The firm's first row (Excel row 2) gives an unknown grade and leaves 行业类别 blank; its second row (row 3)
    # names an industry that does not exist: each problem is at the row its cell came from.
    code = new_credit_code()
    rows = [SHORT, line_row("行号测试公司", code, industry="", grade="X级"),
            line_row("", code, line="2#窑", industry="不存在的行业", grade="")]
    report, _ = inspect_file(xlsx(("表", rows)), "rows.xlsx")
    found = {(row, column): message for _, row, column, message in problems(report)}
    assert found[(3, "D")].startswith("未知的行业类别“不存在的行业”")
    assert "X级" in found[(2, "E")] and (2, "D") not in found and (3, "E") not in found
