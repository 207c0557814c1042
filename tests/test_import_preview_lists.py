"""The import preview, issue 17: industries written without a sub-type resolve to the default sub-type (data) with
a warning naming the rows; files that create lines with no emission column are refused; the preview lists the
enterprises it creates or changes, and what changes."""
import io

from emergency.importing.changes import PREVIEW_LIMIT
from emergency.importing.pipeline import commit_file, inspect_file
from models import Enterprise, db
from seed.load import read_csv
from tests.conftest import new_credit_code
from tests.import_support import snapshot, xlsx

HEADERS = ["企业名称", "统一社会信用代码", "县（市、区）", "行业", "绩效等级", "生产线", "SO2年排放量(吨/年)",
           "NOx年排放量(吨/年)"]


def bureau_rows(*firms):
    """A bureau workbook: header, then (name, code, industry) firms with one line each."""
    return [HEADERS] + [[name, code, "泽州县", industry, "B", "1#线", 2.5, 7] for name, code, industry in firms]


def test_the_default_sub_types_are_data():
    defaults = {r["name"]: r["sub_type"] for r in read_csv("industries.csv") if r["default_sub_type"] == "1"}
    assert defaults == {"铸造": "铸件", "水泥": "熟料"}


def test_casting_and_cement_without_sub_types_import_with_a_warning_naming_the_rows():
    cast, cement, coke = new_credit_code(), new_credit_code(), new_credit_code()
    rows = bureau_rows(("甲铸造厂", cast, "铸造"), ("乙水泥厂", cement, "水泥"), ("丙焦化厂", coke, "焦化"))
    report = commit_file(xlsx(("清单", rows)), "部门清单.xlsx")
    assert report.committed, report.lines()
    db.session.commit()
    industries = {e.name: e.industry.code for e in db.session.query(Enterprise)}
    assert industries == {"甲铸造厂": "casting", "乙水泥厂": "cement_clinker", "丙焦化厂": "coking"}
    assert [(w.sheet, w.row, w.column, w.value, w.message) for w in report.warnings] == [
        ("清单", 2, "D", "铸造", "未填写行业子类，按默认子类导入为“铸造（铸件）”"),
        ("清单", 3, "D", "水泥", "未填写行业子类，按默认子类导入为“水泥（熟料）”"),
    ]
    text = "\n".join(report.lines())
    assert "提示 2 项（不影响导入）" in text and "第2行 D列（行业）“铸造”" in text


def test_an_industry_without_a_default_sub_type_is_still_refused():
    before = snapshot()
    report = commit_file(xlsx(("清单", bureau_rows(("丁砖厂", new_credit_code(), "砖瓦窑")))), "a.xlsx")
    assert not report.committed and not report.warnings
    assert ["行业“砖瓦窑”分为多个子类" in p.message for p in report.problems] == [True]
    db.session.rollback()
    assert snapshot() == before


def test_a_wrong_sub_type_is_not_defaulted():
    rows = [HEADERS + ["行业子类"],
            ["甲铸造厂", new_credit_code(), "泽州县", "铸造", "B", "1#线", 1, 1, "砂型"]]
    report, _ = inspect_file(xlsx(("清单", rows)), "a.xlsx")
    assert not report.warnings and ["“砂型”不是“铸造”的子类" in p.message for p in report.problems] == [True]


def test_a_file_creating_lines_without_any_emission_column_is_refused_naming_the_columns():
    before = snapshot()
    rows = [HEADERS[:6], ["甲焦化厂", new_credit_code(), "泽州县", "焦化", "B", "1#焦炉"]]
    report = commit_file(xlsx(("清单", rows)), "a.xlsx")
    assert not report.committed
    [problem] = report.problems
    assert (problem.sheet, problem.row) == ("清单", 2)
    assert problem.message == ("该表新增生产线，但没有任何排放量列，排放量将全部为0；请添加以下列："
                               "“SO2(吨/年)”、“NOx(吨/年)”、“颗粒物(吨/年)”、“VOCs(吨/年)”")
    db.session.rollback()
    assert snapshot() == before


def test_a_file_that_only_updates_stored_lines_needs_no_emission_column(make_enterprise, make_line):
    stored = make_enterprise(name="甲焦化厂", industry_code="coking", county_name="泽州县")
    make_line(stored, name="1#焦炉")
    rows = [HEADERS[:6] + ["年运行天数"], ["甲焦化厂", stored.credit_code, "泽州县", "焦化", "B", "1#焦炉", 200]]
    report = commit_file(xlsx(("清单", rows)), "a.xlsx")
    assert report.committed, report.lines()
    db.session.commit()
    assert stored.lines[0].operating_days == 200


def test_the_preview_lists_what_changes_in_each_enterprise(make_enterprise, make_line):
    stored = make_enterprise(name="甲焦化厂", industry_code="coking", county_name="泽州县", grade="C")
    make_line(stored, name="1#焦炉")
    same = make_enterprise(name="乙焦化厂", industry_code="coking", county_name="泽州县", grade="B")
    new = new_credit_code()
    rows = [HEADERS, ["甲焦化厂", stored.credit_code, "泽州县", "焦化", "B", "2#焦炉", 1, 2],
            ["乙焦化厂", same.credit_code, "泽州县", "焦化", "B", None, None, None],
            ["丙水泥厂", new, "泽州县", "水泥（熟料）", "A", "1#窑", 3, 4]]
    report, _ = inspect_file(xlsx(("清单", rows)), "a.xlsx")
    assert report.clean, report.lines()
    assert report.writes == 2
    assert report.listed == [
        {"code": stored.credit_code, "name": "甲焦化厂", "action": "修改", "what": "修改：绩效等级；新增生产线：2#焦炉"},
        {"code": new, "name": "丙水泥厂", "action": "新增", "what": "新增生产线：1#窑"},
    ]


def test_the_preview_lists_at_most_the_limit():
    firms = [(f"企业{n}", new_credit_code(), "焦化") for n in range(PREVIEW_LIMIT + 5)]
    report, _ = inspect_file(xlsx(("清单", bureau_rows(*firms))), "a.xlsx")
    assert report.clean, report.lines()[:8]
    assert report.writes == PREVIEW_LIMIT + 5 and len(report.listed) == PREVIEW_LIMIT
    assert report.listed[-1]["name"] == f"企业{PREVIEW_LIMIT - 1}"


def test_the_preview_page_shows_warnings_and_the_listed_firms(login, make_user):
    client = login(make_user("city"))
    code = new_credit_code()
    data = xlsx(("清单", bureau_rows(("甲铸造厂", code, "铸造"))))
    response = client.post("/import", data={"file": (io.BytesIO(data), "清单.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "检查通过" in page
    assert "提示 1 项，不影响导入" in page and "按默认子类导入为“铸造（铸件）”" in page
    assert "将新增或修改的企业（共 1 家）" in page and "甲铸造厂" in page and code in page
