"""Inspections (现场检查) during an alert, the downgrade proposals they raise, and the positive list (正面清单).

Staff record inspections of the firms they may see (county staff: their county's); the city decides the
proposals through the downgrade form and keeps the positive list.
"""
import io

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from emergency.accounts.access import visible_enterprise
from emergency.clock import local_now, local_today
from emergency.grading import attachments
from emergency.grading import history as grade_changes
from emergency.publishing.alerts import local_to_utc, visible_alert
from emergency.supervision import inspections as visits
from emergency.supervision import positive
from emergency.web import refusals
from emergency.web.decorators import roles_required
from forms.base import options
from forms.request import DowngradeForm
from forms.supervision import InspectionForm, PositiveForm
from models.user import CITYWIDE, STAFF

bp = Blueprint("inspections", __name__, url_prefix="/supervision")
FIRM = "/alerts/<int:alert_id>/enterprises/<int:enterprise_id>/inspections"


def _visit_values(form):
    return {"visited_at": local_to_utc(form.visited_at.data), "inspectors": form.inspectors.data,
            "finding": form.finding.data, "note": form.note.data}


@bp.route(FIRM + "/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new(alert_id, enterprise_id):
    alert = visible_alert(alert_id, current_user)
    enterprise = visible_enterprise(enterprise_id, current_user, edit=True)
    form = InspectionForm(visited_at=local_now().replace(tzinfo=None, second=0, microsecond=0))
    if form.validate_on_submit():
        done = refusals.run(form, visits.record_inspection, enterprise, alert, _visit_values(form), form.uploads,
                            current_user)
        if done is not None:
            flash("已记录现场检查" + ("，并已向市局提出降级建议。" if done.proposal else "。"), "success")
            return redirect(url_for(".for_firm", alert_id=alert.id, enterprise_id=enterprise.id))
    return render_template("supervision/inspection_form.html", form=form, alert=alert,
                           enterprise=enterprise), 400 if form.errors else 200


@bp.route(FIRM)
@roles_required(*STAFF)
def for_firm(alert_id, enterprise_id):
    alert = visible_alert(alert_id, current_user)
    enterprise = visible_enterprise(enterprise_id, current_user)
    return render_template("supervision/inspections.html", alert=alert, enterprise=enterprise,
                           inspections=visits.inspections_of(enterprise.id, alert.id))


@bp.route("/inspections/<int:inspection_id>/photos/<int:photo_id>")
@roles_required(*STAFF)
def photo(inspection_id, photo_id):
    item = visits.inspection_photo(visits.visible_inspection(inspection_id, current_user), photo_id)
    response = send_file(io.BytesIO(attachments.content_of(item)), mimetype=item.content_type, as_attachment=True,
                         download_name=item.display_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/proposals")
@roles_required(*CITYWIDE)
def proposals():
    return render_template("supervision/proposals.html", inspections=visits.open_proposals())


@bp.route("/inspections/<int:inspection_id>/decide", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def decide(inspection_id):
    """Approve a proposal through the downgrade form (ground 未落实应急减排措施), or see why it cannot be."""
    inspection = visits.visible_inspection(inspection_id, current_user)
    enterprise = inspection.enterprise
    form = DowngradeForm(enterprise=enterprise, effective_date=local_today(), reason_code=visits.NOT_IMPLEMENTED,
                         reason=visits.proposal_reason(inspection))
    form.target.choices = options(grade_changes.target_choices(enterprise, downgrades_only=True))
    if inspection.proposal == "open" and form.validate_on_submit():
        entry = refusals.run(form, visits.approve_proposal, inspection,
                             *grade_changes.parse_target(form.target.data), form.effective_date.data,
                             current_user, form.reason.data)
        if entry is not None:
            flash(f"已将“{enterprise.name}”调整为“{entry.new_label}”（{entry.status_label}）。", "success")
            return redirect(url_for(".proposals"))
    return render_template("supervision/decide.html", form=form, inspection=inspection,
                           enterprise=enterprise), 400 if form.errors else 200


@bp.route("/inspections/<int:inspection_id>/reject", methods=["POST"])
@roles_required(*CITYWIDE)
def reject(inspection_id):
    inspection = visits.visible_inspection(inspection_id, current_user)
    if refusals.run(None, visits.reject_proposal, inspection, current_user) is not None:
        flash(f"已决定对“{inspection.enterprise.name}”不予降级。", "success")
    return redirect(url_for(".proposals"))


@bp.route("/positive", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def positive_list():
    form = PositiveForm(added_on=local_today())
    if form.validate_on_submit():
        entry = refusals.run(form, positive.save_entry, form.values(), current_user)
        if entry is not None:
            flash(f"已将“{entry.enterprise.name}”列入正面清单。", "success")
            return redirect(url_for(".positive_list"))
    return render_template("supervision/positive.html", form=form, entries=positive.all_entries(),
                           today=local_today()), 400 if form.errors else 200


@bp.route("/positive/<int:entry_id>/remove", methods=["POST"])
@roles_required(*CITYWIDE)
def remove_positive(entry_id):
    refusals.run(None, positive.remove_entry, entry_id)
    flash("已移出正面清单。", "success")
    return redirect(url_for(".positive_list"))
