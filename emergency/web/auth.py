"""Login and logout."""
import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from emergency.accounts import throttle, users
from emergency.web import sessions
from forms.auth import LoginForm
from models import db

bp = Blueprint("auth", __name__)


def _safe_next(target):
    """Only follow a relative next= URL, so the login page cannot redirect off-site. A control character or a
    backslash anywhere (a header splitter, or a browser's "/\\\\host") makes the whole value ignored."""
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return None
    if not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("registry.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username, address = form.username.data.strip(), request.remote_addr or "-"
        claim = throttle.claim(username, address)
        db.session.commit()   # the attempt counts for parallel ones before its password is checked
        if claim.refusal:
            form.username.errors.append(claim.refusal)
            return render_template("auth/login.html", form=form), 429
        time.sleep(claim.delay)  # each attempt beyond the first few makes the next one slower
        user = users.verify(username, form.password.data)
        if user is None:
            form.password.errors.append("用户名或密码错误")
        elif not user.active:
            form.username.errors.append("该账号已停用，请联系管理员")
        else:
            throttle.clear(username, address)
            db.session.commit()
            sessions.begin(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("registry.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    users.end_sessions(current_user)   # every browser this user is logged in from, not just this one
    db.session.commit()
    logout_user()
    flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))
