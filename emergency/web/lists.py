"""The reduction list: per-level lists, the quality check, stop/limit orders and Excel exports."""
import io

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from emergency.accounts.access import visible_enterprise
from emergency.baseline.seasons import season_in_force
from emergency.lists import exports
from emergency.lists.export_jobs import needs_job
from emergency.lists.orders import build_order
from emergency.lists.page import build_list_page
from emergency.lists.quality import run_checks
from emergency.publishing.notices import preview_official
from emergency.registry.operations import measure_types
from emergency.registry.queries import county_choices, grade_filter_choices, industry_choices
from emergency.web.decorators import roles_required
from emergency.web.downloads import send_download
from emergency.web.jobs import start_job
from emergency.web.paging import Page, kept_args, page_number
from emergency.web.scope import LEVEL, scope_county
from forms.base import options
from forms.lists import ListFilterForm
from models.user import STAFF

bp = Blueprint("lists", __name__)

FINDINGS_PER_PAGE = 200


def _county_choices():
    """County filter choices; county users have only their own, so the template hides the filter."""
    return county_choices(current_user, blank="全市" if current_user.is_citywide else None)


def _links(endpoint, page, pages, **values):
    """Prev/next URLs for a page, keeping the other query arguments."""
    kept = kept_args(request.args)
    kept.update(values)

    def link(number):
        return url_for(endpoint, page=number, **kept)

    return (link(page - 1) if page > 1 else None), (link(page + 1) if page < pages else None)


def _job_params(level, county):
    return {"level": level, "county_id": county.id if county else None}


@bp.route(f"/lists/{LEVEL}")
@roles_required(*STAFF)
def level_list(level):
    """The list of one level for the city or a county, paginated by enterprise; totals cover everything."""
    county, form, types = scope_county(), ListFilterForm(request.args), measure_types()
    form.county.choices = options(_county_choices())
    form.county.data = str(county.id) if county else ""
    form.industry.choices = options(industry_choices())
    form.grade.choices = options(grade_filter_choices())
    form.measure.choices = options([("", "全部")] + types.choices())
    per_page = form.per_page.data or current_app.config["ENTERPRISES_PER_PAGE"]
    filters = form.filters(types.codes)
    result = build_list_page(level, county, page_number(request.args), per_page, filters)
    prev_url, next_url = _links("lists.level_list", result.page, result.pages, level=level)
    return render_template("lists/list.html", level=level, county=county, result=result, form=form,
                           filters=filters, prev_url=prev_url, next_url=next_url, counties=_county_choices(),
                           season=season_in_force())


@bp.route(f"/lists/{LEVEL}/export.xlsx")
@roles_required(*STAFF)
def export_list(level):
    county, buffer = scope_county(), io.BytesIO()
    if needs_job(county):
        return start_job("export_list", f"导出{exports.list_filename(level, county)}", _job_params(level, county))
    exports.export_list(buffer, level, county)
    return send_download(buffer, exports.list_filename(level, county))


@bp.route(f"/lists/{LEVEL}/counties.zip")
@roles_required(*STAFF)
def export_counties(level):
    county, buffer = scope_county(), io.BytesIO()
    if needs_job(county):
        return start_job("export_counties", f"导出{exports.counties_filename(level, county)}",
                         _job_params(level, county))
    exports.export_counties(buffer, level, county)
    return send_download(buffer, exports.counties_filename(level, county), "application/zip")


@bp.route("/registry/export.xlsx")
@roles_required(*STAFF)
def export_registry():
    county, buffer = scope_county(), io.BytesIO()
    if needs_job(county):
        return start_job("export_registry", f"导出{exports.registry_filename(county)}", _job_params(None, county))
    exports.export_registry(buffer, county)
    return send_download(buffer, exports.registry_filename(county))


@bp.route(f"/lists/{LEVEL}/orders/<int:enterprise_id>")
@login_required
def order(level, enterprise_id):
    """A preview of the firm's order from the live registry (no 文号); enterprise users see only their own, county
    users their county's."""
    enterprise = visible_enterprise(enterprise_id, current_user)
    return render_template("lists/order.html", order=build_order(enterprise, level),
                           official=preview_official(enterprise.county))


@bp.route("/lists/check")
@roles_required(*STAFF)
def check():
    """The quality check for the user's scope, in list order."""
    county = scope_county()
    report = run_checks(county.id if county else None)
    pages = max((len(report.findings) + FINDINGS_PER_PAGE - 1) // FINDINGS_PER_PAGE, 1)
    number = min(page_number(request.args), pages)
    items = report.findings[(number - 1) * FINDINGS_PER_PAGE:number * FINDINGS_PER_PAGE]
    page = Page(items, number, pages, len(report.findings), *_links("lists.check", number, pages))
    return render_template("lists/check.html", report=report, page=page, county=county,
                           counties=_county_choices())
