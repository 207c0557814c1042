"""Count the SQL statements a block of code sends, to prove pages do not issue a query per row."""
from contextlib import contextmanager

from sqlalchemy import event

from models import db


@contextmanager
def count_queries():
    """Yield a list that fills with the statements executed inside the block."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
