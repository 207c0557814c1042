"""Raw-SQL probes of what the database itself refuses, for the create_all schema and a migrated one alike.

Every probe runs on its own connection inside a transaction that is rolled back, so it may write reference
tables too. A refused statement runs in a savepoint (PostgreSQL aborts the whole transaction otherwise); so
does an accepted one, so that several good values do not collide on a unique key.
"""
import uuid
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError

from models import db

T0 = datetime(2020, 12, 1, 8, 0)


@contextmanager
def rolled_back(url):
    """A connection in a transaction that is always rolled back."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        # Python's sqlite3 begins transactions late and on its own, so a leading SAVEPOINT would start (and its
        # RELEASE commit) the outer transaction. SQLAlchemy's documented fix: BEGIN explicitly.
        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection, record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                yield conn
            finally:
                transaction.rollback()
    finally:
        engine.dispose()


def insert(conn, table, **values):
    """INSERT one row with raw SQL; columns not given take the model's Python default. Returns the new id.

    Only the columns the database's table has are written, so the same call works on an older revision.
    """
    present = {c["name"] for c in sa_inspect(conn).get_columns(table)}
    columns = [c for c in db.metadata.tables[table].columns if c.name in present]
    row = {}
    for column in columns:
        if column.name in values:
            row[column.name] = values[column.name]
        elif column.default is not None and not column.primary_key:
            default = column.default
            row[column.name] = default.arg(None) if default.is_callable else default.arg
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in row)
    params = ", ".join(f":{name}" for name in row)
    key = "id" if "id" in present else None
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({params})" + (f" RETURNING {key}" if key else "")
    result = conn.execute(text(sql), row)
    return result.scalar() if key else None


def refused(conn, table, **values):
    with pytest.raises(IntegrityError):
        with conn.begin_nested():
            insert(conn, table, **values)


def accepted(conn, table, **values):
    savepoint = conn.begin_nested()
    try:
        insert(conn, table, **values)
    finally:
        savepoint.rollback()


def refused_sql(conn, sql, **params):
    with pytest.raises(IntegrityError):
        with conn.begin_nested():
            conn.execute(text(sql), params)


def legacy_reference(conn):
    """The few reference rows ``parents`` needs, written as the schema of revision 0004 holds them (the seed
    loader writes today's columns, which an old revision does not have)."""
    for code, name in (("140502", "城区"), ("140525", "泽州县")):
        insert(conn, "county", code=code, name=name, sort_order=1)
    insert(conn, "grade_scheme", code="ABCD", name="A/B/C/D四级", grades="A,B,C,D")
    for order, code in enumerate(("A", "B", "C", "D"), start=1):
        insert(conn, "grade", code=code, label=code, sort_order=order, guarantee_eligible=order < 3,
               self_managed=code == "A", blocked_by_violation=order < 3)
    insert(conn, "category", code="GRADED", label="绩效分级", sort_order=1, grade_policy="required",
           industry_scope="key", blocked_by_violation=False)
    insert(conn, "industry", code="cement_clinker", name="水泥", sub_type="熟料", is_key=True, scheme_code="ABCD",
           allows_b_minus=False, evidence="V", sort_order=1)


def parents(conn):
    """One row of each table the probed rows point to; reference rows come from the seed."""
    one = lambda sql: conn.execute(text(sql)).scalar()  # noqa: E731
    p = {"county": one("SELECT min(id) FROM county"), "industry": one("SELECT min(id) FROM industry"),
         "scheme": one("SELECT min(code) FROM grade_scheme")}
    p["enterprise"] = insert(conn, "enterprise", name="甲", credit_code="PROBE0000000000001", county_id=p["county"],
                             industry_id=p["industry"], category_code="GRADED", grade_code="B")
    p["other_enterprise"] = insert(conn, "enterprise", name="乙", credit_code="PROBE0000000000002",
                                   county_id=p["county"], industry_id=p["industry"], category_code="GRADED")
    p["line"] = insert(conn, "production_line", enterprise_id=p["enterprise"], name="1#线")
    p["user"] = insert(conn, "user", username="probe", password_hash="x", role="city")
    p["request"] = insert(conn, "grade_request", enterprise_id=p["enterprise"], state="approved",
                          target_category_code="GRADED")
    p["version"] = insert(conn, "list_version", name="探测版")
    p["alert"] = insert(conn, "alert", level="orange", started_at=T0)
    p["step"] = insert(conn, "alert_step", alert_id=p["alert"], seq=1, level="orange", version_id=p["version"])
    p["file"] = insert(conn, "dispatch_file", sha256="0" * 64, size=1, content=b"x")
    if "season" in sa_inspect(conn).get_table_names():
        p["season"] = insert(conn, "season", name="探测季", starts_on=date(2020, 10, 1), ends_on=date(2021, 3, 31))
    return p


# A good row of each probed table, given its parents.
ROWS = {
    "user": lambda p: {"username": "probe2", "password_hash": "x", "role": "county"},
    "category": lambda p: {"code": "PROBE", "label": "探测类", "grade_policy": "none", "industry_scope": "any"},
    "industry": lambda p: {"code": "probe", "name": "探测行业", "scheme_code": p["scheme"], "evidence": "U"},
    "production_line": lambda p: {"enterprise_id": p["enterprise"], "name": "2#线"},
    "line_measure": lambda p: {"line_id": p["line"], "level": "yellow", "action": "limit", "limit_pct": 30.0},
    "measure_floor": lambda p: {"industry_id": p["industry"], "grade_code": "D", "level": "red", "action": "stop"},
    "target_ratio": lambda p: {"level": "yellow", "pollutant": "vocs", "ratio": 0.1},
    "whole_society_emission": lambda p: {"season_id": p["season"], "county_id": p["county"], "source_type": "dust",
                                         "pollutant": "so2", "baseline_t_per_day": 1.5},
    "non_industrial_reduction": lambda p: {"season_id": p["season"], "county_id": p["county"], "level": "red",
                                           "source_type": "mobile", "pollutant": "nox", "reduction_t_per_day": 0.5},
    "enterprise": lambda p: {"name": "丙", "credit_code": "PROBE0000000000003", "county_id": p["county"],
                             "industry_id": p["industry"], "category_code": "GRADED", "grade_code": "C"},
    "grade_request": lambda p: {"enterprise_id": p["other_enterprise"], "state": "draft",
                                "target_category_code": "GRADED"},
    "request_event": lambda p: {"request_id": p["request"], "action": "submit", "from_state": "draft",
                                "to_state": "submitted"},
    "grade_history": lambda p: {"enterprise_id": p["enterprise"], "kind": "downgrade", "reason_code": "spot_check",
                                "new_category_code": "GRADED", "effective_date": date(2021, 1, 1)},
    "batch_cutoff": lambda p: {"month": 3, "day": 31, "name": "探测批"},
    "alert": lambda p: {"level": "red", "started_at": T0, "ended_at": T0},
    "alert_step": lambda p: {"alert_id": p["alert"], "seq": 2, "level": "red", "previous_level": "orange",
                             "version_id": p["version"]},
    "dispatch": lambda p: {"alert_id": p["alert"], "step_id": p["step"], "county_id": p["county"], "level": "orange",
                           "filename": "a.xlsx", "file_id": p["file"], "sha256": "0" * 64, "size": 1},
    "list_version_row": lambda p: {"version_id": p["version"], "level": "red", "seq": 1, "county_id": 1,
                                   "county_name": "城区", "enterprise_id": 1, "enterprise_name": "甲",
                                   "credit_code": "x", "line_id": 1, "line_name": "1#线", "action": "other",
                                   "other_fraction": 0.2, "status": "error"},
    "measure_type": lambda p: {"code": "probe", "label": "探测措施", "param": "", "fraction": 0.5,
                               "stops_line": False, "order_kind": "limit", "template": "", "sort_order": 99,
                               "provisional": True, "note": ""},
    "job": lambda p: {"id": uuid.uuid4().hex, "kind": "import", "user_id": p["user"], "status": "running"},
    "import_batch": lambda p: {"filename": "a.xlsx", "size": 1, "sha256": "0" * 64, "status": "no_changes",
                               "source": "cli"},
    "audit_log": lambda p: {"entity_type": "enterprise", "action": "delete"},
}

# (table, column, good values, bad values). A good value is a member of the vocabulary, a bad one is not,
# case and Chinese labels included.
VOCABULARIES = [
    ("user", "role", ["admin", "enterprise"], ["root", "Admin", ""]),
    ("category", "grade_policy", ["required"], ["sometimes"]),
    ("category", "industry_scope", ["nonkey", "livelihood"], ["all"]),
    ("industry", "evidence", ["V"], ["v", "X"]),
    ("line_measure", "level", ["orange", "red"], ["purple", "黄色", "Yellow"]),
    # The action is a foreign key into measure_type (reference data), no longer a fixed CHECK.
    ("line_measure", "action", ["stop", "self", "none", "hot_standby", "coking_time"], ["halt", "停产"]),
    ("line_measure", "transport", ["none", "no_g4", "no_road"], ["g4", "禁运", ""]),
    ("measure_floor", "level", ["yellow"], ["blue"]),
    ("measure_floor", "action", ["limit", "line_share"], ["pause"]),
    ("measure_floor", "scope", ["graded"], ["any", ""]),
    ("measure_floor", "transport", ["no_road"], ["road"]),
    ("measure_type", "param", ["", "pct", "hours", "cap", "fraction"], ["percent"]),
    ("measure_type", "order_kind", ["stop", "capped"], ["halt"]),
    ("target_ratio", "level", ["red"], ["amber"]),
    ("target_ratio", "pollutant", ["nox"], ["co2", "SO2"]),
    ("whole_society_emission", "pollutant", ["pm"], ["pm25"]),
    ("whole_society_emission", "source_type", ["industrial", "dust", "mobile", "other"], ["traffic", "工业源", ""]),
    ("non_industrial_reduction", "level", ["yellow"], ["purple"]),
    ("non_industrial_reduction", "source_type", ["dust", "mobile", "other"], ["industrial", "扬尘源"]),
    ("non_industrial_reduction", "pollutant", ["vocs"], ["co"]),
    ("grade_request", "state", ["submitted", "withdrawn"], ["lost", "已提交"]),
    ("request_event", "action", ["county_return"], ["erase"]),
    ("request_event", "from_state", ["returned", None], ["limbo"]),
    ("request_event", "to_state", ["approved"], ["limbo"]),
    ("grade_history", "kind", ["request", "registry"], ["manual"]),
    ("grade_history", "status", ["applied", "superseded"], ["cancelled"]),
    ("grade_history", "reason_code", ["falsified", None], ["whim"]),
    ("alert", "level", ["yellow"], ["purple"]),
    ("alert_step", "level", ["yellow"], ["purple"]),
    ("alert_step", "previous_level", ["red", None], ["purple"]),
    ("dispatch", "level", ["red"], ["purple"]),
    ("list_version_row", "level", ["yellow"], ["purple"]),
    ("list_version_row", "status", ["ok", "warning", "error"], ["broken", "below_floor", "missing"]),
    ("list_version_row", "transport", ["no_g4"], ["trucks"]),
    ("job", "kind", ["export_list", "export_version"], ["mine_bitcoin"]),
    ("job", "status", ["queued", "done", "failed"], ["stale", "paused"]),
    ("import_batch", "status", ["committed"], ["rolled_back"]),
    ("import_batch", "source", ["web"], ["api"]),
    ("audit_log", "action", ["create", "update"], ["truncate", "Create"]),
]

RANGES = [
    *((table, "limit_pct", [0, 0.5, 100], [-1, 100.01, 1000])
      for table in ("line_measure", "measure_floor", "list_version_row")),
    *((table, "other_fraction", [0, 0.35, 1], [-0.01, 1.5, 20])
      for table in ("line_measure", "measure_floor", "list_version_row")),
    *((table, "hours", [None, 24, 240], [-1, 240.5]) for table in ("line_measure", "measure_floor", "list_version_row")),
    *((table, "cap_pct", [None, 0, 70, 100], [-5, 101]) for table in ("line_measure", "measure_floor")),
    ("list_version_row", "cut", [0, 0.8, 1], [-0.1, 1.2]),
    ("production_line", "coking_hours", [None, 19.5], [-1, 300]),
    ("measure_type", "fraction", [0, 0.8, 1], [-0.2, 2]),
    ("target_ratio", "ratio", [0, 0.3, 1], [-0.1, 1.01]),
    ("production_line", "operating_days", [1, 300, 366], [0, 367, -5]),
    *(("production_line", f"{p}_t_yr", [0, 1234.5], [-0.001, -100]) for p in ("so2", "nox", "pm", "vocs")),
    ("production_line", "capacity", [0, 2500, None], [-1]),
    ("whole_society_emission", "baseline_t_per_day", [0, 12.5], [-0.5]),
    ("non_industrial_reduction", "reduction_t_per_day", [0, 3.25], [-0.01]),
    ("enterprise", "longitude", [None, 73, 112.85, 136], [72.9, 136.1, -112.85, 35.5]),
    ("enterprise", "latitude", [None, 3, 35.5, 54], [2.9, 54.1, 112.85]),
    ("enterprise", "heavy_trucks_per_day", [None, 0, 120], [-1]),
    ("enterprise", "output_value", [None, 0, 12.5], [-1]),
    ("production_line", "output", [None, 0, 50000.5], [-0.1]),
    ("batch_cutoff", "month", [1, 12], [0, 13]),
    ("batch_cutoff", "day", [1, 31], [0, 32]),
    ("alert", "ended_at", [T0, datetime(2020, 12, 3), None], [datetime(2020, 11, 30)]),
]

CASES = [(f"{table}.{column}", table, column, good, bad) for table, column, good, bad in VOCABULARIES + RANGES]
APPEND_ONLY = {"audit_log": ("summary", "篡改"), "dispatch_file": ("content", b"tampered")}


def check_column(conn, table, column, good, bad):
    """Every bad value is refused and every good one accepted, the rest of the row being valid."""
    if table in ("target_ratio", "measure_floor"):
        conn.execute(text(f"DELETE FROM {table}"))      # seeded for every key; rolled back at the end
    p = parents(conn)
    for value in bad:
        refused(conn, table, **{**ROWS[table](p), column: value})
    for value in good:
        accepted(conn, table, **{**ROWS[table](p), column: value})


def check_open_requests(conn):
    """One open request per enterprise; closed ones (and other enterprises' open ones) are not limited."""
    p = parents(conn)
    insert(conn, "grade_request", enterprise_id=p["enterprise"], state="draft", target_category_code="GRADED")
    for state in ("draft", "submitted", "returned", "county_approved"):
        refused(conn, "grade_request", enterprise_id=p["enterprise"], state=state, target_category_code="GRADED")
    for state in ("approved", "rejected", "withdrawn"):
        insert(conn, "grade_request", enterprise_id=p["enterprise"], state=state, target_category_code="GRADED")
    insert(conn, "grade_request", enterprise_id=p["other_enterprise"], state="submitted",
           target_category_code="GRADED")


def check_floor_keys(conn):
    """A graded floor names its industry and grade, a general or small-micro one no grade; each key once."""
    conn.execute(text("DELETE FROM measure_floor"))      # seeded for every key; rolled back at the end
    p = parents(conn)
    graded = {"scope": "graded", "industry_id": p["industry"], "grade_code": "B", "level": "red", "action": "stop"}
    insert(conn, "measure_floor", **graded)
    refused(conn, "measure_floor", **graded)                                   # the same key twice
    insert(conn, "measure_floor", **{**graded, "process": "焦炉", "action": "coking_time", "hours": 36})
    refused(conn, "measure_floor", **{**graded, "grade_code": None})          # graded without a grade
    refused(conn, "measure_floor", **{**graded, "industry_id": None})         # graded without an industry
    general = {"scope": "general", "level": "red", "action": "limit", "limit_pct": 30}
    insert(conn, "measure_floor", **general)
    refused(conn, "measure_floor", **general)                                  # the same general key twice
    refused(conn, "measure_floor", **{**general, "grade_code": "B"})          # a general floor has no grade
    insert(conn, "measure_floor", **{**general, "industry_id": p["industry"]})
    refused(conn, "measure_floor", **{**general, "industry_id": p["industry"]})
    insert(conn, "measure_floor", **{**general, "scope": "small_micro"})


def check_season_dates(conn):
    """A season ends on or after the day it starts; each name once."""
    insert(conn, "season", name="一日季", starts_on=date(2021, 1, 1), ends_on=date(2021, 1, 1))
    refused(conn, "season", name="倒置季", starts_on=date(2021, 3, 31), ends_on=date(2020, 10, 1))
    refused(conn, "season", name="一日季", starts_on=date(2022, 1, 1), ends_on=date(2022, 1, 2))


def check_baseline_keys(conn):
    """One figure per season, county, (level,) source type and pollutant."""
    p = parents(conn)
    for table in ("whole_society_emission", "non_industrial_reduction"):
        row = ROWS[table](p)
        insert(conn, table, **row)
        refused(conn, table, **row)


def check_running_alerts(conn):
    """One alert without a recorded end per county; ended alerts and other counties are not limited."""
    p = parents(conn)
    other_county = conn.execute(text("SELECT max(id) FROM county")).scalar()
    insert(conn, "alert_county", alert_id=p["alert"], county_id=p["county"])
    second = insert(conn, "alert", level="red", started_at=T0)
    refused(conn, "alert_county", alert_id=second, county_id=p["county"])      # "ended" defaults to false
    refused(conn, "alert_county", alert_id=second, county_id=p["county"], ended=False)
    insert(conn, "alert_county", alert_id=second, county_id=other_county)
    ended = insert(conn, "alert", level="yellow", started_at=T0, ended_at=T0)
    insert(conn, "alert_county", alert_id=ended, county_id=p["county"], ended=True)


def check_append_only(conn, table):
    """A row goes in; no UPDATE or DELETE of it comes out, and it stays as written."""
    column, value = APPEND_ONLY[table]
    row = insert(conn, table, **(ROWS["audit_log"](None) if table == "audit_log" else
                                 {"sha256": "0" * 64, "size": 1, "content": b"x"}))
    before = conn.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row}).scalar()
    refused_sql(conn, f"UPDATE {table} SET {column} = :value WHERE id = :id", value=value, id=row)
    refused_sql(conn, f"DELETE FROM {table} WHERE id = :id", id=row)
    refused_sql(conn, f"DELETE FROM {table}")
    assert conn.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row}).scalar() == before


def check_everything(url):
    """Every probe above, on the database at ``url`` (reference data loaded)."""
    for _, table, column, good, bad in CASES:
        with rolled_back(url) as conn:
            check_column(conn, table, column, good, bad)
    for check in (check_open_requests, check_running_alerts, check_floor_keys, check_season_dates,
                  check_baseline_keys):
        with rolled_back(url) as conn:
            check(conn)
    for table in APPEND_ONLY:
        with rolled_back(url) as conn:
            check_append_only(conn, table)
