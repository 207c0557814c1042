"""Uploaded files kept between preview and commit, so the commit re-reads exactly the previewed bytes.

Each upload is stored under the instance folder as ``<token>.bin`` plus ``<token>.json`` (file name, size,
SHA-256, uploader, time). The token is random; the commit must name the same SHA-256 and come from the same
user. Files older than a day are removed whenever a new one is stored.

With ``STORAGE_BACKEND=database`` both files are kept in the database instead (``emergency.platform.storage``,
area "imports"), so that the commit, or the import job, may run on another host than the preview.
"""
import hashlib
import json
import os
import re
import secrets
import time
from datetime import timedelta

from flask import current_app

from emergency.platform import storage
from models import db
from models.base import utcnow

MAX_AGE_SECONDS = 24 * 3600
AREA = "imports"


def _shared():
    return storage.backend() == "database"


def _names(token):
    return f"{token}.bin", f"{token}.json"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def folder():
    config = current_app.config
    base = config.get("IMPORT_FOLDER") or os.path.join(config.get("INSTANCE_DATA") or current_app.instance_path,
                                                       "imports")
    os.makedirs(base, exist_ok=True)
    return base


def _paths(token):
    base = folder()
    return os.path.join(base, f"{token}.bin"), os.path.join(base, f"{token}.json")


def save(data, filename, user_id, rows=0, seen=None):
    """Store an upload, its data row count and the stored rows' version counters its preview saw; return its
    token."""
    purge()
    token = secrets.token_urlsafe(32)
    data_path, meta_path = _paths(token)
    meta = {"filename": filename, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "user_id": user_id, "at": time.time(), "rows": rows, "seen": seen}
    if _shared():
        data_name, meta_name = _names(token)
        storage.keep_now(AREA, data_name, data)
        storage.keep_now(AREA, meta_name, json.dumps(meta, ensure_ascii=False).encode())   # the note last
        return token
    # Uploads hold the bureau's registry: readable by the server's own user only.
    with os.fdopen(os.open(data_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        fh.write(data)
    with os.fdopen(os.open(meta_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False)
    return token


def set_rows(token, rows, seen=None):
    """Record the data row count of a stored upload, and the version counters, once a preview job has checked it."""
    if _shared():
        meta_name = _names(token)[1]
        meta = json.loads(storage.get(AREA, meta_name))
        meta["rows"], meta["seen"] = rows, seen
        storage.discard_now(AREA, meta_name)
        storage.keep_now(AREA, meta_name, json.dumps(meta, ensure_ascii=False).encode())
        return
    _, meta_path = _paths(token)
    with open(meta_path, encoding="utf-8") as fh:
        meta = json.load(fh)
    meta["rows"], meta["seen"] = rows, seen
    with open(meta_path, "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False)


def load(token, user_id, sha256):
    """Return (bytes, meta) of the user's upload with that digest, or None when missing, foreign or altered."""
    if not token or not TOKEN.match(token):
        return None
    try:
        data, meta = read(token)
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id or meta.get("sha256") != sha256 or hashlib.sha256(data).hexdigest() != sha256:
        return None
    return data, meta


def read(token):
    """(bytes, meta) of a kept upload, unchecked; OSError when it is gone."""
    if _shared():
        data_name, meta_name = _names(token)
        return storage.get(AREA, data_name), json.loads(storage.get(AREA, meta_name))
    data_path, meta_path = _paths(token)
    with open(meta_path, encoding="utf-8") as fh:
        meta = json.load(fh)
    with open(data_path, "rb") as fh:
        return fh.read(), meta


def kept():
    """The names of the files kept for uploads, on either backend (sorted)."""
    return storage.names(AREA) if _shared() else sorted(os.listdir(folder()))


def claim(token, user_id, sha256):
    """Move a previewed upload to a new token that only a job is given; return (new token, meta), or None
    when it is missing, foreign, altered or claimed already (so one confirmation starts one import)."""
    stored = load(token, user_id, sha256)
    if stored is None:
        return None
    new = secrets.token_urlsafe(32)
    if _shared():
        (old_data, old_meta), (new_data, new_meta) = _names(token), _names(new)
        # The note first: a concurrent claim can no longer load or move it; the times are renewed.
        if not storage.rename_now(AREA, old_meta, new_meta) or not storage.rename_now(AREA, old_data, new_data):
            return None
        return new, stored[1]
    (old_data, old_meta), (new_data, new_meta) = _paths(token), _paths(new)
    try:
        os.rename(old_meta, new_meta)       # the note first: a concurrent claim can no longer load or move it
        os.rename(old_data, new_data)
    except OSError:
        return None
    for path in (new_data, new_meta):       # fresh times, so the purge of day-old uploads spares a running job
        os.utime(path)
    return new, stored[1]


def discard(token):
    if token and TOKEN.match(token) and _shared():
        for name in _names(token):
            storage.discard_now(AREA, name)
    elif token and TOKEN.match(token):
        for path in _paths(token):
            if os.path.exists(path):
                os.remove(path)


def purge(max_age=MAX_AGE_SECONDS, in_session=False):
    """Remove uploads older than ``max_age`` seconds; return how many files went. On the database backend the
    rows go in a transaction of their own, or in the session's (``in_session``, for a command that commits)."""
    if _shared():
        return storage.purge_older(AREA, utcnow() - timedelta(seconds=max_age),
                                   db.session.connection() if in_session else None)
    base, limit, removed = folder(), time.time() - max_age, 0
    for name in os.listdir(base):
        path = os.path.join(base, name)
        try:
            if os.path.getmtime(path) < limit:
                os.remove(path)
                removed += 1
        except OSError:
            continue
    return removed


def preview(data, filename, user_id, county_id=None):
    """Dry-run an upload; keep it for the commit only when clean. Return (Report, token or None)."""
    from emergency.importing.pipeline import drop, inspect_file

    report, _ = inspect_file(data, filename, county_id, write=drop)
    return report, (save(data, filename, user_id, report.rows, report.seen) if report.clean else None)


def commit(token, sha256, user, county_id=None):
    """Commit a previewed upload (audit source "import:<filename>"); None when the upload is gone or altered.
    Rows edited since the preview are named in ``report.conflicts`` and nothing is written.

    Flushes, never commits: the view commits when ``report.committed`` and rolls back otherwise.
    """
    from emergency.audit.trail import set_request_source
    from emergency.importing.pipeline import commit_file

    stored = load(token, user.id, sha256)
    if stored is None:
        return None
    data, meta = stored
    set_request_source(f"import:{meta['filename']}")
    return commit_file(data, meta["filename"], user.id, user.username, "web", county_id, seen=meta.get("seen"))
