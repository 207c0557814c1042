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


@pytest.mark.parametrize("category, industry", [("LIVELIHOOD", "life_service"), ("NON_COMPLIANT", "cement_clinker")])
def test_livelihood_and_non_compliant_take_no_grade(category, industry):
    assert _check(industry, category, None) == {}
    assert "不填写绩效等级" in _check(industry, category, "B")["grade_code"]


@pytest.mark.parametrize("industry", ["coking", "thermal_power", "cement_clinker", "heating"])
def test_livelihood_is_refused_outside_residential_heating_and_life_services(industry):
    message = _check(industry, "LIVELIHOOD", None)["category_code"]
    assert message.startswith("“民生”仅适用于居民供暖锅炉、生活服务业，不适用于")


@pytest.mark.parametrize("industry", ["residential_heating", "life_service"])
def test_livelihood_is_allowed_for_the_industries_the_data_marks(industry):
    assert _check(industry, "LIVELIHOOD", None) == {}


@pytest.mark.parametrize("category, reason, message", [
    ("GUARANTEED", "", "“保障类”企业须填写保障类别（保障民生、保障城市正常运转或国家战略性产业）"),
    ("GUARANTEED", "保障供电", "保障类别（保障民生、保障城市正常运转或国家战略性产业）应为：保障民生、保障城市正常运转、国家战略性产业"),
    ("NON_COMPLIANT", "", "“不纳入绩效分级”企业须填写不纳入绩效分级的原因"),
])
def test_categories_that_need_a_reason_refuse_a_missing_or_unknown_one(category, reason, message):
    from emergency.registry.grades import check_category_reason
    assert check_category_reason(db.session.get(Category, category), reason) == {"category_reason": message}
    accepted = "保障民生" if category == "GUARANTEED" else "不能稳定达标排放"
    assert check_category_reason(db.session.get(Category, category), accepted) == {}


@pytest.mark.mutates_reference
def test_scheme_is_data_not_code():
    """Allowing B- for pharma in the data table changes the check without a code change."""
    pharma = db.session.query(Industry).filter_by(code="pharma").one()
    assert "grade_code" in _check("pharma", "GRADED", "B-")
    pharma.allows_b_minus = True
    db.session.flush()
    assert _check("pharma", "GRADED", "B-") == {}
