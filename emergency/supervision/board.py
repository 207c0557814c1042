"""An alert's supervision board: the listed firms a user may see, each judged on its power use, ranked.

The measures are those of the list version each alert step dispatched, at that step's level (a day follows the
step in force on it). The alert's judged days are its full Beijing days: from the day after it started to the
day before it ended (or before today while it runs). The statements are a fixed handful whatever the number of
firms: the steps, their version rows, the other alerts, the summed daily use, inspections and the positive list.

The whole alert's judgement is kept per app (``SUPERVISION_CACHE``, on by default) until its token changes: the
alerts' periods and steps, the readings' generation (``bump_generation``, called by every import), the settings
or the day. The positive list and the inspection counts are read afresh for every page.
"""
from dataclasses import dataclass, field, replace
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from emergency.clock import local_today, to_local
from emergency.supervision.ceilings import SETTING_KEYS, firm_share, power_settings
from emergency.supervision.judgement import judge, rank_key, windows
from models import (
    Alert,
    AlertStep,
    Enterprise,
    Inspection,
    PositiveListEntry,
    PowerAccount,
    PowerReading,
    Setting,
    VersionRow,
    alert_county,
    db,
)

GENERATION_KEY = "power_generation"
CACHED_BOARDS = 8


@dataclass
class Firm:
    """One listed firm of the board, with its judgement."""

    enterprise_id: int
    name: str
    credit_code: str
    county_id: int
    county_name: str
    industry: str
    grade_label: str
    measures: list = field(default_factory=list)        # the listed measure labels, e.g. ["停产", "限产30%"]
    judgement: object = None
    positive: bool = False
    inspections: int = 0

    @property
    def measure_label(self):
        return "、".join(dict.fromkeys(self.measures)) or "—"


@dataclass
class Board:
    alert: Alert
    first_day: object
    days: list
    window: int
    firms: list

    def counts(self):
        """{status: number of firms}."""
        counts = {}
        for firm in self.firms:
            counts[firm.judgement.status] = counts.get(firm.judgement.status, 0) + 1
        return counts


def alert_days(alert, today=None):
    """(first day, [judged days]) of an alert, in Beijing dates."""
    today = today or local_today()
    first = to_local(alert.started_at).date()
    last = (to_local(alert.ended_at).date() if alert.ended_at and to_local(alert.ended_at).date() <= today
            else today) - timedelta(days=1)
    return first, [first + timedelta(days=n) for n in range(1, (last - first).days + 1)]


def _step_by_day(alert, days):
    steps = list(alert.steps)
    chosen = {}
    for day in days:
        in_force = [s for s in steps if to_local(s.at).date() <= day]
        chosen[day] = (in_force or steps)[-1] if steps else None
    return chosen


def _listed(steps, county_ids, enterprise_id):
    """{enterprise id: Firm} and {(step id, enterprise id): [(action, cut)]} of the steps' version rows."""
    firms, lines = {}, {}
    for step in {s.id: s for s in steps if s is not None}.values():
        query = select(VersionRow.enterprise_id, VersionRow.enterprise_name, VersionRow.credit_code,
                       VersionRow.county_id, VersionRow.county_name, VersionRow.industry, VersionRow.grade_label,
                       VersionRow.action, VersionRow.cut, VersionRow.label).where(
            VersionRow.version_id == step.version_id, VersionRow.level == step.level,
            VersionRow.county_id.in_(county_ids)).order_by(VersionRow.seq)
        if enterprise_id is not None:
            query = query.where(VersionRow.enterprise_id == enterprise_id)
        for eid, name, code, cid, cname, industry, grade, action, cut, label in db.session.execute(query):
            firm = firms.setdefault(eid, Firm(eid, name, code, cid, cname, industry, grade))
            firm.measures.append(label or "—")
            lines.setdefault((step.id, eid), []).append((action, cut))
    return firms, lines


def excluded_days(alert, county_ids, today):
    """{county id: days touched by any other alert covering it}."""
    excluded = {cid: set() for cid in county_ids}
    rows = db.session.execute(select(Alert.started_at, Alert.ended_at, alert_county.c.county_id)
                              .join(alert_county, alert_county.c.alert_id == Alert.id)
                              .where(Alert.id != alert.id, alert_county.c.county_id.in_(county_ids)))
    for started_at, ended_at, county_id in rows:
        first = to_local(started_at).date()
        last = to_local(ended_at).date() if ended_at else today
        excluded[county_id].update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return excluded


def daily_use(county_ids, ranges, enterprise_id=None):
    """{enterprise id: {day: kWh}}: the firm's accounts summed per day over the given (first, last) ranges."""
    query = (select(PowerAccount.enterprise_id, PowerReading.day, func.sum(PowerReading.kwh))
             .join(PowerAccount, PowerAccount.id == PowerReading.account_id)
             .join(Enterprise, Enterprise.id == PowerAccount.enterprise_id)
             .where(Enterprise.county_id.in_(county_ids),
                    or_(*(and_(PowerReading.day >= a, PowerReading.day <= b) for a, b in ranges)))
             .group_by(PowerAccount.enterprise_id, PowerReading.day))
    if enterprise_id is not None:
        query = query.where(PowerAccount.enterprise_id == enterprise_id)
    use = {}
    for eid, day, kwh in db.session.execute(query):
        use.setdefault(eid, {})[day] = kwh
    return use


