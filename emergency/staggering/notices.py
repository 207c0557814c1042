"""错峰生产告知书: one numbered notice per firm under a season's regime (豁免 firms get none), issued by city staff.

Issuing numbers every firm of the season not numbered yet, in list order, with the 文号 prefix and legal basis of
the settings (``stagger_notice_number_prefix``, ``stagger_notice_legal_basis``; seeded from settings.csv) and the
issuing body, consequences and county contact of the alert notices (``notice_settings``). What the notice says
(the firm, its lines and their schedules, the season's dates) is frozen with the number, so a reprint is the same
document whatever the rules say later; a firm whose regime changes after issuing keeps its notice.
"""
import json
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import func, select

from emergency.errors import NotFound
from emergency.lists.notes import BEIJING, issuing_body
from emergency.publishing.notice_settings import notice_settings
from emergency.staggering.firms import regime_rows
from emergency.staggering.regimes import DAYS, EXEMPT, LIMIT, SEASON_STOP
from emergency.staggering.store import StaggerBook
from models import County, Setting, StaggerNotice, db
from models.base import utcnow
from seed.load import read_csv

PREFIX, LEGAL_BASIS = "stagger_notice_number_prefix", "stagger_notice_legal_basis"
TITLE = "错峰生产告知书"


@dataclass(frozen=True)
class NoticeLine:
    line_name: str
    process: str
    schedule: str        # the regime's label: 整季停产, 错峰限产30%, 每月1、11、21日错峰停产
    requirement: str     # what the firm must do, in a sentence


@dataclass(frozen=True)
class StaggerDocument:
    """One 错峰生产告知书 as printed."""

    id: int
    number: str
    issuing_body: str
    issued_on: str
    legal_basis: str
    consequences: str
    contact: str
    season_name: str
    period: str
    county_id: int
    county_name: str
    enterprise_id: int
    enterprise_name: str
    credit_code: str
    industry: str
    grade_label: str
    lines: tuple
    title: str = TITLE


def requirement(regime, limit_pct, stop_days, period):
    """What a line under ``regime`` must do over ``period``."""
    if regime == SEASON_STOP:
        return f"{period}停产，不得组织生产"
    if regime == LIMIT:
        return f"{period}限产{limit_pct:g}%，生产负荷不超过正常产能的{100 - limit_pct:g}%"
    if regime == DAYS:
        return f"{period}每月{'、'.join(map(str, stop_days))}日停产"
    return ""


def season_book(season):
    """The rules of ``season`` read as if in force (its first day): notices name regimes, not a day's stop."""
    return StaggerBook.for_season(season)


def _period(season):
    return f"{season.starts_on.year}年{season.starts_on.month}月{season.starts_on.day}日至" \
           f"{season.ends_on.year}年{season.ends_on.month}月{season.ends_on.day}日"


def firms_under_regime(season, county_id=None):
    """{enterprise id: (first RegimeRow, [NoticeLine])} of the firms with a line under a regime other than 豁免,
    in list order; exempt lines are left off the notice."""
    book, period, found = season_book(season), _period(season), {}
    by_rule = {rule.id: rule for rule in book.rules}
    for row in regime_rows(county_id, book):
        if row.regime == EXEMPT:
            continue
        rule = by_rule[row.rule_id]
        line = NoticeLine(row.line_name, row.process, row.label,
                          requirement(rule.regime, rule.limit_pct, rule.stop_days, period))
        found.setdefault(row.enterprise_id, (row, []))[1].append(line)
    return found


def _setting(key):
    """A stored setting, else its seeded value (settings.csv)."""
    stored = db.session.get(Setting, key)
    if stored is not None and stored.value.strip():
        return stored.value
    return next(r["value"] for r in read_csv("settings.csv") if r["key"] == key)


def number_for(prefix, season, seq):
    """E.g. "晋市环错峰〔2020〕007号" for a season starting in 2020."""
    return f"{prefix.replace('{year}', str(season.starts_on.year))}{seq:03d}号"


