"""Alert activation (预警启动): record an alert, dispatch each county's workbook once, receipts, level changes, end.

Every step of an alert (its start and each upgrade or downgrade) takes the latest published version and
stores one workbook per county with its SHA-256 (``dispatch``). Stored files are never regenerated or changed.
"""
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import or_, update

from emergency.audit import trail as audit
from emergency.clock import local_zone, to_local
from emergency.errors import DomainError, NotFound
from emergency.limits import text_limit
from emergency.publishing.dispatch import check_gate, new_step, step_move
from emergency.publishing.receipts import NOT_DOWNLOADED
from emergency.publishing.versions import latest_version
from models import (
    LEVEL_LABELS,
    LEVELS,
    Alert,
    AlertStep,
    County,
    Dispatch,
    alert_county,
    db,
)
from models.base import utcnow

NOTE_MAX = text_limit(Alert.note)
NO_VERSION = "尚未发布清单版本，不能启动预警：请先在“版本”中发布清单"


def _alert_summary(alert):
    scope = "全市" if alert.all_counties else "、".join(c.name for c in alert.counties)
    return f"{LEVEL_LABELS.get(alert.level, alert.level)}预警（{scope}）"


def _step_summary(step):
    move = step_move(step)
    return f"{move}；强制下发理由：{step.override_reason}" if step.override_reason else move


def _dispatch_summary(dispatch):
    receipt = f"，{dispatch.received_by} 已签收" if dispatch.received_at else ""
    return f"{dispatch.filename}（SHA-256 {dispatch.sha256[:12]}…）{receipt}"


audit.register(Alert, "alert", "预警", lambda obj, conn: None, _alert_summary)
audit.register(AlertStep, "alert_step", "预警级别", lambda obj, conn: None, _step_summary)
audit.register(Dispatch, "dispatch", "预警清单下发", lambda obj, conn: None, _dispatch_summary)


@dataclass
class StepStatus:
    """One step of an alert with the dispatches the viewer may see, and how many were confirmed."""

    step: object
    dispatches: list

    @property
    def received(self):
        return sum(d.received_at is not None for d in self.dispatches)

    @property
    def total(self):
        return len(self.dispatches)


def local_to_utc(value):
    """A naive local (China Standard Time) datetime as naive UTC, as the database stores times."""
    if value is None:
        return None
    return value.replace(tzinfo=local_zone()).astimezone(UTC).replace(tzinfo=None)


def is_running(alert, now=None):
    """Declared and not yet ended (an end time in the future has not come yet)."""
    now = now or utcnow()
    return alert.ended_at is None or alert.ended_at > now


def _running_overlap(county_ids, exclude_id=None):
    """Names of the given counties that an alert not yet ended already covers, with that alert."""
    now = utcnow()
    query = (db.session.query(Alert).filter(or_(Alert.ended_at.is_(None), Alert.ended_at > now))
             .filter(Alert.counties.any(County.id.in_(county_ids))))
    if exclude_id is not None:
        query = query.filter(Alert.id != exclude_id)
    clashes = []
    for alert in query:
        names = [c.name for c in alert.counties if c.id in county_ids]
        clashes.append(f"{'、'.join(names)}（{LEVEL_LABELS[alert.level]}预警，编号 {alert.id}）")
    return clashes


def _chosen_counties(values):
    query = db.session.query(County).order_by(County.sort_order, County.id)
    if not values.get("all_counties"):
        query = query.filter(County.id.in_(values.get("county_ids") or []))
    return query.all()


def check_start(values):
    """Return {field: Chinese message} for a new alert; ``started_at`` is naive UTC."""
    errors = {}
    if values.get("level") not in LEVELS:
        errors["level"] = "请选择预警级别"
    chosen = _chosen_counties(values)
    if not values.get("all_counties"):
        wanted = set(values.get("county_ids") or [])
        if not wanted:
            errors["county_ids"] = "请选择至少一个县（市、区），或选择“全市”"
        elif len(chosen) != len(wanted):
            errors["county_ids"] = "所选县（市、区）不存在"
    if values.get("started_at") is None:
        errors["started_at"] = "请填写启动时间"
    if len(values.get("note") or "") > NOTE_MAX:
        errors["note"] = f"说明不超过{NOTE_MAX}字"
    if chosen and "county_ids" not in errors:
        clashes = _running_overlap([c.id for c in chosen])
        if clashes:
            errors["county_ids"] = "以下县（市、区）已有未解除的预警，请调整其级别或先解除：" + "；".join(clashes)
    if latest_version() is None:
        errors["version"] = NO_VERSION
    return errors


