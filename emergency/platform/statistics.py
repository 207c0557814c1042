"""Planner statistics after bulk writes (PostgreSQL).

Bulk-loaded tables are otherwise analysed only when autovacuum gets round to it; until then the planner guesses
from stale or empty statistics and picks scans that read every row (issue 19: a registry export's SQL took 10.7 s
before ``ANALYZE`` and 1.8 s after). SQLite has no such statistics to refresh here.
"""
from models import AuditLog, Enterprise, LineMeasure, ProductionLine, db

# The tables a registry load or import writes in bulk.
REGISTRY_TABLES = tuple(model.__tablename__ for model in (Enterprise, ProductionLine, LineMeasure, AuditLog))


def analyze(tables=REGISTRY_TABLES, session=None):
    """``ANALYZE`` ``tables`` on PostgreSQL, in the caller's transaction (statistics commit or roll back with it);
    return whether it ran."""
    session = session or db.session
    if session.get_bind().dialect.name != "postgresql":
        return False
    quote = session.get_bind().dialect.identifier_preparer.quote
    session.execute(db.text("ANALYZE " + ", ".join(quote(t) for t in tables)))
    return True
