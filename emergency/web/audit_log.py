"""The audit log page: read-only, for admins and city staff. There are deliberately no write routes."""
from flask import Blueprint, render_template, request

from emergency.audit.view import audit_query, readable, type_choices
from emergency.web.decorators import roles_required
from emergency.web.paging import paginate
from forms.base import options
from forms.request import AuditFilterForm
from models.user import CITYWIDE

bp = Blueprint("audit", __name__)
PER_PAGE = 50


@bp.route("/audit")
@roles_required(*CITYWIDE)
def index():
    form = AuditFilterForm(request.args)
    form.type.choices = options(type_choices())
    # A malformed date is shown next to its field and left out of the filter (its data is None).
    if request.args:
        form.validate()
    stmt = audit_query(enterprise=form.enterprise.data, user=form.user.data, entity_type=form.type.data,
                       date_from=form.date_from.data, date_to=form.date_to.data)
    page = paginate(stmt, request.args, "audit.index", per_page=PER_PAGE)
    return render_template("audit/index.html", form=form, page=page, entries=readable(page.items))
