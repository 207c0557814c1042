"""A small world for power supervision: listed firms, a dispatched alert, and readings written in code."""
from datetime import date, datetime, timedelta

from emergency.publishing.alerts import end_alert, local_to_utc, start_alert
from emergency.publishing.versions import publish_version
from models import County, PowerAccount, PowerReading, db

STOPS = {level: ("stop", None, None, "no_g4") for level in ("yellow", "orange", "red")}
START = datetime(2026, 11, 20, 8, 0)          # Beijing time
END = datetime(2026, 11, 24, 8, 0)
DAYS = [date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)]
TODAY = date(2026, 12, 1)


def add_use(enterprise, per_day, number=None):
    """Register an account for ``enterprise`` and store {day: kWh}."""
    account = PowerAccount(number=number or f"A{enterprise.id}", holder=enterprise.name, enterprise_id=enterprise.id)
    db.session.add(account)
    db.session.flush()
    db.session.add_all(PowerReading(account_id=account.id, day=d, kwh=k) for d, k in per_day.items())
    db.session.commit()
    return account


def baseline_days(kwh, days=14):
    return {date(2026, 11, 20) - timedelta(days=n): kwh for n in range(1, days + 1)}


def make_world(make_enterprise, make_line, make_user, level="red", ended=True):
    """Four stopped firms in 城区 (obeying, not obeying, no data, and one on the positive list later) and one in
    泽州县, a published version and an ended alert over both counties."""
    names = {"obeys": "城区守规水泥", "ignores": "城区违规水泥", "silent": "城区无数据水泥", "zezhou": "泽州乙水泥"}
    firms = {}
    for key, name in names.items():
        firms[key] = make_enterprise(name=name, county_name="泽州县" if key == "zezhou" else "城区", grade="C")
        make_line(firms[key], measures=STOPS)
    users = {"city": make_user("city"), "county": make_user("county", county_name="城区"),
             "county_other": make_user("county", county_name="泽州县"),
             "ent": make_user("enterprise", enterprise=firms["ignores"]),
             "ent_other": make_user("enterprise", enterprise=firms["zezhou"])}
    publish_version("监管测试版", "", users["city"])
    counties = [c.id for c in db.session.query(County).filter(County.name.in_(["城区", "泽州县"]))]
    alert = start_alert({"level": level, "all_counties": False, "county_ids": counties,
                         "started_at": local_to_utc(START), "note": ""}, users["city"])
    if ended:
        end_alert(alert, local_to_utc(END), users["city"])
    db.session.commit()
    add_use(firms["obeys"], baseline_days(1000.0) | {d: 200.0 for d in DAYS})
    add_use(firms["ignores"], baseline_days(1000.0) | {DAYS[0]: 950.0, DAYS[1]: 900.0, DAYS[2]: 100.0})
    add_use(firms["zezhou"], baseline_days(500.0) | {d: 400.0 for d in DAYS})
    return firms, users, alert
