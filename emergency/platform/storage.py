"""One place for the files the system keeps, on this host's disk (default) or in the database.

``STORAGE_BACKEND`` chooses: ``local`` (default) keeps each area's files in a folder, as the system always
has; ``database`` keeps them in ``stored_file``/``stored_chunk`` (bytea on PostgreSQL, BLOB on SQLite, in
chunks of ``CHUNK_BYTES``), so that any host serves a file any other host wrote.

Files follow their transaction on both backends. ``put`` writes inside the session's transaction: the
database backend's rows roll back with it; a local file written by a transaction that rolls back is removed.
``remove`` (from an ``after_flush`` hook) deletes the database rows in the same transaction, and a local file
only once the deletion is committed. A stored name is never written twice (``O_EXCL``, a unique key), and
``get`` checks the bytes against the checksum the caller recorded, on every backend.

Dispatched alert workbooks are not kept here: their bytes live in the append-only ``dispatch_file`` table
(``models.alert``), which the database itself refuses to update or delete, whatever the backend.
"""
import hashlib
import os

from flask import current_app
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import Session

from models import StoredChunk, StoredFile, db
from models.base import utcnow
from models.shared import FILE_AREAS

BACKENDS = ("local", "database")
CHUNK_BYTES = 1024 * 1024
# area: the setting that names its local folder (else <INSTANCE_DATA or instance>/<area>)
FOLDER_SETTINGS = {"attachments": "ATTACHMENT_DIR", "jobs": "JOBS_DIR", "imports": "IMPORT_FOLDER"}
WRITTEN, REMOVED = "storage_files_written", "storage_files_removed"


class DamagedFile(Exception):
    """A kept file's bytes no longer match the checksum recorded when it was written."""


class MissingFile(FileNotFoundError):
    """A kept file that its row names is not in the store (removed by hand, or another host's local folder)."""


def backend():
    """The configured backend: "local" (default) or "database"."""
    name = current_app.config.get("STORAGE_BACKEND") or "local"
    if name not in BACKENDS:
        raise ValueError(f"STORAGE_BACKEND must be one of {BACKENDS}, not {name!r}")
    return name


def folder(area):
    """The local folder of ``area``: its setting, else <INSTANCE_DATA or the instance folder>/<area>."""
    configured = current_app.config.get(FOLDER_SETTINGS[area])
    if configured:
        return configured
    return os.path.join(current_app.config.get("INSTANCE_DATA") or current_app.instance_path, area)


def _path(area, name):
    if area not in FILE_AREAS or not name or os.sep in name or name.startswith("."):
        raise ValueError(f"bad stored file {area!r}/{name!r}")
    return os.path.join(folder(area), name)


def put(area, name, data):
    """Keep ``data`` as ``area``/``name`` within the session's transaction; never overwrites a kept file."""
    path = _path(area, name)
    if backend() == "database":
        _put_chunks(area, name, (data[start:start + CHUNK_BYTES] for start in range(0, len(data), CHUNK_BYTES)))
        return
    written = db.session.info.setdefault(WRITTEN, [])
    os.makedirs(folder(area), mode=0o750, exist_ok=True)
    # Owner and group only, whatever the umask: kept files are firms' documents (O_EXCL: never overwrite).
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "wb") as fh:
        written.append(path)
        os.fchmod(fh.fileno(), 0o640)
        fh.write(data)


def put_file(area, name, path):
    """Keep the local file at ``path`` as ``area``/``name`` in the database, read a chunk at a time; flush."""
    _path(area, name)
    with open(path, "rb") as fh:
        _put_chunks(area, name, iter(lambda: fh.read(CHUNK_BYTES), b""))


def _put_chunks(area, name, chunks):
    stored = StoredFile(area=area, name=name, size=0, sha256="")
    db.session.add(stored)
    db.session.flush()
    digest, size = hashlib.sha256(), 0
    for seq, chunk in enumerate(chunks):
        db.session.execute(StoredChunk.__table__.insert().values(file_id=stored.id, seq=seq, data=chunk))
        digest.update(chunk)
        size += len(chunk)
    stored.size, stored.sha256 = size, digest.hexdigest()
    db.session.flush()


