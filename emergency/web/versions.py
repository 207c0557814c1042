"""Published list versions: publish, browse, export (same workbook as the live list) and compare."""
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from emergency.lists.export_jobs import version_needs_job
from emergency.publishing.compare import compare_filename, compare_versions, write_comparison
from emergency.publishing.versions import (
    all_versions,
    export_version,
    get_version,
    publish_errors,
    publish_version,
    version_filename,
    version_totals,
)
from emergency.web.decorators import roles_required
from emergency.web.downloads import send_download
from emergency.web.jobs import start_job
from emergency.web.refusals import run
from emergency.web.scope import LEVEL, scope_county
from forms.base import options
from forms.version import CompareForm, PublishForm
from models.user import CITYWIDE, STAFF

bp = Blueprint("versions", __name__)

CHANGES_SHOWN = 500


def _compare_form(versions):
    form = CompareForm(request.args, version_ids=[v.id for v in versions])
    choices = options([("", "请选择")] + [(v.id, v.name) for v in versions])
    form.old.choices, form.new.choices = choices, list(choices)
    return form


@bp.route("/versions")
@roles_required(*STAFF)
def index():
    """Every published version with who published it and when."""
    versions = all_versions()
    return render_template("versions/index.html", versions=versions, compare=_compare_form(versions))


@bp.route("/versions/new", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def publish():
    """Freeze the list of all three levels as a named version."""
    form = PublishForm()
    if form.validate_on_submit():
        version = run(form, publish_version, form.name.data, form.note.data, current_user, form.override_reason.data)
        if version is not None:
            forced = f"清单存在{version.errors}项错误，已按所填理由强制发布。" if version.override_reason else ""
            flash(f"已发布清单版本“{version.name}”：{version.enterprises} 家企业，{version.lines} 条生产线。{forced}",
                  "success")
            return redirect(url_for("versions.detail", version_id=version.id))
    return render_template("versions/new.html", form=form, errors=publish_errors())


@bp.route("/versions/<int:version_id>")
@roles_required(*STAFF)
def detail(version_id):
    version, county = get_version(version_id), scope_county()
    totals = version_totals(version, county.id if county else None)
    return render_template("versions/detail.html", version=version, county=county, totals=totals,
                           compare=_compare_form(all_versions()))


@bp.route(f"/versions/<int:version_id>/{LEVEL}/export.xlsx")
@roles_required(*STAFF)
def export(version_id, level):
    """The version's list workbook of one level; county users get only their county's part."""
    version, county, buffer = get_version(version_id), scope_county(), io.BytesIO()
    if version_needs_job(version, level, county):
        return start_job("export_version", f"导出{version_filename(version, level, county)}",
                         {"version_id": version.id, "level": level, "county_id": county.id if county else None})
    export_version(buffer, version, level, county)
    return send_download(buffer, version_filename(version, level, county))


def _comparison():
    """(form, comparison or None) from ?old=&new=, scoped to the county user's county."""
    versions = all_versions()
    form, county = _compare_form(versions), scope_county()
    if not ({"old", "new"} & request.args.keys()) or not form.validate():
        return form, county, None
    old, new = get_version(form.old.data), get_version(form.new.data)
    return form, county, compare_versions(old, new, county.id if county else None)


@bp.route("/versions/compare")
@roles_required(*STAFF)
def compare():
    form, county, comparison = _comparison()
    return render_template("versions/compare.html", form=form, county=county, comparison=comparison,
                           shown=CHANGES_SHOWN)


@bp.route("/versions/compare.xlsx")
@roles_required(*STAFF)
def compare_export():
    form, county, comparison = _comparison()
    if comparison is None:
        abort(400)
    buffer = io.BytesIO()
    write_comparison(buffer, comparison, county)
    return send_download(buffer, compare_filename(comparison, county))
