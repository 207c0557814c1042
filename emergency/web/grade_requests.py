"""Grade-change requests: the enterprise applies, the county reviews, the city decides; city downgrades."""
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from emergency.accounts.access import visible_enterprise
from emergency.clock import local_today
from emergency.errors import DomainError
from emergency.grading import attachments, workflow
from emergency.grading import history as grade_changes
from emergency.grading.in_effect import approved_grade_note
from emergency.grading.queries import STATE_FILTERS, request_attachment, request_list, visible_request
from emergency.registry.queries import county_choices
from emergency.web.decorators import roles_required
from emergency.web.paging import paginate
from forms.base import options
from forms.request import CityReviewForm, CountyReviewForm, DowngradeForm, GradeRequestForm, RequestFilterForm
from models import db
from models.user import CITYWIDE

PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'"
bp = Blueprint("requests", __name__)


def _own_enterprise():
    if not current_user.enterprise_id:
        abort(404)
    return visible_enterprise(current_user.enterprise_id, current_user)


def _flash_refusal(error):
    flash("；".join(m for m in error.errors.values() if m), "danger")


@bp.route("/requests")
@login_required
def index():
    state = request.args.get("state", "" if current_user.role == "enterprise" else "todo")
    form = RequestFilterForm(request.args, state=state)
    form.state.choices = options(STATE_FILTERS)
    form.county.choices = options(county_choices(current_user))
    page = paginate(request_list(current_user, state, form.county.data, form.q.data), request.args,
                    "requests.index", per_page=50)
    return render_template("requests/list.html", form=form, page=page)


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required("enterprise")
def new():
    enterprise = _own_enterprise()
    form = GradeRequestForm(enterprise=enterprise)
    form.target.choices = options(workflow.requestable_choices(enterprise))
    if form.validate_on_submit():
        submit = "submit" in request.form
        req = _save(form, enterprise, None, submit)
        if req is not None:
            flash(f"已{'提交' if submit else '保存'}第{req.id}号申请。", "success")
            return redirect(url_for("requests.detail", request_id=req.id))
    return render_template("requests/form.html", form=form, enterprise=enterprise, req=None)


def _save(form, enterprise, req, submit):
    """Save (and maybe submit) the request; on a refusal found only now, show it on the form."""
    try:
        req = workflow.save_request(enterprise, form.values(), form.uploads, current_user, req=req, submit=submit)
    except DomainError as error:
        db.session.rollback()
        for message in error.errors.values():
            form.target.errors = list(form.target.errors) + [message]
        return None
    db.session.commit()
    return req


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@roles_required("enterprise")
def edit(request_id):
    req = visible_request(request_id, current_user)
    if not workflow.can_edit(req, current_user):
        flash(f"“{req.state_label}”状态的申请不能修改。", "danger")
        return redirect(url_for("requests.detail", request_id=req.id))
    form = GradeRequestForm(obj=req, enterprise=req.enterprise, existing=req)
    form.target.choices = options(workflow.requestable_choices(req.enterprise))
    if request.method == "GET":
        form.target.data = grade_changes.target_value(req.target_category_code, req.target_grade_code)
    if form.validate_on_submit():
        submit = "submit" in request.form
        if _save(form, req.enterprise, req, submit) is not None:
            flash("申请已提交。" if submit else "已保存。", "success")
            return redirect(url_for("requests.detail", request_id=req.id))
    return render_template("requests/form.html", form=form, enterprise=req.enterprise, req=req)


def _review_forms(req, county_form=None, city_form=None):
    """The decision forms the current user may use on ``req`` now (None where not)."""
    actions = workflow.allowed_actions(req, current_user)
    if county_form is None and "county_pass" in actions:
        county_form = CountyReviewForm(formdata=None, version=req.version)
    if city_form is None and "approve" in actions:
        city_form = CityReviewForm(formdata=None, version=req.version, effective_date=local_today())
    return {"county_form": county_form if "county_pass" in actions else None,
            "city_form": city_form if "approve" in actions else None}


