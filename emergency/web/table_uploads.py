"""The upload, preview and confirmation of a small reference table's workbook (measure floors, the baseline).

The preview is the dry run; the confirmation names the stored upload by its token and SHA-256 and commits it
again through the same check, all or nothing (as the registry import does, ``emergency.web.imports``).
"""
import hashlib

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from emergency.audit.trail import set_request_source
from emergency.importing import uploads
from emergency.web.imports import upload_name
from forms.importing import CommitForm
from models import db

PREVIEW = "imports/table_preview.html"


def preview(form, inspect, page, template=PREVIEW):
    """Check the uploaded file of a valid ``form``; render the report with a confirmation form when it is clean.

    :param page: {"title", "commit", "upload", "back", "back_label"}: what the preview page names and links.
    """
    storage = form.file.data
    filename = upload_name(storage)
    data = storage.read()
    report, _ = inspect(data, filename)
    commit_form = None
    if report.clean and report.writes:
        token = uploads.save(data, filename, current_user.id)
        commit_form = CommitForm(data={"token": token, "sha256": hashlib.sha256(data).hexdigest()})
    return render_template(template, report=report, form=commit_form, page=page), 200 if report.clean else 400


def commit(commit_file, page, template=PREVIEW):
    """Commit the upload a preview named; redirect to ``page["back"]`` with the counts, or show why it failed."""
    form = CommitForm()
    stored = uploads.load(form.token.data, current_user.id, form.sha256.data) if form.validate() else None
    if stored is None:
        flash("检查过的文件已失效或不属于您，请重新上传。未导入任何数据。", "danger")
        return redirect(url_for(page["upload"]))
    data, meta = stored
    set_request_source(f"import:{meta['filename']}")
    report = commit_file(data, meta["filename"], current_user.username)
    if not report.committed:
        db.session.rollback()
        return render_template(template, report=report, form=None, page=page), 409
    db.session.commit()
    uploads.discard(form.token.data)
    flash(f"已导入“{report.filename}”：{report.counts()}。", "success")
    return redirect(url_for(page["back"]))
