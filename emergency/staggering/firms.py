"""Firms under a seasonal regime: one row per production line with its regime and schedule, per county, as a page,
an xlsx export and the dashboard's counts (firms per regime and county)."""
from dataclasses import dataclass

from sqlalchemy import select

from emergency.lists.listing import line_order
from emergency.spreadsheets.writer import write_table_workbook
from emergency.staggering.store import StaggerBook
from models import County, Enterprise, Grade, Industry, ProductionLine, db

HEADERS = ["序号", "县（市、区）", "企业名称", "统一社会信用代码", "行业", "绩效等级", "生产线", "工序", "错峰方式",
           "执行期间"]
WIDTHS = [6, 12, 30, 22, 16, 10, 16, 14, 22, 26]


@dataclass(frozen=True)
class RegimeRow:
    county_id: int
    county_name: str
    enterprise_id: int
    enterprise_name: str
    credit_code: str
    industry: str
    grade_label: str
    line_name: str
    process: str
    regime: str
    label: str
    period: str
    rule_id: int | None = None


def regime_rows(county_id=None, book=None):
    """The lines under a regime of the season in force (exempt ones included), in list order."""
    book = book or StaggerBook.load()
    if not book.rules:
        return []
    grades = {g.code: g.label for g in db.session.query(Grade)}
    industries = {i.id: i.display_name for i in db.session.query(Industry)}
    stmt = (select(County.id, County.name, Enterprise.id, Enterprise.name, Enterprise.credit_code,
                   Enterprise.industry_id, Enterprise.category_code, Enterprise.grade_code, ProductionLine.name,
                   ProductionLine.process_stage, Enterprise.category_reason, Enterprise.green_factory)
            .select_from(ProductionLine).join(Enterprise, ProductionLine.enterprise_id == Enterprise.id)
            .join(County, Enterprise.county_id == County.id).order_by(*line_order()))
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    period = f"{book.season.starts_on:%Y年%m月%d日}至{book.season.ends_on:%Y年%m月%d日}"
    found = []
    for (cid, cname, eid, name, code, industry_id, category, grade, line_name, process, reason,
         green) in db.session.execute(stmt):
        regime = book.regime(industry_id, process, category, grade, reason, green)
        if regime is not None:
            found.append(RegimeRow(cid, cname, eid, name, code, industries[industry_id], grades.get(grade, ""),
                                   line_name, process or "", regime.regime, regime.label, period, regime.rule_id))
    return found


def counts_by_county(rows):
    """{county name: {regime label: firms}}: a firm with lines under several regimes counts under each."""
    seen, counts = set(), {}
    for row in rows:
        key = (row.enterprise_id, row.label)
        if key in seen:
            continue
        seen.add(key)
        by_label = counts.setdefault(row.county_name, {})
        by_label[row.label] = by_label.get(row.label, 0) + 1
    return counts


def write_regime_workbook(fh, rows, scope_name, season_name):
    values = [[n, r.county_name, r.enterprise_name, r.credit_code, r.industry, r.grade_label, r.line_name, r.process,
               r.label, r.period] for n, r in enumerate(rows, start=1)]
    write_table_workbook(fh, [("错峰生产企业", HEADERS, WIDTHS, f"{scope_name}{season_name}错峰生产企业名单", values)])


def regime_counts(county_id=None, book=None):
    """{county name: {regime label: firms}} of the season in force, for the dashboard: one light query of each firm's
    distinct (industry, category, grade, process) keys, regimes memoised per key."""
    book = book or StaggerBook.load()
    if not book.rules:
        return {}
    stmt = (select(County.sort_order, County.name, Enterprise.id, Enterprise.industry_id, Enterprise.category_code,
                   Enterprise.grade_code, ProductionLine.process_stage, Enterprise.category_reason,
                   Enterprise.green_factory).distinct()
            .select_from(ProductionLine).join(Enterprise, ProductionLine.enterprise_id == Enterprise.id)
            .join(County, Enterprise.county_id == County.id).order_by(County.sort_order, County.name))
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    memo, seen, counts = {}, set(), {}
    for _, county_name, enterprise_id, *key in db.session.execute(stmt):
        key = tuple(key)
        if key not in memo:
            industry_id, category, grade, process, reason, green = key
            found = book.regime(industry_id, process, category, grade, reason, green)
            memo[key] = found.label if found else None
        label = memo[key]
        if label is None or (enterprise_id, label) in seen:
            continue
        seen.add((enterprise_id, label))
        by_label = counts.setdefault(county_name, {})
        by_label[label] = by_label.get(label, 0) + 1
    return counts
