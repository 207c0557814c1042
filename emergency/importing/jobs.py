"""Large imports run as jobs: the choice, and the runner that re-reads, re-checks and commits the stored upload.

The commit request claims the previewed upload (so one confirmation cannot start two imports); the job then
works in two stages that its page shows in turn: checking the rows, then, from the first chunk written on,
checking and writing them. With SQLite the import's transaction holds the database's only write lock from its
first write to its commit, so the writing stage is reported at its start and when committed, not in between (a
progress write from another connection would have to wait for that lock).
"""
from flask import current_app, has_request_context

from emergency.audit.trail import acting_as, set_request_source
from emergency.importing import uploads
from emergency.importing.pipeline import commit_file
from emergency.platform.job_lifecycle import check_room
from emergency.platform.jobs import runner
from models import db

STAGES = {"check": "第 1 步（共 2 步）：检查", "write": "第 2 步（共 2 步）：写入"}


class ImportFailed(Exception):
    """Nothing was imported; ``user_message`` says why, in Chinese, on the job's page."""

    def __init__(self, message):
        super().__init__(message)
        self.user_message = message


def needs_job(rows):
    """Imports of more data rows than the export threshold (about two seconds of work) run as jobs."""
    return rows > current_app.config.get("JOB_THRESHOLD_ROWS", 10000)


def claim_large(token, sha256, user, county_id):
    """For a previewed upload too large to commit within the request, claim it and return the job's
    (label, params); None when it is small (or missing, foreign or altered: the request then says so)."""
    stored = uploads.load(token, user.id, sha256)
    if stored is None or not needs_job(stored[1].get("rows", 0)):
        return None
    check_room(user)         # before the claim, so a refused confirmation can be sent again
    claimed = uploads.claim(token, user.id, sha256)
    if claimed is None:
        return None
    new_token, meta = claimed
    return label(meta), params(new_token, meta, user, county_id)


def short_name(filename, limit=60):
    """A file name short enough for the job's label and download name (a name may have 255 characters)."""
    return filename if len(filename) <= limit else filename[:limit - 1] + "…"


def label(meta):
    return f"导入“{short_name(meta['filename'])}”"


def params(token, meta, user, county_id):
    return {"token": token, "sha256": meta["sha256"], "user_id": user.id, "username": user.username,
            "county_id": county_id}


def summary(report):
    """The job's result: created / updated / unchanged per kind."""
    counts = "；".join(f"{kind}新增 {c}、修改 {u}、不变 {n}" for kind, c, u, n in report.table())
    return f"已导入“{short_name(report.filename)}”（导入批次 {report.batch_id}）：{counts}。"


def refusal(report):
    if report.conflicts and not report.problems:
        return report.conflict_message
    shown = "；".join(p.as_text() for p in report.problems[:3]) or report.file_error
    count = f"（共 {len(report.problems)} 项）" if report.problems else ""
    return f"文件有问题{count}，未导入任何数据：{shown}"[:440] + "。请修改后重新上传预览。"


class Stages:
    """Adapts the import's ``progress(stage, done, total)`` to a job's progress, one titled stage at a time."""

    def __init__(self, progress, title, live_writes):
        self.progress, self.title, self.live_writes = progress, title, live_writes
        self.stage, self.total = None, 0

    def __call__(self, stage, done, total):
        if stage == "check" and self.stage == "write":
            # Checking goes on between the chunks written; the page stays on the writing stage (with SQLite the
            # import holds the write lock from its first chunk, so a progress write would wait for the commit).
            return
        live = stage == "check" or self.live_writes
        if stage != self.stage:
            self.stage, self.total = stage, total
            # Without live counts the page shows the stage alone, not a bar standing at zero.
            self.progress.stage(f"{self.title} — {STAGES[stage]}", total if live else 0)
        elif live:
            self.progress(done, total)

    def finish(self):
        """After the commit: the job's own title again, and every row done."""
        self.progress.stage(self.title, self.total)
        self.progress(self.total, self.total)


def stored_upload(params, message):
    """(bytes, meta) of the upload a job's ``params`` name; ImportFailed(``message``) when it is gone."""
    stored = uploads.load(params["token"], params["user_id"], params["sha256"])
    if stored is None:
        raise ImportFailed(message)
    return stored


@runner("import")
def run_import(params, progress, out):
    """Re-read the claimed upload, re-check it against the database as it is now, and commit it whole."""
    data, meta = stored_upload(params, "上传的文件已失效，未导入任何数据。请重新上传。")
    source = f"import:{meta['filename']}"
    stages = Stages(progress, label(meta), db.engine.dialect.name != "sqlite")
    try:
        with acting_as(params["username"], source, params["user_id"]):
            if has_request_context():     # JOBS_SYNC runs the job inside the request
                set_request_source(source)
            report = commit_file(data, meta["filename"], params["user_id"], params["username"], "web",
                                 params["county_id"], stages, meta.get("seen"))
            if not report.committed:
                db.session.rollback()
                raise ImportFailed(refusal(report))
            db.session.commit()
    finally:
        uploads.discard(params["token"])
    stages.finish()
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(report.lines()) + "\n")
    return f"导入结果_{short_name(meta['filename'])}.txt", summary(report)
