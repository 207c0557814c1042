"""Evidence attachments: type by content (magic bytes), a size limit, storage outside the web root.

Files are kept by ``emergency.platform.storage`` (area "attachments": ``<instance>/attachments`` by default,
or the database) with random server-side names; the uploader's file name is kept only as a sanitised display
name. Every file is checked before anything is written, so a bad upload leaves neither a row nor a file.
Files follow their transaction: a new file goes when the session rolls back, and a deleted attachment's file
only once the deletion is committed.
"""
import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from emergency.audit import trail as audit
from emergency.platform import storage
from models import GradeRequest, InspectionPhoto, RequestAttachment, db

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 20
# kind: (content type, magic prefix, accepted extensions; the first is used on disk)
KINDS = {
    "PDF": ("application/pdf", b"%PDF-", (".pdf",)),
    "JPG": ("image/jpeg", b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "PNG": ("image/png", b"\x89PNG\r\n\x1a\n", (".png",)),
}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")
# Characters Windows and browsers treat specially in file names.
UNSAFE = re.compile(r'[\\/:*?"<>|]')


@dataclass(frozen=True)
class Upload:
    """A checked file, held in memory until it is stored."""

    display_name: str
    kind: str
    data: bytes

    @property
    def content_type(self):
        return KINDS[self.kind][0]

    @property
    def extension(self):
        return KINDS[self.kind][2][0]


def sniff(head):
    """The kind ("PDF", "JPG", "PNG") of content starting with ``head``, or None."""
    for kind, (_, magic, _) in KINDS.items():
        if head.startswith(magic):
            return kind
    return None


def previewable(attachment, data):
    """Whether the stored file's own bytes ``data`` are of the kind it was saved as (PDF, JPG or PNG): only then
    is it shown in the browser rather than downloaded."""
    kinds = [kind for kind, (mime, _, _) in KINDS.items() if mime == attachment.content_type]
    return bool(kinds) and sniff(data[:16]) == kinds[0]


def clean_display_name(name, fallback_extension=".pdf"):
    """A safe display name: no path, no control or reserved characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = UNSAFE.sub("_", name)
    name = " ".join(name.split()).lstrip(". ")
    stem, ext = os.path.splitext(name)
    if len(name) > 120:
        name = stem[:120 - len(ext)] + ext
    return name or f"附件{fallback_extension}"


def max_bytes():
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_files():
    return int(current_app.config.get("ATTACHMENT_MAX_FILES", DEFAULT_MAX_FILES))


def upload_rules():
    """The rules for uploads as the form states them, with the configured limits."""
    return (f"PDF、JPG或PNG格式，按文件内容识别类型；单个文件不超过{_megabytes(max_bytes())}，"
            f"每个申请最多{max_files()}个附件")


def _megabytes(size):
    return f"{size / 1024 / 1024:g} MB"


def check_file(filename, stream, limit=None):
    """Read and check one upload; return (Upload, None) or (None, Chinese message)."""
    limit = max_bytes() if limit is None else limit
    shown = clean_display_name(filename)
    data = stream.read(limit + 1)
    if len(data) > limit:
        return None, f"文件“{shown}”超过大小上限（{_megabytes(limit)}）"
    if not data:
        return None, f"文件“{shown}”为空"
    kind = sniff(data[:16])
    if kind is None:
        return None, f"文件“{shown}”不是PDF、JPG或PNG文件（按文件内容判断），未保存"
    extension = os.path.splitext(shown)[1].lower()
    if extension not in KINDS[kind][2]:
        return None, f"文件“{shown}”的扩展名与内容不符（内容为{kind}），请使用{KINDS[kind][2][0]}扩展名"
    return Upload(clean_display_name(filename, KINDS[kind][2][0]), kind, data), None


def check_files(files, already=0):
    """Check every non-empty upload in ``files`` (Werkzeug FileStorage); return (uploads, errors)."""
    uploads, errors = [], []
    files = [f for f in files or [] if f and getattr(f, "filename", "")]
    if already + len(files) > max_files():
        return [], [f"每个申请最多{max_files()}个附件"]
    for item in files:
        upload, error = check_file(item.filename, item.stream)
        if error:
            errors.append(error)
        else:
            uploads.append(upload)
    return uploads, errors


AREA = "attachments"


def _stored_name(attachment):
    # Re-checked on every use: it never comes from the user.
    if not STORED_NAME.match(attachment.stored_name):
        raise ValueError(f"bad stored name {attachment.stored_name!r}")
    return attachment.stored_name


def content_of(attachment):
    """The bytes of a kept attachment or photo, checked against its recorded checksum (whatever the backend)."""
    return storage.get(AREA, _stored_name(attachment), attachment.sha256)


def add_attachments(request, uploads, user):
    """Add rows for checked uploads to ``request`` and write their files; flush. Nothing is left on failure."""
    if not uploads:
        return []
    rows = [RequestAttachment(
        request=request, stored_name=secrets.token_hex(16) + upload.extension, display_name=upload.display_name,
        content_type=upload.content_type, size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest(),
        uploaded_by_id=getattr(user, "id", None)) for upload in uploads]
    db.session.add_all(rows)
    db.session.flush()
    write_files(rows, uploads)
    return rows


def write_files(rows, uploads):
    """Keep the files of flushed attachment rows (anything with a ``stored_name``); they go on rollback."""
    for row, upload in zip(rows, uploads):
        storage.put(AREA, _stored_name(row), upload.data)


def remove_attachment(attachment):
    """Delete an attachment's row; flush. Its file goes when the deletion is committed."""
    db.session.delete(attachment)
    db.session.flush()


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    # Whatever deleted the row (this module, or a cascade from a deleted enterprise), the file follows it.
    for obj in session.deleted:
        if isinstance(obj, (RequestAttachment, InspectionPhoto)):
            storage.remove(session, AREA, _stored_name(obj))


def _enterprise_of(attachment, conn):
    request = inspect(attachment).attrs.request.loaded_value
    if request is not NO_VALUE and request is not None:
        return request.enterprise_id
    return conn.execute(select(GradeRequest.enterprise_id)
                        .where(GradeRequest.id == attachment.request_id)).scalar()


audit.register(RequestAttachment, "attachment", "申请附件", _enterprise_of, lambda o: o.display_name)