def start_alert(values, user):
    """Record an alert and dispatch its first step to every county it covers; flush, never commit."""
    errors = check_start(values)
    if errors:
        raise DomainError(errors)
    counties = _chosen_counties(values)
    gate = check_gate(values["level"], counties, user, values.get("override_reason"))
    alert = Alert(level=values["level"], all_counties=bool(values.get("all_counties")),
                  started_at=values["started_at"], note=(values.get("note") or "").strip(),
                  created_by=user.signature, counties=counties)
    db.session.add(alert)
    db.session.flush()
    new_step(alert, alert.level, user, gate)
    return alert


def check_level_change(alert, level):
    if alert.ended_at is not None:
        return {"level": "该预警已记录解除时间，不能再调整级别"}
    if level not in LEVELS:
        return {"level": "请选择预警级别"}
    if level == alert.level:
        return {"level": f"当前已是{LEVEL_LABELS[level]}预警，请选择其他级别"}
    if latest_version() is None:
        return {"level": NO_VERSION}
    return {}


def change_level(alert, level, user, override_reason=""):
    """Upgrade or downgrade a running alert: a new step, dispatched anew from the latest version."""
    errors = check_level_change(alert, level)
    if errors:
        raise DomainError(errors)
    gate = check_gate(level, alert.counties, user, override_reason)
    previous, alert.level = alert.level, level
    return new_step(alert, level, user, gate, previous_level=previous)


def check_end(alert, ended_at):
    """Return {field: message} for ending ``alert`` at ``ended_at`` (naive UTC)."""
    if alert.ended_at is not None:
        return {"ended_at": f"该预警已于 {to_local(alert.ended_at):%Y-%m-%d %H:%M} 解除"}
    if ended_at is None:
        return {"ended_at": "请填写解除时间"}
    if ended_at < alert.started_at:
        return {"ended_at": f"解除时间不能早于启动时间（{to_local(alert.started_at):%Y-%m-%d %H:%M}）"}
    return {}


def end_alert(alert, ended_at, user):
    errors = check_end(alert, ended_at)
    if errors:
        raise DomainError(errors)
    alert.ended_at, alert.ended_by = ended_at, user.signature
    # The county rows' copy of "ended" frees the counties in the database's one-running-alert index.
    db.session.execute(update(alert_county).where(alert_county.c.alert_id == alert.id).values(ended=True))
    db.session.flush()
    return alert


def confirm_receipt(dispatch, user):
    """Record the county's receipt (签收) once, after its download; return False when it was already confirmed."""
    if dispatch.received_at is not None:
        return False
    if dispatch.downloaded_at is None:
        raise DomainError({"receipt": NOT_DOWNLOADED})
    dispatch.received_at, dispatch.received_by_id, dispatch.received_by = utcnow(), user.id, user.signature
    db.session.flush()
    return True


def _scoped(query, user):
    if user.role == "county":
        return query.filter(Alert.counties.any(County.id == user.county_id))
    return query


def alerts_for(user):
    """The alerts the user may see (county users: those covering their county), newest first."""
    query = db.session.query(Alert).order_by(Alert.started_at.desc(), Alert.id.desc())
    return _scoped(query, user).all()


def running_alerts(user):
    """Alerts not yet ended that the user may see, newest first."""
    query = db.session.query(Alert).filter(or_(Alert.ended_at.is_(None), Alert.ended_at > utcnow()))
    return _scoped(query, user).order_by(Alert.started_at.desc(), Alert.id.desc()).all()


def visible_alert(alert_id, user):
    """The alert if ``user`` may see it (county staff: only alerts covering their county); NotFound otherwise."""
    alert = db.session.get(Alert, alert_id)
    if alert is None or (user.role == "county" and user.county_id not in {c.id for c in alert.counties}):
        raise NotFound(f"alert {alert_id}")
    return alert


def visible_dispatch(dispatch_id, user):
    """A dispatch of the user's own county (city staff: any); another county's is NotFound."""
    dispatch = db.session.get(Dispatch, dispatch_id)
    if dispatch is None or not (user.is_citywide or (user.role == "county" and dispatch.county_id == user.county_id)):
        raise NotFound(f"dispatch {dispatch_id}")
    return dispatch


def step_statuses(alert, user):
    """[StepStatus] of every step, oldest first, with only the viewer's county for county users."""
    statuses = []
    for step in alert.steps:
        shown = [d for d in step.dispatches if user.is_citywide or d.county_id == user.county_id]
        shown.sort(key=lambda d: (d.county.sort_order, d.county_id))
        statuses.append(StepStatus(step, shown))
    return statuses


def active_alert_for_county(county_id, now=None):
    """The alert covering ``county_id`` right now (started, not ended), or None."""
    now = now or utcnow()
    return (db.session.query(Alert)
            .filter(Alert.started_at <= now, or_(Alert.ended_at.is_(None), Alert.ended_at > now))
            .filter(Alert.counties.any(County.id == county_id))
            .order_by(Alert.started_at.desc(), Alert.id.desc()).first())
