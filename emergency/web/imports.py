"""Import the registry from a spreadsheet: upload and preview (dry run), commit, template and history."""
import io
import os
import unicodedata

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from emergency.importing import jobs as import_jobs
from emergency.importing import preview_jobs, uploads
from emergency.importing.template import TEMPLATE_FILENAME, write_import_template
from emergency.web.decorators import roles_required
from emergency.web.downloads import send_download
from emergency.web.jobs import start_job
from forms.importing import CommitForm, UploadForm
from models import ImportBatch, db
from models.user import STAFF

bp = Blueprint("imports", __name__)
PROBLEMS_SHOWN = 1000
HISTORY_SHOWN = 100


def _scope():
    """County staff import only their own county's rows; city staff and admins the whole city."""
    return None if current_user.is_citywide else current_user.county_id


def _preview(report, token=None, status=200):
    form = CommitForm(data={"token": token, "sha256": report.sha256}) if token else None
    return render_template("imports/preview.html", report=report, form=form, as_job=import_jobs.needs_job(report.rows),
                           problems=report.problems[:PROBLEMS_SHOWN], limit=_limit_mb()), status


def upload_name(storage):
    """An uploaded file's own name, without its client-side folders."""
    filename = os.path.basename((storage.filename or "").replace("\\", "/"))
    # Control characters (NUL above all: PostgreSQL cannot store it) never belong in a name.
    return "".join(ch for ch in filename if unicodedata.category(ch) != "Cc") or "未命名"


def _limit_mb():
    config = current_app.config
    return (config.get("IMPORT_MAX_BYTES") or config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024) // 1024 // 1024


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        data, name = storage.read(), upload_name(storage)
        if preview_jobs.needs_job(len(data)):     # a large file is read and checked by a job, never here
            return start_job("import_preview", *preview_jobs.stash(data, name, current_user, _scope()))
        report, token = uploads.preview(data, name, current_user.id, _scope())
        if not report.file_error:
            return _preview(report, token)
        form.file.errors = [report.file_error]
    status = 400 if form.errors else 200
    return render_template("imports/upload.html", form=form, limit=_limit_mb()), status


@bp.route("/import/preview/<preview_id>")
@roles_required(*STAFF)
def preview_result(preview_id):
    found = preview_jobs.preview_of(preview_id, current_user)
    if found is None:
        abort(404)
    report, token = found
    if report.file_error:
        form = UploadForm()
        form.file.errors = [report.file_error]
        return render_template("imports/upload.html", form=form, limit=_limit_mb()), 400
    return _preview(report, token)


@bp.route("/import/commit", methods=["POST"])
@roles_required(*STAFF)
def commit():
    form = CommitForm()
    report = None
    if form.validate():
        job = import_jobs.claim_large(form.token.data, form.sha256.data, current_user, _scope())
        if job is not None:     # a large file is checked and written by a job with a progress page
            return start_job("import", *job)
        report = uploads.commit(form.token.data, form.sha256.data, current_user, _scope())
    if report is None:
        flash("预览的文件已失效或不属于您，请重新上传。未导入任何数据。", "danger")
        return redirect(url_for("imports.upload"))
    if not report.committed:
        db.session.rollback()
        return _preview(report, status=409)
    db.session.commit()
    uploads.discard(form.token.data)
    flash(f"已导入“{report.filename}”：" + "；".join(
        f"{label}新增 {c}、修改 {u}、不变 {n}" for label, c, u, n in report.table()) + "。", "success")
    return redirect(url_for("imports.history"))


@bp.route("/import/template.xlsx")
@roles_required(*STAFF)
def template():
    buffer = io.BytesIO()
    write_import_template(buffer)
    return send_download(buffer, TEMPLATE_FILENAME)


@bp.route("/import/history")
@roles_required(*STAFF)
def history():
    query = db.session.query(ImportBatch).order_by(ImportBatch.at.desc(), ImportBatch.id.desc())
    if not current_user.is_citywide:
        query = query.filter(ImportBatch.county_id == current_user.county_id)
    return render_template("imports/history.html", batches=query.limit(HISTORY_SHOWN).all())
