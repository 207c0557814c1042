"""The target solver's page: the least-cost proposal for a level and scope, and its acceptance."""
from flask import Blueprint, flash, redirect, render_template, url_for

from emergency.errors import DomainError
from emergency.planning import proposal as plans
from emergency.web.decorators import roles_required
from emergency.web.scope import LEVEL, scope_county
from forms.planning import AcceptProposalForm
from models import db
from models.user import STAFF

bp = Blueprint("planning", __name__)


def _page(form, found, status=200, stale=False):
    return render_template("planning/solve.html", form=form, proposal=found, level=found.level,
                           county=found.county, stale=stale), status


@bp.route(f"/lists/{LEVEL}/solve", methods=["GET", "POST"])
@roles_required(*STAFF)
def solve(level):
    """GET: the proposal (county users: their own county only). POST: save the chosen changes."""
    county = scope_county()
    form = AcceptProposalForm()
    if not form.validate_on_submit():
        return _page(form, plans.make_proposal(level, county), 400 if form.errors else 200)
    try:
        saved = plans.accept(level, county, form.fingerprint.data, form.lines.data)
    except plans.StaleProposal as error:
        db.session.rollback()
        form.form_errors.append(plans.STALE)
        return _page(form, error.proposal, 409, stale=True)
    except DomainError as error:
        db.session.rollback()
        form.form_errors.extend(error.errors.values())
        return _page(form, plans.make_proposal(level, county), 400)
    db.session.commit()
    flash(f"已按减排测算方案调整 {len(saved)} 条生产线的措施。", "success")
    return redirect(url_for("lists.level_list", level=level, **({"county": county.id} if county else {})))
