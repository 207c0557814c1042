"""Write an import's plan: changes to stored records through the ORM, new records with bulk Core inserts.

New enterprises, lines and measures are most of a large import. Through the ORM each costs about a
millisecond (unit of work plus the audit hook), so they are inserted a few thousand at a time with
executemany (COPY for measures on PostgreSQL), and their audit rows are written in bulk by
``audit.created_rows`` in the hook's own shape. Changes to stored records keep the ORM path
(``operations.stage_*``), so the flush hook audits them and the version counters move as for a web edit.
Everything runs in the caller's transaction.
"""
from sqlalchemy import insert, select, text
from sqlalchemy.orm import lazyload, selectinload

from emergency.audit import trail as audit
from emergency.importing.conflicts import edited_while_writing, lock_for_writing
from emergency.importing.existing import CHUNK
from emergency.importing.plan import UNCHANGED, UPDATE
from emergency.limits import limit
from emergency.platform.statistics import analyze
from emergency.registry import operations as ops
from models import AuditLog, Enterprise, LineMeasure, ProductionLine, db
from models.base import utcnow

FLUSH_EVERY = 500           # stored enterprises staged per ORM flush
LINES_PER_INSERT = 3000     # new lines per round of inserts (with their enterprises and measures)


def rows_of(plan):
    """The file rows a plan stands for, as counted by the write progress."""
    return max(1, len(plan.lines))


class Writer:
    """Writes plans a chunk at a time as the planner makes them, in the caller's transaction; flushes only.

    Before each chunk it checks, under the write lock, that no one edited the rows it changes since they were
    planned (``conflicts``); after the first such edit it writes nothing more, and the caller rolls back.
    """

    def __init__(self, total, progress=None):
        self.total, self.done, self.conflicts, self.locked = total, 0, [], False
        self.progress = progress or (lambda done, total=None: None)
        self.progress(0, total)  # before the first write: with SQLite, later reports wait for the commit

    def write(self, plans):
        if not self.locked:
            lock_for_writing()
            self.locked = True
        self.conflicts += edited_while_writing(plans)
        if self.conflicts:
            return
        self.done = _update(plans, self.progress, self.total, self.done)
        self.done = _create(plans, self.progress, self.done, self.total)

    def finish(self):
        if self.done >= limit("analyze_after_rows"):
            # A bulk import changes the tables' make-up; the planner's statistics follow in the same transaction.
            analyze()
        self.progress(self.total, self.total)


def _load(model, ids, *options):
    found = {}
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        stmt = select(model).where(model.id.in_(ids[start:start + CHUNK])).options(*options)
        found.update((obj.id, obj) for obj in db.session.scalars(stmt))
    return found


def _update(plans, progress, total, done=0):
    """Stage changes to stored records with the ORM, FLUSH_EVERY enterprises a round; return the rows done.

    Each round loads only its own records and flushes them; the session holds clean objects weakly, so
    memory stays flat however many lines change.
    """
    stored = [p for p in plans if p.enterprise_id]
    types = ops.measure_types()
    for start in range(0, len(stored), FLUSH_EVERY):
        chunk = stored[start:start + FLUSH_EVERY]
        enterprises = _load(Enterprise, [p.enterprise_id for p in chunk if p.action == UPDATE])
        stored_lines = [line for p in chunk for line in p.lines if line.line_id]
        # Measures are loaded only for the lines whose measures change: most updates touch one or the other.
        lines = _load(ProductionLine, [line.line_id for line in stored_lines if line.measures],
                      selectinload(ProductionLine.measures))
        lines.update(_load(ProductionLine, [line.line_id for line in stored_lines if not line.measures],
                           lazyload(ProductionLine.measures)))
        with db.session.no_autoflush:
            for plan in chunk:
                if plan.action != UNCHANGED:
                    ops.stage_enterprise(plan.values, enterprises[plan.enterprise_id])
                for line in plan.lines:
                    if line.line_id:
                        ops.stage_line(None, line.values, line.measures, line=lines[line.line_id], types=types)
                done += sum(1 for line in plan.lines if line.line_id) or (not plan.lines)
        db.session.flush()
        progress(done, total)
    return done


