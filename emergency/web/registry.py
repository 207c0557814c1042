"""The registry: enterprises, their lines and per-level measures."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from emergency.accounts.access import visible_enterprise
from emergency.lists.inputs import RuleInputs
from emergency.lists.listing import line_verdicts
from emergency.lists.page import REGISTRY_STATUSES, ListFilters, enterprises_matching
from emergency.registry import grades as grade_lists
from emergency.registry import operations as ops
from emergency.registry.operations import measure_types
from emergency.registry.queries import (
    county_choices,
    enterprise_query,
    grade_filter_choices,
    industry_choices,
    with_line_counts,
)
from emergency.web.conflicts import conflict_rows, report_conflict
from emergency.web.dashboard import index as dashboard_page
from emergency.web.decorators import roles_required
from emergency.web.paging import paginate
from forms.base import options
from forms.enterprise import EnterpriseForm, RegistryFilterForm
from forms.line import LineForm
from models import Enterprise, ProductionLine, db
from models.user import STAFF

bp = Blueprint("registry", __name__)


def back_to_check():
    """The quality check page a fix form was opened from (?next=), or None: only that page, never elsewhere."""
    target = request.args.get("next") or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path != url_for("lists.check") or "\\" in target:
        return None
    return target


def fault_marks():
    """The levels or fields a fix form marks as at fault (?fault=yellow,red or ?fault=credit_code)."""
    return set((request.args.get("fault") or "").split(",")) - {""}


def _form_page(template, **values):
    """An enterprise or line form, with the marks and the way back of a quality-check fix link."""
    return render_template(template, fault=fault_marks(), back=back_to_check(), **values)


def _to_enterprise(enterprise, message):
    """Flash ``message`` and go back to the quality check the form was opened from, else the enterprise's page."""
    flash(message, "success")
    return redirect(back_to_check() or url_for("registry.enterprise", enterprise_id=enterprise.id))


@bp.route("/")
@login_required
def home():
    if current_user.role == "enterprise":
        if current_user.enterprise_id:
            return redirect(url_for("dashboard.obligations"))
        return render_template("registry/no_enterprise.html")
    # Staff land on the dashboard, served at "/" itself.
    return dashboard_page()


@bp.route("/enterprises")
@login_required
def enterprises():
    if current_user.role == "enterprise":
        return redirect(url_for("registry.home"))
    form = RegistryFilterForm(request.args)
    form.county.choices = options(county_choices(current_user))
    form.industry.choices = options(industry_choices())
    form.grade.choices = options(grade_filter_choices())
    types = measure_types()
    form.measure.choices = options([("", "全部")] + types.choices())
    filters = {name: form[name].data for name in ("q", "county", "industry", "grade", "flag", "sort")}
    by_line = ListFilters(measure=form.measure.data if form.measure.data in types.by_code else "",
                          status=form.status.data if form.status.data in REGISTRY_STATUSES else "")
    if by_line.by_line:
        county_id = None if current_user.is_citywide else current_user.county_id
        filters["ids"] = enterprises_matching(county_id, by_line)
    page = paginate(enterprise_query(current_user, **filters), request.args, "registry.enterprises")
    page.items = with_line_counts([enterprise for (enterprise,) in page.items])
    return render_template("registry/list.html", form=form, page=page)


def _enterprise_form(existing=None):
    form = EnterpriseForm(obj=existing, existing=existing)
    form.county_id.choices = options(county_choices(current_user, blank="请选择"))
    form.industry_id.choices = options(industry_choices(blank="请选择"))
    form.category_code.choices = options([("", "请选择")] + grade_lists.category_choices())
    form.grade_code.choices = options([("", "（不填）")] + grade_lists.grade_choices())
    form.category_reason.choices = options([("", "（不填）")] + grade_lists.category_reason_choices())
    return form


