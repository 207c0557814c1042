"""The unbound SQLAlchemy extension and shared column helpers."""
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow():
    """Return the current time as a naive UTC datetime (portable across databases)."""
    return datetime.now(UTC).replace(tzinfo=None)


class KeptFileMixin:
    """What is recorded of a kept file (a request's attachment, an inspection's photo): its name in the store,
    the name shown, its checked type, size and checksum (every read is checked against it)."""

    stored_name = db.Column(db.String(64), nullable=False, unique=True)
    display_name = db.Column(db.String(200), nullable=False)
    content_type = db.Column(db.String(40), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class TimestampMixin:
    """Created/updated timestamps."""

    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


# CHECK constraints, named by the convention above ("ck_<table>_<column>"). A NULL passes a CHECK in SQL, so
# a nullable column stays nullable: whether a value is required is the column's own rule.
def among(column, values):
    """The SQL condition "column IN ('a', 'b')" for a vocabulary tuple (or dict) defined once in Python."""
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"{column} IN ({listed})"


def one_of(column, values):
    """CHECK that ``column`` holds one of ``values``."""
    return db.CheckConstraint(among(column, values), name=column)


def in_range(column, low, high=None):
    """CHECK that ``column`` lies in [low, high], or is at least ``low`` when there is no ``high``."""
    condition = f"{column} >= {low}" if high is None else f"{column} BETWEEN {low} AND {high}"
    return db.CheckConstraint(condition, name=column)


def unique_where(name, columns, condition):
    """A partial unique index: ``columns`` (a name or a tuple of names) are unique among the rows meeting
    ``condition`` (SQL text)."""
    columns = (columns,) if isinstance(columns, str) else columns
    return db.Index(name, *columns, unique=True, sqlite_where=db.text(condition),
                    postgresql_where=db.text(condition))
