"""Previews of large uploads run as jobs: the request stores the file and starts the job; the job reads and checks
it and writes the report; the preview page then shows that report with the usual confirmation.

A preview of a file larger than ``preview_job_bytes`` (seed/data/server_limits.csv) never runs inside the
request, so a slow or large file holds no web worker while it is read and checked.
"""
import hashlib
import json

from emergency.importing import uploads
from emergency.importing.jobs import short_name, stored_upload
from emergency.importing.pipeline import drop, inspect_file
from emergency.importing.report import report_from_json, report_to_json
from emergency.limits import limit
from emergency.platform import jobs
from emergency.platform.job_lifecycle import check_room
from emergency.platform.jobs import runner

TITLE = "预览“{}”"


def needs_job(size):
    return size > limit("preview_job_bytes")


def stash(data, filename, user, county_id):
    """Store an upload for a preview job; return the job's (label, params). Raises Busy when no job may start."""
    check_room(user)
    token = uploads.save(data, filename, user.id)
    params = {"token": token, "sha256": hashlib.sha256(data).hexdigest(), "user_id": user.id,
              "county_id": county_id}
    return TITLE.format(short_name(filename)), params


@runner("import_preview")
def run_preview(params, progress, out):
    """Read and check the stored upload; write the report. A file with problems is not kept for a commit."""
    data, meta = stored_upload(params, "上传的文件已失效，请重新上传。")
    report, _ = inspect_file(data, meta["filename"], params["county_id"],
                             lambda stage, done, total: progress(done, total), write=drop)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(report_to_json(report))
    if report.clean:
        uploads.set_rows(params["token"], report.rows, report.seen)
    else:
        uploads.discard(params["token"])
    found = f"发现问题 {len(report.problems)} 项" if report.problems else report.file_error or "检查通过"
    return "导入预览.json", f"已检查 {report.rows} 行：{found}。"


def preview_of(job_id, user):
    """(Report, token or None) of a finished preview job of ``user``; None when there is none."""
    job = jobs.job_for(job_id, user)
    if job is None or job.kind != "import_preview" or job.status != "done" or not job.path:
        return None
    try:
        report = report_from_json(jobs.read_output(job).decode("utf-8"))
    except (OSError, ValueError, TypeError):
        return None
    params = json.loads(job.params)
    kept = report.clean and uploads.load(params["token"], user.id, params["sha256"]) is not None
    return report, params["token"] if kept else None