def positive_ids(today=None):
    """Ids of the firms on the positive list today."""
    today = today or local_today()
    return set(db.session.scalars(select(PositiveListEntry.enterprise_id).where(
        PositiveListEntry.added_on <= today, PositiveListEntry.expires_on >= today)))


def _inspection_counts(alert_id, firm_ids):
    return dict(db.session.execute(select(Inspection.enterprise_id, func.count()).where(
        Inspection.alert_id == alert_id).group_by(Inspection.enterprise_id)).all()) if firm_ids else {}


def visible_counties(alert, user):
    """The alert's county ids the user may see: all for city staff, their own for county staff and firms."""
    ids = {c.id for c in alert.counties}
    if user.is_citywide:
        return ids
    if user.role == "county":
        return ids & {user.county_id}
    return ids & {user.enterprise.county_id} if user.enterprise_id and user.enterprise else set()


def judge_alert(alert, today, county_ids, enterprise_id=None):
    """(first day, judged days, baseline window, [Firm with its judgement]) of the alert's firms in ``county_ids``
    (or the one firm): the heavy part, which neither the positive list nor inspections touch."""
    settings = power_settings()
    window, min_days = settings["power_baseline_days"], settings["power_baseline_min_days"]
    first, days = alert_days(alert, today)
    by_day = _step_by_day(alert, days)
    firms, lines = _listed(list(by_day.values()) or alert.steps[-1:], county_ids, enterprise_id)
    if firms:
        recent, last_year = windows(first, window)
        ranges = [(recent[0], recent[-1]), (last_year[0], last_year[-1])] + ([(days[0], days[-1])] if days else [])
        use = daily_use(county_ids, ranges, enterprise_id)
        excluded = excluded_days(alert, county_ids, today)
    shares = {key: firm_share(found) for key, found in lines.items()}     # one per step and firm, not per day
    for eid, firm in firms.items():
        per_day = {d: shares.get((by_day[d].id, eid)) for d in days}
        firm.judgement = judge(use.get(eid, {}), days, per_day, first, excluded[firm.county_id], window, min_days)
    return first, days, window, list(firms.values())


def board_token(alert, today):
    """What a whole alert's judgement depends on besides its frozen version rows: the alerts' periods and steps,
    the readings' generation (bumped by every import), the settings and the day."""
    alerts = tuple(db.session.execute(select(Alert.id, Alert.started_at, Alert.ended_at, func.max(AlertStep.id))
                                      .outerjoin(AlertStep, AlertStep.alert_id == Alert.id).group_by(Alert.id)
                                      .order_by(Alert.id)))
    stored = dict(db.session.execute(select(Setting.key, Setting.value).where(
        Setting.key.in_((GENERATION_KEY, *SETTING_KEYS)))).all())
    newest = db.session.scalar(select(func.max(PowerReading.id)))
    return alert.id, today, alerts, tuple(sorted(stored.items())), newest


def bump_generation():
    """Say that readings changed, so cached boards are judged again; flush."""
    setting = db.session.get(Setting, GENERATION_KEY) or Setting(key=GENERATION_KEY, value="0")
    setting.value = str(int(setting.value or 0) + 1)
    db.session.add(setting)
    db.session.flush()


def _whole_alert(alert, today):
    """judge_alert over all the alert's counties, kept per app while its token holds (config SUPERVISION_CACHE)."""
    county_ids = {c.id for c in alert.counties}
    if not current_app.config.get("SUPERVISION_CACHE", True):
        return judge_alert(alert, today, county_ids)
    cache = current_app.extensions.setdefault("supervision_boards", {})
    token = board_token(alert, today)
    found = cache.get(alert.id)
    if found is None or found[0] != token:
        if len(cache) >= CACHED_BOARDS:
            cache.pop(next(iter(cache)))
        found = cache[alert.id] = (token, judge_alert(alert, today, county_ids))
    return found[1]


def build_board(alert, user, today=None, enterprise_id=None):
    """The alert's Board as ``user`` may see it (an enterprise user: only its own firm), ranked."""
    today = today or local_today()
    if user.role == "enterprise":
        enterprise_id = user.enterprise_id
    county_ids = visible_counties(alert, user)
    if enterprise_id is None:
        first, days, window, judged = _whole_alert(alert, today)
        judged = [f for f in judged if f.county_id in county_ids]
    else:
        first, days, window, judged = judge_alert(alert, today, county_ids, enterprise_id)
    positive = positive_ids(today) if judged else set()
    inspected = _inspection_counts(alert.id, judged)
    # The cached firms are shared between requests, so the few that differ from the default are copies.
    firms = [replace(f, positive=f.enterprise_id in positive, inspections=inspected.get(f.enterprise_id, 0))
             if f.enterprise_id in positive or f.enterprise_id in inspected else f for f in judged]
    firms.sort(key=lambda f: rank_key(f.judgement.status, f.judgement.excess, f.positive, f.name))
    return Board(alert, first, days, window, firms)
