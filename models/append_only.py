"""Tables the database itself keeps append-only: rows may be inserted, never updated or deleted.

The ORM refuses such changes first, with a Python error (``emergency.audit.trail``, ``models.alert``). These
triggers also refuse raw SQL, executemany and COPY, whoever sends them. They are created with their table
(``create_all``, as the tests do) and by migration 0005, which spells out the same statements;
``tests/test_migrations.py`` checks that the two agree.

Emptying a whole table is legitimate only for a test database (the per-test cleanup). PostgreSQL's row
triggers do not fire on TRUNCATE, which needs the TRUNCATE privilege (the owner's), so the cleanup truncates.
SQLite has no TRUNCATE, and a trigger in the main schema may not read a TEMP table, so no per-connection marker
can lift it: the cleanup drops the triggers, deletes and creates them again in one transaction. SQLite's DDL is
transactional and it has one writer at a time, so no other connection ever sees the table unguarded.
Backups (SQLite's page copy, pg_dump/pg_restore) never update or delete rows.

A later batch migration that rebuilds one of these tables on SQLite drops its triggers with the old table, and
must create them again.
"""
from sqlalchemy import DDL, event

PG_FUNCTION = """CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation';
END
$$"""
MESSAGES = {}       # table name -> the Chinese message the database answers with


def postgresql_trigger(table, message):
    return (f"CREATE TRIGGER {table}_refuse_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION refuse_change('{message}')")


def sqlite_triggers(table, message):
    """{trigger name: CREATE statement}: SQLite triggers take one event each."""
    return {f"{table}_refuse_{op.lower()}": f"CREATE TRIGGER {table}_refuse_{op.lower()} BEFORE {op} ON {table} "
                                            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for op in ("UPDATE", "DELETE")}


def protect(table, message):
    """Make ``table`` append-only in the database, on PostgreSQL and SQLite, whenever it is created."""
    MESSAGES[table.name] = message
    for statement in (PG_FUNCTION, postgresql_trigger(table.name, message)):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in sqlite_triggers(table.name, message).values():
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
