"""Own password change, and user administration for admins (create, reset password, deactivate)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from emergency.accounts import users
from emergency.registry.queries import county_choices
from emergency.web import sessions
from emergency.web.decorators import roles_required
from emergency.web.refusals import run
from forms.account import ChangePasswordForm, NewUserForm, ResetPasswordForm
from forms.base import options
from models import User, db

bp = Blueprint("account", __name__)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit() and run(form, users.change_own_password, user, form.current.data, form.new.data):
        sessions.begin(user)   # the change ended every session of the user; this browser goes on
        flash("密码已修改，其他设备上的登录已失效。", "success")
        return redirect(url_for("registry.home"))
    return render_template("account/password.html", form=form, target=None)


@bp.route("/admin/users")
@roles_required("admin")
def user_list():
    return render_template("account/users.html", users=users.users_page())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    form = NewUserForm()
    form.county_id.choices = options(county_choices(current_user, blank="（无）"))
    if form.validate_on_submit():
        user = run(form, users.create_account, form.username.data, form.role.data, form.password.data,
                   form.county_id.data, form.enterprise.data, form.profile())
        if user is not None:
            flash(f"已创建用户 {user.username}。", "success")
            return redirect(url_for("account.user_list"))
    return render_template("account/new_user.html", form=form)


def _user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required("admin")
def reset_password(user_id):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit() and run(form, users.reset_password, user, form.new.data):
        if user.id == current_user.id:
            sessions.begin(user)   # an admin resetting their own password stays logged in here
        flash(f"已重置 {user.username} 的密码。", "success")
        return redirect(url_for("account.user_list"))
    return render_template("account/password.html", form=form, target=user)


@bp.route("/admin/users/<int:user_id>/active/<int:active>", methods=["POST"])
@roles_required("admin")
def set_active(user_id, active):
    user = _user_or_404(user_id)
    if run(None, users.set_active, user, bool(active), current_user):
        flash(f"已{'启用' if active else '停用'}用户 {user.username}。", "success")
    return redirect(url_for("account.user_list"))
