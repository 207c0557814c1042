"""Grade-versus-scheme checks, read from the reference tables (industries, grades, categories)."""
from models import Category, CategoryReason, Grade, Industry, db

REASON_PROMPTS = {"GUARANTEED": "保障类别（保障民生、保障城市正常运转或国家战略性产业）",
                  "NON_COMPLIANT": "不纳入绩效分级的原因"}


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
    if category.industry_scope == "livelihood" and not industry.livelihood_eligible:
        errors["category_code"] = (f"“{category.label}”仅适用于{'、'.join(livelihood_industries()) or '（未设置）'}，"
                                   f"不适用于“{industry.display_name}”")
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


def livelihood_industries():
    """Names of the industries 民生 may be used for (data: industries.csv livelihood_eligible)."""
    rows = db.session.query(Industry).filter(Industry.livelihood_eligible.is_(True)).order_by(Industry.sort_order)
    return [i.display_name for i in rows]


def reasons_for(category_code):
    """The accepted reasons of a category, in display order (empty when it needs none)."""
    rows = (db.session.query(CategoryReason.reason).filter(CategoryReason.category_code == category_code)
            .order_by(CategoryReason.sort_order, CategoryReason.id))
    return [reason for (reason,) in rows]


def check_category_reason(category, reason):
    """Return {"category_reason": message} when a category that needs a reason lacks an accepted one."""
    reason = (reason or "").strip()
    if not category.needs_reason:
        return {}   # operations store no reason for such a category
    accepted = reasons_for(category.code)
    prompt = REASON_PROMPTS.get(category.code, "分类原因")
    if not reason:
        return {"category_reason": f"“{category.label}”企业须填写{prompt}"}
    if reason not in accepted:
        return {"category_reason": f"{prompt}应为：{'、'.join(accepted)}"}
    return {}


def category_reason_choices():
    """(reason, "category: reason") for every accepted reason, grouped by category."""
    rows = (db.session.query(CategoryReason.reason, Category.label)
            .join(Category, CategoryReason.category_code == Category.code)
            .order_by(Category.sort_order, CategoryReason.sort_order, CategoryReason.id))
    return [(reason, f"{label}：{reason}") for reason, label in rows]
