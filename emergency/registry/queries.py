"""Registry queries: the filtered, sorted, paginated enterprise list and choice lists for forms."""
from sqlalchemy import exists, false, func, or_, select

from emergency.accounts.access import scope_enterprises
from emergency.text import fold
from models import Category, County, Enterprise, Grade, Industry, ProductionLine, db

SORTS = {
    "name": (Enterprise.name_sort, Enterprise.name, Enterprise.id),
    "county": (County.sort_order, Enterprise.name_sort, Enterprise.name),
    "industry": (Industry.sort_order, Enterprise.name_sort, Enterprise.name),
    "grade": (Category.sort_order, Grade.sort_order, Enterprise.name_sort, Enterprise.name),
    "updated": (Enterprise.updated_at.desc(), Enterprise.id.desc()),
}


def _like_escape(text):
    """Escape LIKE wildcards so a user's % or _ matches literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def enterprise_conditions(q=None, county=None, industry=None, grade=None):
    """WHERE clauses on Enterprise for the search and filters the registry and every level list share: name
    (anywhere) or credit code (prefix), county id, industry id, and "grade:CODE" or "category:CODE"."""
    conditions = []
    text = fold(q or "")
    if text:
        pattern = f"%{_like_escape(text)}%"
        conditions.append(or_(Enterprise.name.like(pattern, escape="\\"),
                              Enterprise.credit_code.like(_like_escape(text.upper()) + "%", escape="\\")))
    if county:
        conditions.append(Enterprise.county_id == county)
    if industry:
        conditions.append(Enterprise.industry_id == industry)
    if grade:
        kind, _, code = grade.partition(":")
        column = Enterprise.category_code if kind == "category" else Enterprise.grade_code
        conditions.append(column == code)
    return conditions


def enterprise_query(user, q=None, county=None, industry=None, grade=None, flag=None, sort="name", ids=None):
    """Build the select of enterprises for the registry list, scoped to ``user``; ``ids`` (a set), when given,
    keeps only those enterprises (the measure-type and status filters, judged by the rules).

    Line counts are not joined here: aggregating every line for each page view was the slow part on
    PostgreSQL; ``with_line_counts`` counts the lines of the page's enterprises only.
    """
    has_lines = exists().where(ProductionLine.enterprise_id == Enterprise.id)
    stmt = (
        select(Enterprise)
        .join(County, Enterprise.county_id == County.id)
        .join(Industry, Enterprise.industry_id == Industry.id)
        .join(Category, Enterprise.category_code == Category.code)
        .outerjoin(Grade, Enterprise.grade_code == Grade.code)
    )
    stmt = scope_enterprises(stmt, user).where(*enterprise_conditions(q, county, industry, grade))
    if flag == "small_micro":
        stmt = stmt.where(Enterprise.small_micro.is_(True))
    elif flag == "violation":
        stmt = stmt.where(Enterprise.violation_prev_year.is_(True))
    elif flag == "no_lines":
        stmt = stmt.where(~has_lines)
    if ids is not None:
        stmt = stmt.where(Enterprise.id.in_(sorted(ids))) if ids else stmt.where(false())
    return stmt.order_by(*SORTS.get(sort, SORTS["name"]))


def with_line_counts(enterprises):
    """[(enterprise, number of lines)] for one page of enterprises, in one grouped query."""
    ids = [e.id for e in enterprises]
    counts = dict(db.session.execute(
        select(ProductionLine.enterprise_id, func.count(ProductionLine.id))
        .where(ProductionLine.enterprise_id.in_(ids)).group_by(ProductionLine.enterprise_id)).all()) if ids else {}
    return [(e, counts.get(e.id, 0)) for e in enterprises]


def county_choices(user, blank="全部"):
    query = db.session.query(County).order_by(County.sort_order)
    if user.role == "county":
        query = query.filter(County.id == user.county_id)
    rows = [(c.id, c.name) for c in query]
    return ([(None, blank)] if blank is not None else []) + rows


def industry_choices(blank="全部"):
    rows = [(i.id, ("" if i.is_key else "〔非重点〕") + i.display_name)
            for i in db.session.query(Industry).order_by(Industry.sort_order)]
    return ([(None, blank)] if blank is not None else []) + rows


def grade_filter_choices():
    """Filter values: grades as "grade:CODE" and categories as "category:CODE"."""
    grades = [(f"grade:{g.code}", g.label) for g in db.session.query(Grade).order_by(Grade.sort_order)]
    categories = [(f"category:{c.code}", c.label) for c in db.session.query(Category).order_by(Category.sort_order)]
    return [("", "全部")] + grades + categories