def _detail(req, status=200, **forms):
    return render_template("requests/detail.html", req=req, actions=workflow.allowed_actions(req, current_user),
                           in_effect=approved_grade_note(req),
                           can_edit=workflow.can_edit(req, current_user), **_review_forms(req, **forms)), status


@bp.route("/requests/<int:request_id>")
@login_required
def detail(request_id):
    req = visible_request(request_id, current_user)
    if req.unseen_decision and current_user.role == "enterprise":
        workflow.mark_seen(req, current_user)
        db.session.commit()
    return _detail(req)


def _act(req, operation, done, *args, **kwargs):
    """Run one workflow operation, commit and flash ``done``; on refusal roll back and say why. Either way, back
    to the request's page."""
    back = redirect(url_for("requests.detail", request_id=req.id))
    try:
        operation(req, current_user, *args, **kwargs)
    except DomainError as error:
        db.session.rollback()
        _flash_refusal(error)
    else:
        db.session.commit()
        flash(done, "success")
    return back


@bp.route("/requests/<int:request_id>/submit", methods=["POST"])
@roles_required("enterprise")
def submit(request_id):
    req = visible_request(request_id, current_user)
    return _act(req, workflow.submit_request, f"第{req.id}号申请已提交，等待县级审核。")


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@roles_required("enterprise")
def withdraw(request_id):
    req = visible_request(request_id, current_user)
    return _act(req, workflow.withdraw, f"第{req.id}号申请已撤回。",
                expected_version=request.form.get("version", type=int))


@bp.route("/requests/<int:request_id>/county-review", methods=["POST"])
@roles_required("county")
def county_review(request_id):
    req = visible_request(request_id, current_user)
    form = CountyReviewForm()
    if not form.validate_on_submit():
        return _detail(req, county_form=form)
    return _act(req, workflow.county_review, "已审核。", form.decision.data, form.note.data, form.version.data)


@bp.route("/requests/<int:request_id>/city-review", methods=["POST"])
@roles_required(*CITYWIDE)
def city_review(request_id):
    req = visible_request(request_id, current_user)
    form = CityReviewForm()
    if not form.validate_on_submit():
        return _detail(req, city_form=form)
    return _act(req, workflow.city_decide, "已审批。", form.decision.data, form.note.data,
                form.effective_date.data, form.version.data)


@bp.route("/requests/<int:request_id>/attachments/<int:attachment_id>")
@login_required
def attachment(request_id, attachment_id):
    req = visible_request(request_id, current_user)
    item = request_attachment(req, attachment_id)
    data = attachments.content_of(item)
    inline = request.args.get("inline") == "1" and attachments.previewable(item, data)
    response = send_file(io.BytesIO(data), mimetype=item.content_type, as_attachment=not inline,
                         download_name=item.display_name, max_age=0)
    if inline:     # shown in the browser, sandboxed: no script, no forms, no requests of its own
        response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/requests/<int:request_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@roles_required("enterprise")
def delete_attachment(request_id, attachment_id):
    req = visible_request(request_id, current_user)
    item = request_attachment(req, attachment_id)
    return _act(req, workflow.remove_attachment, f"已删除附件“{item.display_name}”。", item)


@bp.route("/enterprises/<int:enterprise_id>/downgrade", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def downgrade(enterprise_id):
    enterprise = visible_enterprise(enterprise_id, current_user, edit=True)
    form = DowngradeForm(enterprise=enterprise, effective_date=local_today())
    form.target.choices = options(grade_changes.target_choices(enterprise, downgrades_only=True))
    if form.validate_on_submit():
        values = {name: form[name].data for name in ("reason_code", "reason", "effective_date")}
        entry = grade_changes.downgrade(enterprise, *grade_changes.parse_target(form.target.data), **values,
                                        user=current_user)
        db.session.commit()
        flash(f"已将“{enterprise.name}”调整为“{entry.new_label}”（{entry.status_label}）。", "success")
        return redirect(url_for("registry.enterprise", enterprise_id=enterprise.id))
    return render_template("requests/downgrade.html", form=form, enterprise=enterprise)