def _create(plans, progress, done, total):
    """Insert new enterprises, and new lines with their measures, a round of LINES_PER_INSERT lines at a time;
    return the rows done."""
    batch, lines = [], 0
    for plan in plans:
        new_lines = sum(1 for line in plan.lines if not line.line_id)
        if plan.enterprise_id is None or new_lines:
            batch.append(plan)
            lines += new_lines
        if lines >= LINES_PER_INSERT:
            done += _insert(batch)
            progress(done, total)
            batch, lines = [], 0
    if batch:
        done += _insert(batch)
        progress(done, total)
    return done


def _postgres():
    return db.session.get_bind().dialect.name == "postgresql"


def _add(table, rows, *keys, copy=False):
    """Insert ``rows`` and set each row's "id"; ``copy`` for rows no statement event needs to see.

    PostgreSQL draws the ids from the table's sequence first: psycopg re-parses every page of a long
    INSERT … RETURNING in Python, which made it ten times slower than a plain executemany. SQLite (one
    writer, no sequences) has them returned, matched by the natural ``keys``.
    """
    if not rows:
        return
    if _postgres():
        ids = db.session.execute(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                      "FROM generate_series(1, :n)"), {"table": table.name, "n": len(rows)})
        for row, (id_,) in zip(rows, ids):
            row["id"] = id_
        if copy:
            _copy(table, rows)
        else:
            db.session.execute(insert(table), rows)
        return
    stmt = insert(table).returning(table.c.id, *(table.c[k] for k in keys))
    ids = {tuple(key): id_ for id_, *key in db.session.execute(stmt, rows)}
    for row in rows:
        row["id"] = ids[tuple(row[k] for k in keys)]


def _copy(table, rows):
    """PostgreSQL's COPY, three times faster than executemany; it bypasses the session's statement events."""
    if not rows:
        return
    quote = db.session.get_bind().dialect.identifier_preparer.quote
    columns = list(rows[0])
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {quote(table.name)} ({', '.join(map(quote, columns))}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _log(cls, records, owners=None, at=None):
    rows = list(audit.created_rows(cls, records, owners, at))
    if _postgres():
        _copy(AuditLog.__table__, rows)
    else:
        audit.write_rows(db.session, rows)


def _insert(plans):
    """Insert one round: enterprises, then lines, then measures, each with their audit rows; return rows done."""
    now, types = utcnow(), ops.measure_types()
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    enterprises = [{**ops.enterprise_row(p.values), **stamps} for p in plans if p.enterprise_id is None]
    _add(Enterprise.__table__, enterprises, "credit_code")
    ids = {row["credit_code"]: row["id"] for row in enterprises}
    owner = {p.code: p.enterprise_id or ids[p.code] for p in plans}
    new = [(owner[p.code], line) for p in plans for line in p.lines if not line.line_id]
    lines = [{**ops.row_values(ProductionLine, ops.LINE_FIELDS, line.values), "enterprise_id": eid, **stamps}
             for eid, line in new]
    _add(ProductionLine.__table__, lines, "enterprise_id", "name")
    measures, measure_owners = [], []
    for row, (eid, line) in zip(lines, new):
        for level, values in line.measures.items():
            measures.append({**ops.measure_row(values, types), "line_id": row["id"], "level": level})
            measure_owners.append(eid)
    # COPY skips the statement events: the lines inserted just above tell the registry generation.
    _add(LineMeasure.__table__, measures, "line_id", "level", copy=True)
    _log(Enterprise, enterprises, at=now)
    _log(ProductionLine, lines, at=now)
    _log(LineMeasure, measures, measure_owners, at=now)
    return sum(1 for p in plans if p.enterprise_id is None and not p.lines) + len(lines)
