"""Official notices: a county's batch of one alert step (批量打印), a single notice, and the notices' settings."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from emergency.lists.listing import counties
from emergency.publishing.alerts import visible_dispatch
from emergency.publishing.notice_settings import notice_settings, save_notice_settings
from emergency.publishing.notices import build_batch, visible_notice
from emergency.web.decorators import roles_required
from emergency.web.refusals import run
from forms.notice import notice_settings_form
from models.user import CITYWIDE, STAFF

bp = Blueprint("notices", __name__)


@bp.route("/dispatches/<int:dispatch_id>/notices")
@roles_required(*STAFF)
def batch(dispatch_id):
    """Every notice of a county's dispatch, one per A4 page; county staff see only their own county's."""
    return render_template("notices/batch.html", batch=build_batch(visible_dispatch(dispatch_id, current_user)))


@bp.route("/notices/<int:notice_id>")
@login_required
def single(notice_id):
    """One notice; an enterprise user reads only its own, county staff their county's."""
    return render_template("notices/single.html", notice=visible_notice(notice_id, current_user))


@bp.route("/notices/settings", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def settings():
    """The 文号 prefix, legal basis, consequences and each county's contact, for notices dispatched from now on."""
    scope = counties()
    current = notice_settings()
    data = {"notice_number_prefix": current.prefix, "notice_legal_basis": current.legal_basis,
            "notice_consequences": current.consequences,
            **{f"contact_{c.id}": current.contacts.get(c.id, "") for c in scope}}
    form = notice_settings_form(scope, data=data)
    if form.validate_on_submit():
        changed = run(form, save_notice_settings, form.values(scope))
        if changed is not None:
            flash(f"已保存通知文书设置（修改 {changed} 项）。" if changed else "通知文书设置没有变化。", "success")
            return redirect(url_for("notices.settings"))
    return render_template("notices/settings.html", form=form)
