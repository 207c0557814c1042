"""Grade-versus-scheme checks, read from the reference tables (industries, grades, categories)."""
from models import Category, Grade, db


def check_classification(industry, category, grade):
    """Return {field: Chinese message} for a category/grade the industry does not allow.

    :param industry: an ``Industry``; ``category``: a ``Category``; ``grade``: a ``Grade`` or None.
    """
    errors = {}
    if category.industry_scope == "key" and not industry.is_key:
        errors["category_code"] = f"“{industry.display_name}”为非重点行业，不参与绩效分级，请选择“一般管控”等类别"
        return errors
    if category.industry_scope == "nonkey" and industry.is_key:
        errors["category_code"] = f"“{industry.display_name}”为重点行业，应进行绩效分级，不能列为“{category.label}”"
        return errors

    needs_grade = category.grade_policy == "required" or (category.grade_policy == "optional" and industry.is_key)
    if grade is None:
        if needs_grade:
            errors["grade_code"] = f"“{category.label}”企业须填写绩效等级"
        return errors
    if not needs_grade:
        where = "非重点行业" if category.grade_policy == "optional" else f"“{category.label}”企业"
        errors["grade_code"] = f"{where}不填写绩效等级"
        return errors
    allowed = industry.allowed_grades
    if grade.code not in allowed:
        labels = "、".join(_labels(allowed)) or "无"
        errors["grade_code"] = f"“{industry.display_name}”的分级方案不允许“{grade.label}”，可选：{labels}"
        return errors
    if category.grade_policy == "optional" and not grade.guarantee_eligible:
        errors["grade_code"] = f"保障类企业须达到B级及以上或引领性（晋城市规定），当前为“{grade.label}”"
    return errors


def _labels(codes):
    by_code = {g.code: g.label for g in db.session.query(Grade).filter(Grade.code.in_(codes))}
    return [by_code.get(c, c) for c in codes]


def grade_choices():
    return [(g.code, g.label) for g in db.session.query(Grade).order_by(Grade.sort_order)]


def category_choices():
    return [(c.code, c.label) for c in db.session.query(Category).order_by(Category.sort_order)]