def get(area, name, sha256=None):
    """The bytes of ``area``/``name``; ``DamagedFile`` when they do not match ``sha256`` (if given);
    ``MissingFile`` (a ``FileNotFoundError``) when there is no such file."""
    path = _path(area, name)
    if backend() == "database":
        file_id = db.session.execute(select(StoredFile.id).where(StoredFile.area == area,
                                                                 StoredFile.name == name)).scalar()
        if file_id is None:
            raise MissingFile(f"{area}/{name}")
        data = b"".join(db.session.execute(select(StoredChunk.data).where(StoredChunk.file_id == file_id)
                                           .order_by(StoredChunk.seq)).scalars())
    else:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise MissingFile(f"{area}/{name}") from None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise DamagedFile(f"{area}/{name}")
    return data


def names(area):
    """The names kept in ``area`` (sorted)."""
    if backend() == "database":
        return sorted(db.session.execute(select(StoredFile.name).where(StoredFile.area == area)).scalars())
    return sorted(os.listdir(folder(area))) if os.path.isdir(folder(area)) else []


def remove(session, area, name):
    """Delete ``area``/``name`` as part of ``session``'s flush: for good once it commits, not if it rolls back."""
    path = _path(area, name)
    if backend() == "database":
        _delete_rows(session.connection(), area, name)
        return
    session.info.setdefault(REMOVED, []).append(path)


def discard_now(area, name):
    """Delete ``area``/``name`` at once, in a transaction of its own (work that is not part of a request's)."""
    path = _path(area, name)
    if backend() == "database":
        with db.engine.begin() as conn:
            _delete_rows(conn, area, name)
        return
    _discard([path])


# Database-only operations in transactions of their own, for files no request's transaction owns (uploads
# kept between an import's preview and its commit: emergency.importing.uploads).

def keep_now(area, name, data):
    """Keep ``data`` as ``area``/``name`` in the database at once."""
    _path(area, name)
    with db.engine.begin() as conn:
        file_id = conn.execute(insert(StoredFile).values(
            area=area, name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
            created_at=utcnow())).inserted_primary_key[0]
        for seq, start in enumerate(range(0, len(data), CHUNK_BYTES)):
            conn.execute(insert(StoredChunk).values(file_id=file_id, seq=seq, data=data[start:start + CHUNK_BYTES]))


def rename_now(area, old, new):
    """Rename ``area``/``old`` to ``new`` (its time renewed); True only for the one caller that moved it."""
    _path(area, new)
    with db.engine.begin() as conn:
        moved = conn.execute(update(StoredFile).where(StoredFile.area == area, StoredFile.name == old)
                             .values(name=new, created_at=utcnow()))
        return moved.rowcount == 1


def purge_older(area, cutoff, conn=None):
    """Delete the files of ``area`` kept before ``cutoff`` (naive UTC) through ``conn`` (a transaction of its
    own when None); return how many went."""
    if conn is None:
        with db.engine.begin() as conn:
            return purge_older(area, cutoff, conn)
    old = select(StoredFile.id).where(StoredFile.area == area, StoredFile.created_at < cutoff)
    conn.execute(delete(StoredChunk).where(StoredChunk.file_id.in_(old)))
    return conn.execute(delete(StoredFile).where(StoredFile.id.in_(old))).rowcount


def _delete_rows(conn, area, name):
    found = select(StoredFile.id).where(StoredFile.area == area, StoredFile.name == name).scalar_subquery()
    conn.execute(delete(StoredChunk).where(StoredChunk.file_id == found))
    conn.execute(delete(StoredFile).where(StoredFile.area == area, StoredFile.name == name))


def _discard(paths):
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    session.info.pop(WRITTEN, None)
    _discard(session.info.pop(REMOVED, []))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    _discard(session.info.pop(WRITTEN, []))
    session.info.pop(REMOVED, None)