@bp.route("/enterprises/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_enterprise():
    form = _enterprise_form()
    if current_user.role == "county" and request.method == "GET":
        form.county_id.data = current_user.county_id
    if form.validate_on_submit():
        enterprise = ops.create_enterprise(form.values())
        db.session.commit()
        return _to_enterprise(enterprise, f"已登记企业“{enterprise.name}”。")
    return _form_page("registry/enterprise_form.html", form=form, enterprise=None)


@bp.route("/enterprises/<int:enterprise_id>")
@login_required
def enterprise(enterprise_id):
    enterprise = visible_enterprise(enterprise_id, current_user)
    verdicts = line_verdicts(enterprise, RuleInputs.shared())
    return render_template("registry/enterprise.html", enterprise=enterprise, verdicts=verdicts,
                           can_edit=current_user.role in STAFF)


@bp.route("/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_enterprise(enterprise_id):
    enterprise = visible_enterprise(enterprise_id, current_user, edit=True)
    form = _enterprise_form(existing=enterprise)
    if form.validate_on_submit():
        try:
            ops.update_enterprise(enterprise, form.values(), form.version.data or None)
            db.session.commit()
        except (ops.ConflictError, StaleDataError):
            db.session.rollback()
            current = db.session.get(Enterprise, enterprise_id)
            stored = {name: getattr(current, name) for name in ops.ENTERPRISE_FIELDS}
            rows = report_conflict(form, current.version, conflict_rows(form, stored, ops.ENTERPRISE_FIELDS))
            return _form_page("registry/enterprise_form.html", form=form, enterprise=current,
                                   conflict=rows), 409
        return _to_enterprise(enterprise, "已保存。")
    return _form_page("registry/enterprise_form.html", form=form, enterprise=enterprise)


@bp.route("/enterprises/<int:enterprise_id>/delete", methods=["GET", "POST"])
@roles_required(*STAFF)
def delete_enterprise(enterprise_id):
    enterprise = visible_enterprise(enterprise_id, current_user, edit=True)
    if request.method == "POST":
        name = enterprise.name
        ops.delete_enterprise(enterprise)
        db.session.commit()
        flash(f"已删除企业“{name}”及其生产线。", "success")
        return redirect(url_for("registry.enterprises"))
    return render_template("registry/confirm_delete.html", enterprise=enterprise, line=None)


def _editable_line(enterprise_id, line_id):
    """(enterprise, line) for a line the user may edit; 404 for a line of another enterprise."""
    enterprise = visible_enterprise(enterprise_id, current_user, edit=True)
    line = db.session.get(ProductionLine, line_id)
    if line is None or line.enterprise_id != enterprise.id:
        abort(404)
    return enterprise, line


def _line_form(enterprise, line=None):
    form = LineForm(obj=line, enterprise=enterprise, existing=line)
    if line is not None and request.method == "GET":
        for level in LineForm.LEVEL_FIELDS:
            measure = line.measure_for(level)
            if measure is not None:
                form[level].form.process(obj=measure)
    return form


def line_conflict_rows(form, line):
    """Differences in the line's own fields and in each level's measure."""
    rows = conflict_rows(form, {name: getattr(line, name) for name in ops.LINE_FIELDS}, ops.LINE_FIELDS)
    for level in LineForm.LEVEL_FIELDS:
        measure = line.measure_for(level)
        stored = {name: getattr(measure, name) if measure else None for name in ops.MEASURE_FIELDS}
        rows += [(f"{form[level].label.text}：{label}", mine, theirs)
                 for label, mine, theirs in conflict_rows(form[level], stored, ops.MEASURE_FIELDS)]
    return rows


@bp.route("/enterprises/<int:enterprise_id>/lines/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_line(enterprise_id):
    enterprise = visible_enterprise(enterprise_id, current_user, edit=True)
    form = _line_form(enterprise)
    if form.validate_on_submit():
        line = ops.save_line(enterprise, form.values(), form.measures())
        db.session.commit()
        return _to_enterprise(enterprise, f"已添加生产线“{line.name}”。")
    return _form_page("registry/line_form.html", form=form, enterprise=enterprise, line=None)


@bp.route("/enterprises/<int:enterprise_id>/lines/<int:line_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_line(enterprise_id, line_id):
    enterprise, line = _editable_line(enterprise_id, line_id)
    form = _line_form(enterprise, line)
    if form.validate_on_submit():
        try:
            ops.save_line(enterprise, form.values(), form.measures(), line=line,
                          expected_version=form.version.data or None)
            db.session.commit()
        except (ops.ConflictError, StaleDataError):
            db.session.rollback()
            current = db.session.get(ProductionLine, line_id)
            rows = report_conflict(form, current.version, line_conflict_rows(form, current))
            return _form_page("registry/line_form.html", form=form, enterprise=enterprise, line=current,
                                   conflict=rows), 409
        return _to_enterprise(enterprise, "生产线已保存。")
    return _form_page("registry/line_form.html", form=form, enterprise=enterprise, line=line)


@bp.route("/enterprises/<int:enterprise_id>/lines/<int:line_id>/delete", methods=["GET", "POST"])
@roles_required(*STAFF)
def delete_line(enterprise_id, line_id):
    enterprise, line = _editable_line(enterprise_id, line_id)
    if request.method == "POST":
        ops.delete_line(line)
        db.session.commit()
        return _to_enterprise(enterprise, f"已删除生产线“{line.name}”。")
    return render_template("registry/confirm_delete.html", enterprise=enterprise, line=line)
