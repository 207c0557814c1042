"""database invariants: CHECK constraints, partial unique indexes, append-only triggers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00.000000

The vocabularies are spelled out here as they were at this revision (a migration must not change when the
models do later). tests/test_migrations.py checks that an upgraded database holds the same constraints,
indexes and triggers as one built by create_all from the models. Rows that already break a new rule make the
upgrade fail, naming the constraint; nothing is changed silently.

On SQLite each CHECK rebuilds its table (copy, drop, rename): migrations/env.py turns foreign keys off for the
run, or dropping a parent table would cascade-delete its children.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

LEVELS = ("yellow", "orange", "red")
POLLUTANTS = ("so2", "nox", "pm", "vocs")
ACTIONS = ("stop", "limit", "other", "self", "none")
REQUEST_STATES = ("draft", "submitted", "returned", "county_approved", "approved", "rejected", "withdrawn")
OPEN_STATES = ("draft", "submitted", "returned", "county_approved")


def among(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def measure_checks():
    return [among("level", LEVELS), among("action", ACTIONS), "limit_pct BETWEEN 0 AND 100",
            "other_fraction BETWEEN 0 AND 1"]


# {table: [(constraint name, condition)]}; names follow models/base.py's convention "ck_<table>_<name>".
CHECKS = {
    "user": [("role", among("role", ("admin", "city", "county", "enterprise")))],
    "category": [("grade_policy", among("grade_policy", ("required", "optional", "none"))),
                 ("industry_scope", among("industry_scope", ("key", "nonkey", "any")))],
    "industry": [("evidence", among("evidence", ("V", "P", "U")))],
    "production_line": [*((f"{p}_t_yr", f"{p}_t_yr >= 0") for p in POLLUTANTS), ("capacity", "capacity >= 0"),
                        ("operating_days", "operating_days BETWEEN 1 AND 366")],
    "line_measure": [(c.split(" ")[0], c) for c in measure_checks()],
    "measure_floor": [(c.split(" ")[0], c) for c in measure_checks()],
    "target_ratio": [("level", among("level", LEVELS)), ("pollutant", among("pollutant", POLLUTANTS)),
                     ("ratio", "ratio BETWEEN 0 AND 1")],
    "whole_society_emission": [("pollutant", among("pollutant", POLLUTANTS)),
                               ("baseline_t_per_day", "baseline_t_per_day >= 0")],
    "grade_request": [("state", among("state", REQUEST_STATES))],
    "request_event": [("action", among("action", ("create", "submit", "withdraw", "county_pass", "county_return",
                                                  "approve", "reject"))),
                      ("from_state", among("from_state", REQUEST_STATES)),
                      ("to_state", among("to_state", REQUEST_STATES))],
    "grade_history": [("kind", among("kind", ("request", "downgrade", "registry"))),
                      ("status", among("status", ("pending", "applied", "superseded"))),
                      ("reason_code", among("reason_code", ("falsified", "spot_check", "not_implemented", "other")))],
    "batch_cutoff": [("month", "month BETWEEN 1 AND 12"), ("day", "day BETWEEN 1 AND 31")],
    "alert": [("level", among("level", LEVELS)),
              ("ended_after_start", "ended_at IS NULL OR ended_at >= started_at")],
    "alert_step": [("level", among("level", LEVELS)), ("previous_level", among("previous_level", LEVELS))],
    "dispatch": [("level", among("level", LEVELS))],
    "list_version_row": [*((c.split(" ")[0], c) for c in measure_checks()),
                         ("status", among("status", ("ok", "below_floor", "missing")))],
    "job": [("kind", among("kind", ("export_list", "export_counties", "export_registry", "export_version",
                                    "import"))),
            ("status", among("status", ("queued", "running", "done", "failed")))],
    "import_batch": [("status", among("status", ("committed", "no_changes"))),
                     ("source", among("source", ("web", "cli")))],
    "audit_log": [("action", among("action", ("create", "update", "delete")))],
}
PARTIAL_UNIQUE = [
    ("grade_request", "uq_grade_request_open_enterprise", "enterprise_id", among("state", OPEN_STATES)),
    ("alert_county", "uq_alert_county_running_county", "county_id", "NOT ended"),
]
APPEND_ONLY = {"audit_log": "审计日志只能追加，不能修改或删除", "dispatch_file": "已下发的文件不能修改或删除"}
PG_FUNCTION = """CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation';
END
$$"""


def _triggers(dialect):
    """{trigger name: (table, CREATE statement)}, the same statements as models/append_only.py."""
    triggers = {}
    for table, message in APPEND_ONLY.items():
        if dialect == "postgresql":
            triggers[f"{table}_refuse_change"] = (
                table, f"CREATE TRIGGER {table}_refuse_change BEFORE UPDATE OR DELETE ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION refuse_change('{message}')")
        else:
            for event in ("UPDATE", "DELETE"):
                triggers[f"{table}_refuse_{event.lower()}"] = (
                    table, f"CREATE TRIGGER {table}_refuse_{event.lower()} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
    return triggers


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)

    with op.batch_alter_table('alert_county', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended', sa.Boolean(), server_default=sa.false(), nullable=False))
    alert, alert_county = sa.table("alert", sa.column("id"), sa.column("ended_at")), sa.table(
        "alert_county", sa.column("alert_id"), sa.column("ended", sa.Boolean()))
    op.execute(alert_county.update().values(ended=True).where(
        alert_county.c.alert_id.in_(sa.select(alert.c.id).where(alert.c.ended_at.is_not(None)))))

    for table, name, column, condition in PARTIAL_UNIQUE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, [column], unique=True, sqlite_where=sa.text(condition),
                                  postgresql_where=sa.text(condition))

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
    for _, statement in _triggers(dialect).values():
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, (table, _) in _triggers(dialect).items():
        op.execute(f"DROP TRIGGER {name} ON {table}" if dialect == "postgresql" else f"DROP TRIGGER {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION refuse_change()")

    for table, name, _, _ in PARTIAL_UNIQUE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    with op.batch_alter_table('alert_county', schema=None) as batch_op:
        batch_op.drop_column('ended')

    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in checks:
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
