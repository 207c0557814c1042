"""Login and logout."""
import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from emergency.accounts import throttle
from forms.auth import LoginForm
from models import User, db

bp = Blueprint("auth", __name__)


def _safe_next(target):
    """Only follow a relative next= URL, so the login page cannot redirect off-site."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("registry.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username, address = form.username.data.strip(), request.remote_addr or "-"
        refusal, delay = throttle.assess(username, address)
        if refusal:
            form.username.errors.append(refusal)
            return render_template("auth/login.html", form=form), 429
        time.sleep(delay)  # each failure beyond the first few makes the next try slower
        user = db.session.query(User).filter_by(username=username).one_or_none()
        if user is None or not user.check_password(form.password.data):
            throttle.record_failure(username, address)
            db.session.commit()
            form.password.errors.append("用户名或密码错误")
        elif not user.active:
            form.username.errors.append("该账号已停用，请联系管理员")
        else:
            throttle.clear(username)
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("registry.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))
