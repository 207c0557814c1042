"""Green factories (绿色工厂): the enterprise's flag (form, page, import, registry workbook, audit) and the stagger rules
keyed on it. Shanxi exempts green factories from staggered production whatever their grade; the seeded default does
the same and outranks the grade-only rules (a C-grade green factory is exempt, a C firm that is not is staggered 30%)."""
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from emergency.clock import local_today
from emergency.importing.pipeline import commit_file, inspect_file
from emergency.lists.exports import export_registry
from emergency.lists.listing import iter_list_rows
from emergency.spreadsheets.registry import REGISTRY_HEADERS
from emergency.staggering.regimes import regime_for
from emergency.staggering.store import adopt_defaults, as_rule, season_rules
from models import AuditLog, Enterprise, Season, StaggerRule, db
from seed.load import load_stagger_defaults
from tests.conftest import new_credit_code
from tests.import_support import problems, registry_rows, snapshot, xlsx


def text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def season():
    load_stagger_defaults()   # stagger rules are wiped with the seasons between tests
    today = local_today()
    found = Season(name="本季", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
    db.session.add(found)
    db.session.flush()
    adopt_defaults(found)
    db.session.commit()
    return found


def test_the_seeded_green_factory_rule_outranks_the_grade_rules(season):
    rules = [as_rule(row) for row in season_rules(season)]
    green = next(r for r in rules if r.green_factory is True)
    c_rule = next(r for r in rules if r.grade_code == "C")
    assert (green.regime, green.grade_code, green.category_code) == ("exempt", None, None)
    assert c_rule.id < green.id   # the tie-break by id alone would pick the C rule
    day = local_today()
    for grade in ("C", "NON_LEADING", "D"):
        found = regime_for(rules, season, day, 1, "", "GRADED", grade, "", True)
        assert (found.regime, found.rule_id) == ("exempt", green.id)
    # Two keys against the green-factory key's two: the rule seeded first (the missed-deadline stop) wins.
    late = regime_for(rules, season, day, 1, "", "NON_COMPLIANT", None, "未按期完成秋冬季治理任务", True)
    assert late.regime == "season_stop"
    plain = regime_for(rules, season, day, 1, "", "GRADED", "C", "", False)
    assert (plain.regime, plain.limit_pct, plain.rule_id) == ("limit", 30.0, c_rule.id)


def test_a_c_green_factory_is_exempt_while_a_c_firm_that_is_not_is_staggered(season, make_enterprise, make_line):
    green = make_enterprise(name="丙级绿色工厂水泥", grade="C", green_factory=True)
    plain = make_enterprise(name="丙级普通水泥", grade="C")
    for firm in (green, plain):
        make_line(firm, measures={"red": ("stop", None, None, "no_g4")})
    rows = {r.enterprise_name: r for r in iter_list_rows("red")}
    daily = {"so2": 30.0 / 300, "nox": 60.0 / 300, "pm": 15.0 / 300, "vocs": 0.0}
    plain_row = rows["丙级普通水泥"]
    assert plain_row.measure.stagger_label == "错峰限产30%"
    assert plain_row.staggered == pytest.approx({p: v * 0.3 for p, v in daily.items()})
    assert plain_row.reductions == pytest.approx({p: v * 0.7 for p, v in daily.items()})
    green_row = rows["丙级绿色工厂水泥"]
    assert green_row.measure.label.startswith("停产") and green_row.measure.stagger_label == ""
    assert green_row.staggered == {}
    assert green_row.reductions == pytest.approx(daily)


def test_a_rule_on_green_factories_is_added_edited_and_shown(season, make_user, login):
    client = login(make_user("city"))
    url = f"/staggering/seasons/{season.id}/rules"
    response = client.post(url, data={"action": "add", "regime": "limit", "limit_pct": "10", "grade_code": "D",
                                      "green_factory": "1", "source": "市局绿色工厂通知"})
    assert response.status_code == 302
    rule = db.session.query(StaggerRule).filter_by(season_id=season.id, source="市局绿色工厂通知").one()
    assert (rule.green_factory, rule.grade_code, rule.limit_pct) == (True, "D", 10.0)
    assert "D（绿色工厂）" in text(client.get(url))
    edit = f"{url}/{rule.id}"
    assert '<option value="1" selected>是</option>' in text(client.get(edit))
    response = client.post(edit, data={"version": "1", "regime": "limit", "limit_pct": "10", "grade_code": "D",
                                       "green_factory": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(StaggerRule, rule.id).green_factory is False
    response = client.post(edit, data={"version": "2", "regime": "limit", "limit_pct": "10", "grade_code": "D",
                                       "green_factory": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(StaggerRule, rule.id).green_factory is None


@pytest.mark.parametrize("value", ["2", "是", "true"])
def test_a_bad_green_factory_key_is_refused_in_chinese_and_nothing_is_written(season, make_user, login, value):
    client = login(make_user("city"))
    count, logged = db.session.query(StaggerRule).count(), db.session.query(AuditLog).count()
    response = client.post(f"/staggering/seasons/{season.id}/rules",
                           data={"action": "add", "regime": "exempt", "green_factory": value})
    assert response.status_code == 400 and "绿色工厂一项须选择“不限”“是”或“否”" in text(response)
    assert db.session.query(StaggerRule).count() == count and db.session.query(AuditLog).count() == logged


def test_a_county_user_cannot_add_a_green_factory_rule(season, make_user, login):
    client = login(make_user("county", county_name="城区"))
    count = db.session.query(StaggerRule).count()
    response = client.post(f"/staggering/seasons/{season.id}/rules",
                           data={"action": "add", "regime": "exempt", "green_factory": "1"})
    assert response.status_code == 403
    assert db.session.query(StaggerRule).count() == count


def form(enterprise, **changes):
    data = {"name": enterprise.name, "credit_code": enterprise.credit_code, "county_id": enterprise.county_id,
            "industry_id": enterprise.industry_id, "category_code": enterprise.category_code,
            "grade_code": enterprise.grade_code or "", "version": enterprise.version}
    return data | changes


def test_the_form_saves_the_flag_the_page_shows_it_and_the_audit_names_it(make_user, login, make_enterprise):
    firm = make_enterprise(name="绿色水泥")
    client = login(make_user("county", county_name="城区"))
    assert "绿色工厂</dt><dd>否" in text(client.get(f"/enterprises/{firm.id}"))
    response = client.post(f"/enterprises/{firm.id}/edit", data=form(firm, green_factory="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert firm.green_factory is True
    assert "绿色工厂</dt><dd>是" in text(client.get(f"/enterprises/{firm.id}"))
    assert "绿色工厂" in text(login(make_user("city")).get("/audit"))
    response = client.post(f"/enterprises/{firm.id}/edit", data=form(firm))   # an unticked box clears it
    assert response.status_code == 302
    db.session.expire_all()
    assert firm.green_factory is False


def test_a_refused_form_writes_no_flag(make_user, login, make_enterprise):
    firm = make_enterprise(name="绿色水泥")
    client = login(make_user("city"))
    logged = db.session.query(AuditLog).count()
    response = client.post(f"/enterprises/{firm.id}/edit", data=form(firm, green_factory="y", longitude="200"))
    assert response.status_code == 200 and "未保存任何内容" in text(response)
    db.session.expire_all()
    assert firm.green_factory is False and db.session.query(AuditLog).count() == logged


def test_another_countys_user_cannot_set_the_flag(make_user, login, make_enterprise):
    firm = make_enterprise(name="绿色水泥", county_name="城区")
    client = login(make_user("county", county_name="阳城县", username="yangcheng"))
    response = client.post(f"/enterprises/{firm.id}/edit", data=form(firm, green_factory="y"))
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert firm.green_factory is False
    assert "绿色工厂</dt><dd>否" in text(login(make_user("city")).get(f"/enterprises/{firm.id}"))


@pytest.mark.parametrize("header, cell, expected", [("绿色工厂", "是", True), ("是否绿色工厂", "否", False)])
def test_the_import_reads_the_green_factory_column(header, cell, expected):
    code = new_credit_code()
    rows = [["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级", header],
            ["绿色水泥", code, "城区", "水泥（熟料）", "C", cell]]
    report = commit_file(xlsx(("表", rows)), "绿色工厂.xlsx", username="tester")
    assert report.committed, report.lines()
    db.session.commit()
    assert db.session.query(Enterprise).filter_by(credit_code=code).one().green_factory is expected


def test_a_bad_green_factory_cell_is_a_problem_on_its_cell_and_nothing_is_written():
    records = [{"county": "城区", "industry_name": "水泥（熟料）", "grade": "C", "name": "绿色水泥",
                "credit_code": new_credit_code(), "green_factory": "也许"}]
    before = snapshot()
    report, _ = inspect_file(xlsx(("表", registry_rows(records))), "坏.xlsx")
    assert [(column, row, message) for _, row, column, message in problems(report)] == [
        (get_column_letter(REGISTRY_HEADERS.index("绿色工厂") + 1), 2, "应填写“是”或“否”")]
    assert snapshot() == before


def test_the_registry_workbook_exports_the_flag_and_reads_it_back(make_enterprise):
    green = make_enterprise(name="甲绿色水泥", green_factory=True)
    plain = make_enterprise(name="乙普通水泥")
    buffer = io.BytesIO()
    export_registry(buffer)
    rows = list(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))
    cells = {row[0]: dict(zip(rows[0], row))["绿色工厂"] for row in rows[1:]}
    assert cells == {"甲绿色水泥": "是", "乙普通水泥": "否"}
    codes = (green.credit_code, plain.credit_code)
    for firm in (green, plain):
        db.session.delete(firm)
    db.session.commit()
    report = commit_file(buffer.getvalue(), "名录.xlsx", username="tester")
    assert report.committed, report.lines()
    db.session.commit()
    stored = {e.credit_code: e.green_factory for e in db.session.query(Enterprise).filter(
        Enterprise.credit_code.in_(codes))}
    assert stored == {codes[0]: True, codes[1]: False}
