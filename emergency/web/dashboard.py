"""Home pages: the staff dashboard and the enterprise's obligations (with its printable order)."""
from flask import Blueprint, render_template
from flask_login import current_user

from emergency.dashboard.figures import build_dashboard
from emergency.lists.obligations import obligation_order, obligations_for
from emergency.staggering.notices import enterprise_notices
from emergency.web.decorators import roles_required
from emergency.web.scope import LEVEL, scope_county
from models import Enterprise, db
from models.user import STAFF

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@roles_required(*STAFF)
def index():
    """Counts, charts, requests, the running alerts and the quality errors of the viewer's scope."""
    county = scope_county()
    dashboard = build_dashboard(current_user, county.id if county else None)
    return render_template("dashboard/index.html", dashboard=dashboard, county=county)


def _own_enterprise():
    return db.session.get(Enterprise, current_user.enterprise_id) if current_user.enterprise_id else None


@bp.route("/obligations")
@roles_required("enterprise")
def obligations():
    """The enterprise's own obligations: the running alert's measures, or all three levels."""
    enterprise = _own_enterprise()
    if enterprise is None:
        return render_template("registry/no_enterprise.html")
    return render_template("dashboard/obligations.html", result=obligations_for(enterprise),
                           stagger_notices=enterprise_notices(enterprise.id))


@bp.route(f"/obligations/order/{LEVEL}")
@roles_required("enterprise")
def order(level):
    """The enterprise's notice: the one issued with the running alert (with its 文号), else a preview."""
    enterprise = _own_enterprise()
    if enterprise is None:
        return render_template("registry/no_enterprise.html")
    return render_template("dashboard/order.html", page=obligation_order(enterprise, level))
