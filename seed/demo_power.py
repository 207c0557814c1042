"""Synthetic power data for the demo (演示数据): a demo alert and every listed firm's daily use around it.

The alert (orange, all counties, recorded but never dispatched: its note says 演示数据) ran from eight days ago to
three days ago, on the latest published version (one is published, with the demo's planted defects as the
written reason, when there is none). Each firm on that version's orange list gets one account (户名 prefixed
演示数据) and a daily reading for the 60 days before the alert and each day during it, drawn from
``random.Random(seed)``: steady use before; during the alert a firm that is judged uses between half and nine
tenths of its ceiling, one that is not judged carries on as before. Planted for the board to find: five stopped
firms whose use barely falls (85–98% of the baseline) and five judged firms without any reading. Idempotent: an account
that exists is left alone with its readings.
"""
import random
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select

from emergency.clock import local_today
from emergency.publishing.alerts import local_to_utc
from emergency.publishing.versions import latest_version, publish_version
from emergency.supervision.board import bump_generation
from emergency.supervision.ceilings import firm_share
from models import Alert, AlertStep, County, PowerAccount, PowerReading, VersionRow, alert_county, db

DEMO_NOTE = "演示预警（演示数据：用电监管示例，未下发）"
DEMO_PREFIX = "演示数据·"
LEVEL, DAYS_BEFORE, PLANTED = "orange", 60, 5
DEMO_USER = SimpleNamespace(id=None, username="demo", signature="demo", role="city")


def demo_alert(today):
    """The demo alert (created with its one step on first use); None when no version can be published."""
    alert = db.session.scalar(select(Alert).where(Alert.note == DEMO_NOTE))
    if alert is not None:
        return alert
    version = latest_version() or publish_version("演示版本（用电监管）", "演示数据", DEMO_USER,
                                                  override_reason="演示数据：含有意设置的质量问题")
    start = local_to_utc(datetime.combine(today - timedelta(days=8), datetime.min.time()).replace(hour=8))
    end = local_to_utc(datetime.combine(today - timedelta(days=3), datetime.min.time()).replace(hour=8))
    counties = db.session.scalars(select(County).order_by(County.sort_order)).all()
    alert = Alert(level=LEVEL, all_counties=True, started_at=start, ended_at=end, note=DEMO_NOTE,
                  created_by=DEMO_USER.username, ended_by=DEMO_USER.username, counties=counties)
    alert.steps.append(AlertStep(seq=1, level=LEVEL, version=version, at=start, by=DEMO_USER.username))
    db.session.add(alert)
    db.session.flush()
    # An ended alert frees its counties in the one-running-alert index.
    db.session.execute(alert_county.update().where(alert_county.c.alert_id == alert.id).values(ended=True))
    return alert


def _listed(version_id):
    """[(enterprise id, name, credit code, ceiling share or None)] of the version's orange list, by code."""
    firms = {}
    for eid, name, code, action, cut in db.session.execute(
            select(VersionRow.enterprise_id, VersionRow.enterprise_name, VersionRow.credit_code, VersionRow.action,
                   VersionRow.cut).where(VersionRow.version_id == version_id, VersionRow.level == LEVEL)):
        firms.setdefault(eid, [name, code, []])[2].append((action, cut))
    return sorted(((eid, name, code, firm_share(lines)) for eid, (name, code, lines) in firms.items()),
                  key=lambda f: f[2])


def load_demo_power(seed=2020, today=None):
    """Load the demo alert and its power data; idempotent; flushes, never commits. Returns counts."""
    today = today or local_today()
    alert = demo_alert(today)
    rng = random.Random(seed)
    firms = _listed(alert.steps[0].version_id)
    stopped = [f for f in firms if f[3] == 0.25]
    ignoring = {f[0] for f in rng.sample(stopped, min(PLANTED, len(stopped)))}
    judged = [f for f in firms if f[3] is not None and f[0] not in ignoring]
    silent = {f[0] for f in rng.sample(judged, min(PLANTED, len(judged)))}
    first = today - timedelta(days=8)
    before = [first - timedelta(days=n) for n in range(DAYS_BEFORE, 0, -1)]
    during = [first + timedelta(days=n) for n in range(6)]
    existing = set(db.session.scalars(select(PowerAccount.number).where(PowerAccount.number.like("DEMO-%"))))
    written = 0
    for eid, name, code, share in firms:
        base = rng.uniform(2000, 50000)
        plan = [(d, base * rng.uniform(0.9, 1.1)) for d in before]
        for day in during:
            if eid in ignoring:
                factor = rng.uniform(0.85, 0.98)
            elif share is None:
                factor = rng.uniform(0.85, 1.05)
            else:
                factor = share * rng.uniform(0.5, 0.9)
            plan.append((day, base * factor))
        number = f"DEMO-{code}"
        if eid in silent or number in existing:
            continue
        account = PowerAccount(number=number, holder=f"{DEMO_PREFIX}{name}"[:200], enterprise_id=eid)
        db.session.add(account)
        db.session.flush()
        db.session.execute(insert(PowerReading.__table__), [
            {"account_id": account.id, "day": d, "kwh": round(k, 1), "source": "demo"} for d, k in plan])
        written += len(plan)
    bump_generation()
    return {"alert": alert, "firms": len(firms), "readings": written, "ignoring": sorted(ignoring),
            "silent": sorted(silent)}
