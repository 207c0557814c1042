"""Item 8 of `make bench`: power supervision at scale, in processes of their own.

`python -m bench.power_task import URL DAYS` writes a grid-company CSV of one account per enterprise of the
generated registry × DAYS days (20,000 × 50 = 1,000,000 account-days by default), then imports it through the
function import-power uses; it prints seconds (read + check + commit), peak_mb and the floor (csv.reader over
the same file, time only). `python -m bench.power_task board URL REQUESTS` publishes a version, records an alert on
it (not dispatched) whose days the CSV covers, and times the city's supervision page for that alert (p50/p95 ms).
"""
import csv
import json
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from .tasks import _app, _timed, peak_mb

OUT = Path(__file__).parent / "out"
LAST_DAY = date(2026, 11, 30)
ALERT_DAYS = 5
VERSION = "用电监管基准测试版"


def _write_csv(path, days):
    from models import Enterprise, db

    firms = db.session.query(Enterprise.name, Enterprise.credit_code).order_by(Enterprise.id).all()
    dates = [LAST_DAY - timedelta(days=n) for n in range(days - 1, -1, -1)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("户号", "户名", "统一社会信用代码", "日期", "有功电量（kWh）"))
        for number, (name, code) in enumerate(firms, start=1):
            base = 1000 + number % 997 * 37
            for n, day in enumerate(dates):
                # The last ALERT_DAYS days fall under the alert: most firms cut, every tenth does not.
                cut = 0.2 if n >= days - ALERT_DAYS and number % 10 else 1.0
                writer.writerow((f"{number:010d}", name, code, day.isoformat(), round(base * cut + n % 7, 1)))
    return len(firms) * days


def import_power(url, days="50"):
    from emergency.supervision.power_import import commit_power
    from models import db

    app = _app(url)
    OUT.mkdir(exist_ok=True)
    path = OUT / "power.csv"
    with app.app_context():
        rows = _write_csv(path, int(days))
        db.session.remove()
        started = time.perf_counter()
        with open(path, newline="", encoding="utf-8") as fh:
            for _ in csv.reader(fh):
                pass
        floor = time.perf_counter() - started
        started = time.perf_counter()
        report = commit_power(path.read_bytes(), "power.csv", "bench", today=LAST_DAY + timedelta(days=1))
        db.session.commit()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "floor_seconds": floor, "rows": rows,
            "summary": report.counts(), "clean": report.clean}


def board(url, requests="20"):
    from emergency.publishing.alerts import local_to_utc
    from emergency.publishing.versions import publish_version
    from models import Alert, AlertStep, County, ListVersion, User, alert_county, db

    app = _app(url)
    with app.app_context():
        city = db.session.query(User).filter_by(username="city").one()
        version = (db.session.query(ListVersion).filter_by(name=VERSION).one_or_none()
                   or publish_version(VERSION, "", city, override_reason="基准测试"))
        midnight = datetime.min.time()
        alert = Alert(level="red", all_counties=True, created_by="bench", counties=db.session.query(County).all(),
                      started_at=local_to_utc(datetime.combine(LAST_DAY - timedelta(days=ALERT_DAYS), midnight)),
                      ended_at=local_to_utc(datetime.combine(LAST_DAY + timedelta(days=1), midnight)))
        alert.steps.append(AlertStep(seq=1, level="red", version=version, at=alert.started_at, by="bench"))
        db.session.add(alert)
        db.session.flush()
        db.session.execute(alert_county.update().where(alert_county.c.alert_id == alert.id).values(ended=True))
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(city.id)
        path = f"/supervision/alerts/{alert.id}"
        db.session.remove()
        started = time.perf_counter()
        client.get(path)                      # the first view judges the whole alert; later ones reuse it
        cold = time.perf_counter() - started
        page = _timed(client, path, requests)
    return {"page": page, "cold_seconds": cold, "peak_mb": peak_mb()}


if __name__ == "__main__":
    task, url, *args = sys.argv[1:]
    print(json.dumps({"import": import_power, "board": board}[task](url, *args), ensure_ascii=False))
