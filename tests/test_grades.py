"""Grade-versus-scheme rules and the Jincheng 保障类 rule, read from the reference tables."""
import pytest

from emergency.registry.grades import check_classification
from models import Category, Grade, Industry, db


def _check(industry_code, category, grade):
    industry = db.session.query(Industry).filter_by(code=industry_code).one()
    return check_classification(industry, db.session.get(Category, category),
                                db.session.get(Grade, grade) if grade else None)


@pytest.mark.parametrize("industry, grade", [
    ("cement_clinker", "A"), ("cement_clinker", "B"), ("cement_clinker", "B-"), ("cement_clinker", "C"),
    ("cement_clinker", "D"), ("pharma", "C"), ("cement_grinding", "LEADING"), ("cement_grinding", "NON_LEADING"),
    ("brick_fired", "D"), ("brick_nonfired", "LEADING"),
])
def test_grades_in_scheme_are_accepted(industry, grade):
    assert _check(industry, "GRADED", grade) == {}


@pytest.mark.parametrize("industry, grade, fragment", [
    ("pharma", "D", "不允许“D”"),                      # A/B/C scheme
    ("cement_grinding", "A", "不允许“A”"),             # 引领性 scheme
    ("cement_clinker", "LEADING", "不允许“引领性”"),
    ("packaging_printing", "B-", "不允许“B-”"),        # B- only where the data allows it
    ("brick_fired", "LEADING", "不允许“引领性”"),       # sub-types grade separately
])
def test_grades_outside_scheme_are_refused(industry, grade, fragment):
    errors = _check(industry, "GRADED", grade)
    assert fragment in errors["grade_code"]


def test_graded_firm_needs_a_grade():
    assert "须填写绩效等级" in _check("cement_clinker", "GRADED", None)["grade_code"]


def test_non_key_industry_takes_no_a_to_d_grade():
    assert "非重点行业" in _check("boiler", "GRADED", "B")["category_code"]
    assert _check("boiler", "GENERAL", None) == {}
    assert "不填写绩效等级" in _check("boiler", "GENERAL", "B")["grade_code"]


def test_general_control_is_only_for_non_key_industries():
    assert "重点行业" in _check("cement_clinker", "GENERAL", None)["category_code"]


@pytest.mark.parametrize("grade", ["A", "B", "B-"])
def test_guaranteed_firm_in_graded_industry_at_b_or_better(grade):
    assert _check("cement_clinker", "GUARANTEED", grade) == {}


def test_guaranteed_leading_firm_is_accepted():
    assert _check("cement_grinding", "GUARANTEED", "LEADING") == {}


@pytest.mark.parametrize("industry, grade", [("cement_clinker", "C"), ("cement_clinker", "D"),
                                             ("cement_grinding", "NON_LEADING")])
def test_guaranteed_firm_below_b_is_refused(industry, grade):
    assert "保障类企业须达到B级及以上或引领性" in _check(industry, "GUARANTEED", grade)["grade_code"]


def test_guaranteed_firm_in_graded_industry_needs_its_grade():
    assert "须填写绩效等级" in _check("coking", "GUARANTEED", None)["grade_code"]


def test_guaranteed_non_key_firm_has_no_grade():
    assert _check("thermal_power", "GUARANTEED", None) == {}
    assert "不填写绩效等级" in _check("thermal_power", "GUARANTEED", "A")["grade_code"]


@pytest.mark.parametrize("category", ["LIVELIHOOD", "NON_COMPLIANT"])
def test_livelihood_and_non_compliant_take_no_grade(category):
    assert _check("cement_clinker", category, None) == {}
    assert "不填写绩效等级" in _check("cement_clinker", category, "B")["grade_code"]


@pytest.mark.mutates_reference
def test_scheme_is_data_not_code():
    """Allowing B- for pharma in the data table changes the check without a code change."""
    pharma = db.session.query(Industry).filter_by(code="pharma").one()
    assert "grade_code" in _check("pharma", "GRADED", "B-")
    pharma.allows_b_minus = True
    db.session.flush()
    assert _check("pharma", "GRADED", "B-") == {}
