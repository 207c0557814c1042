"""The admin's page of read-API tokens, next to user management: create (the token shown once) and revoke."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from emergency.accounts import api_tokens
from emergency.registry.queries import county_choices
from emergency.web.decorators import roles_required
from emergency.web.refusals import run
from forms.api_token import NewApiTokenForm
from forms.base import options
from models import ApiToken, db

bp = Blueprint("api_tokens", __name__)


@bp.route("/admin/api-tokens", methods=["GET", "POST"])
@roles_required("admin")
def index():
    """Every token, and the form that creates one; a created token is shown on its own page, once."""
    form = NewApiTokenForm()
    form.county_id.choices = options(county_choices(current_user, blank="全市"))
    if form.validate_on_submit():
        issued = run(form, api_tokens.create_token, form.name.data, form.county_id.data, current_user.id)
        if issued is not None:
            # The token is in this response only: never in a flash message (the session cookie is signed, not
            # encrypted), never cached.
            response = make_response(render_template("account/api_token_created.html", issued=issued))
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("account/api_tokens.html", form=form, tokens=api_tokens.tokens_page())


@bp.route("/admin/api-tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required("admin")
def revoke(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if run(None, api_tokens.revoke_token, token, current_user.id):
        flash(f"已吊销令牌“{token.name}”，使用它的请求将被拒绝。", "success")
    return redirect(url_for("api_tokens.index"))
