"""State every host reads from the database: kept files (emergency.platform.storage) and shared figures."""
from .base import db, one_of, utcnow

# The areas the storage module keeps files in (emergency.platform.storage.AREAS gives their local folders).
FILE_AREAS = ("attachments", "jobs", "imports")


class StoredFile(db.Model):
    """One kept file of the database storage backend: its name in its area, size and checksum."""

    __tablename__ = "stored_file"
    __table_args__ = (db.UniqueConstraint("area", "name", name="uq_stored_file_area_name"),
                      one_of("area", FILE_AREAS),
                      db.CheckConstraint("size >= 0", name="size_not_negative"))

    id = db.Column(db.Integer, primary_key=True)
    area = db.Column(db.String(20), nullable=False)
    name = db.Column(db.String(100), nullable=False)
    size = db.Column(db.BigInteger, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class StoredChunk(db.Model):
    """A piece of a stored file's bytes (bytea on PostgreSQL, BLOB on SQLite), in order of ``seq``."""

    __tablename__ = "stored_chunk"

    file_id = db.Column(db.Integer, db.ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True)
    seq = db.Column(db.Integer, primary_key=True)
    data = db.Column(db.LargeBinary, nullable=False)


class SharedFigure(db.Model):
    """The dashboard figures of one scope ("city", "county-<id>") and the lease of the process computing them."""

    __tablename__ = "shared_figure"

    scope = db.Column(db.String(40), primary_key=True)
    generation = db.Column(db.String(64), nullable=True)
    payload = db.Column(db.Text, nullable=True)
    # Who computes this scope now, and until when; an expired lease (a crashed process) may be taken over.
    lease_holder = db.Column(db.String(100), nullable=True)
    lease_until = db.Column(db.DateTime, nullable=True)
