"""Progress pages of long jobs, and their downloads. Only the user who started a job (or an admin) sees it."""
from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from emergency.platform import jobs
from models import db

bp = Blueprint("jobs", __name__)


def start_job(kind, label, params):
    """Create, commit and start a job for the current user; return the redirect to its progress page."""
    job = jobs.submit(kind, label, params, current_user)
    db.session.commit()
    jobs.start(job.id)
    return redirect(url_for("jobs.show", job_id=job.id))


def _job_or_404(job_id):
    job = jobs.job_for(job_id, current_user)
    if job is None:
        abort(404)
    return job


@bp.route("/jobs/<job_id>")
@login_required
def show(job_id):
    job = _job_or_404(job_id)
    status = jobs.status_of(job)
    return render_template("jobs/show.html", job=job, status=status, label=jobs.STATUS_LABELS[status],
                           percent=jobs.percent(job), running=status in ("queued", "running"))


@bp.route("/jobs/<job_id>/download")
@login_required
def download(job_id):
    job = _job_or_404(job_id)
    if job.status != "done" or not job.path:
        abort(404)
    return send_file(jobs.output_source(job), as_attachment=True, download_name=job.filename)