def issue_notices(season, user):
    """Number and freeze the notice of every firm under ``season``'s regime that has none yet; return how many were
    issued. Flushes, never commits."""
    issued = set(db.session.scalars(select(StaggerNotice.enterprise_id).where(StaggerNotice.season_id == season.id)))
    seq = db.session.scalar(select(func.coalesce(func.max(StaggerNotice.seq), 0))
                            .where(StaggerNotice.season_id == season.id))
    settings, prefix, basis = notice_settings(), _setting(PREFIX), _setting(LEGAL_BASIS)
    counties, now, count = {}, utcnow(), 0
    for enterprise_id, (row, lines) in firms_under_regime(season).items():
        if enterprise_id in issued:
            continue
        seq += 1
        county = counties.setdefault(row.county_id, db.session.get(County, row.county_id))
        content = {"county_name": row.county_name, "enterprise_name": row.enterprise_name,
                   "credit_code": row.credit_code, "industry": row.industry, "grade_label": row.grade_label,
                   "season_name": season.name, "period": _period(season), "consequences": settings.consequences,
                   "lines": [[x.line_name, x.process, x.schedule, x.requirement] for x in lines]}
        db.session.add(StaggerNotice(
            season_id=season.id, seq=seq, number=number_for(prefix, season, seq), enterprise_id=enterprise_id,
            county_id=row.county_id, issued_at=now, issued_by=user.signature, issuing_body=issuing_body(),
            legal_basis=basis, contact=settings.contact_for(county),
            content=json.dumps(content, ensure_ascii=False)))
        count += 1
    db.session.flush()
    return count


def _document(notice):
    content = json.loads(notice.content)
    at = notice.issued_at.replace(tzinfo=UTC).astimezone(BEIJING)
    return StaggerDocument(
        id=notice.id, number=notice.number, issuing_body=notice.issuing_body,
        issued_on=f"{at.year}年{at.month}月{at.day}日", legal_basis=notice.legal_basis,
        consequences=content["consequences"], contact=notice.contact, season_name=content["season_name"],
        period=content["period"], county_id=notice.county_id, county_name=content["county_name"],
        enterprise_id=notice.enterprise_id, enterprise_name=content["enterprise_name"],
        credit_code=content["credit_code"], industry=content["industry"], grade_label=content["grade_label"],
        lines=tuple(NoticeLine(*line) for line in content["lines"]))


def county_notices(season, county_id):
    """The county's issued notices of ``season`` in number order."""
    stmt = (select(StaggerNotice).where(StaggerNotice.season_id == season.id, StaggerNotice.county_id == county_id)
            .order_by(StaggerNotice.seq))
    return [_document(n) for n in db.session.scalars(stmt)]


def notice_overview(season, county_id=None):
    """[(county, issued, waiting)] per county: notices issued, and firms under the regime still without one."""
    issued = dict(db.session.execute(
        select(StaggerNotice.county_id, func.count()).where(StaggerNotice.season_id == season.id)
        .group_by(StaggerNotice.county_id)).all())
    numbered = set(db.session.scalars(select(StaggerNotice.enterprise_id)
                                      .where(StaggerNotice.season_id == season.id)))
    waiting = {}
    for enterprise_id, (row, _) in firms_under_regime(season, county_id).items():
        if enterprise_id not in numbered:
            waiting[row.county_id] = waiting.get(row.county_id, 0) + 1
    stmt = select(County).order_by(County.sort_order, County.name)
    if county_id is not None:
        stmt = stmt.where(County.id == county_id)
    return [(c, issued.get(c.id, 0), waiting.get(c.id, 0)) for c in db.session.scalars(stmt)]


def visible_stagger_notice(notice_id, user):
    """A notice the user may read: city staff any, county staff their county's, an enterprise its own."""
    notice = db.session.get(StaggerNotice, notice_id)
    allowed = notice is not None and (
        user.is_citywide or (user.role == "county" and user.county_id == notice.county_id)
        or (user.role == "enterprise" and user.enterprise_id == notice.enterprise_id))
    if not allowed:
        raise NotFound(f"stagger notice {notice_id}")
    return _document(notice)


def enterprise_notices(enterprise_id):
    """Every notice issued to a firm, newest season first (the enterprise's own page links them)."""
    stmt = (select(StaggerNotice).where(StaggerNotice.enterprise_id == enterprise_id)
            .order_by(StaggerNotice.issued_at.desc(), StaggerNotice.id.desc()))
    return [_document(n) for n in db.session.scalars(stmt)]
