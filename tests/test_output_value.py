"""The enterprise's 年产值 (万元): the form, the enterprise page, the import (with its synonyms and rules), the
registry workbook and the audit trail. The target solver weighs lost production by it."""
import io
import re

import pytest
from openpyxl import load_workbook

from emergency.importing.pipeline import commit_file, inspect_file
from emergency.lists.exports import export_registry
from models import AuditLog, Enterprise, db
from tests.conftest import new_credit_code
from tests.import_support import problems, registry_rows, snapshot, xlsx


def text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def city(make_user, login):
    return login(make_user("city"))


def form(enterprise, **changes):
    data = {"name": enterprise.name, "credit_code": enterprise.credit_code, "county_id": enterprise.county_id,
            "industry_id": enterprise.industry_id, "category_code": enterprise.category_code,
            "grade_code": enterprise.grade_code or "", "version": enterprise.version}
    return data | changes


def test_the_form_saves_the_output_value_the_page_shows_it_and_the_audit_names_it(city, make_enterprise):
    firm = make_enterprise(name="产值水泥")
    response = city.post(f"/enterprises/{firm.id}/edit", data=form(firm, output_value="12345.5"))
    assert response.status_code == 302
    db.session.expire_all()
    assert firm.output_value == 12345.5
    assert "年产值（万元）</dt><dd>12345.5" in text(city.get(f"/enterprises/{firm.id}"))
    assert "年产值（万元）" in text(city.get("/audit"))


@pytest.mark.parametrize("value, message", [
    ("-1", "年产值应为0到1e+09之间的数字（万元）"),
    ("1e12", "年产值应为0到1e+09之间的数字（万元）"),
    ("很多", "请填写数字"),
])
def test_a_bad_output_value_is_refused_in_chinese_and_nothing_is_written(city, make_enterprise, value, message):
    firm = make_enterprise(name="产值水泥")
    logged = db.session.query(AuditLog).count()
    response = city.post(f"/enterprises/{firm.id}/edit", data=form(firm, output_value=value))
    assert response.status_code == 200
    body = text(response)
    assert message in body and "未保存任何内容" in body
    db.session.expire_all()
    assert firm.output_value is None
    assert db.session.query(AuditLog).count() == logged


@pytest.mark.parametrize("header", ["年产值(万元)", "工业总产值（万元）", "产值"])
def test_the_import_reads_the_output_value_under_its_synonyms(header):
    code = new_credit_code()
    rows = [["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级", header],
            ["产值水泥", code, "城区", "水泥（熟料）", "C", "8000.25"]]
    report = commit_file(xlsx(("表", rows)), "产值.xlsx", username="tester")
    assert report.committed, report.lines()
    db.session.commit()
    assert db.session.query(Enterprise).filter_by(credit_code=code).one().output_value == 8000.25


def test_a_bad_output_value_in_an_import_is_a_problem_on_its_cell_and_nothing_is_written():
    base = {"county": "城区", "industry_name": "水泥（熟料）", "grade": "C"}
    records = [{**base, "name": "负产值", "credit_code": new_credit_code(), "output_value": -5},
               {**base, "name": "字产值", "credit_code": new_credit_code(), "output_value": "很多"}]
    before = snapshot()
    report, _ = inspect_file(xlsx(("表", registry_rows(records))), "坏.xlsx")
    assert [(row, message) for _, row, _, message in problems(report)] == [
        (2, "年产值应为0到1e+09之间的数字（万元）"), (3, "不是有效的数字")]
    assert snapshot() == before


def test_the_registry_workbook_exports_the_output_value_and_reads_it_back(make_enterprise):
    firm = make_enterprise(name="产值水泥", output_value=4321.5)
    buffer = io.BytesIO()
    export_registry(buffer)
    rows = list(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))
    assert dict(zip(rows[0], rows[1]))["年产值(万元)"] == 4321.5
    code = firm.credit_code
    db.session.delete(firm)
    db.session.commit()
    report = commit_file(buffer.getvalue(), "名录.xlsx", username="tester")
    assert report.committed, report.lines()
    db.session.commit()
    assert db.session.query(Enterprise).filter_by(credit_code=code).one().output_value == 4321.5
