"""Power-use supervision pages: the alerts, each alert's board (ranked firms with their charts, filters and the
问题线索清单), a firm's history across alerts, and the import of the grid company's readings."""
import io

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from emergency.accounts.access import can_edit_enterprise, visible_enterprise
from emergency.publishing.alerts import alerts_for, visible_alert
from emergency.publishing.versions import safe_filename
from emergency.supervision import accounts
from emergency.supervision.board import build_board
from emergency.supervision.charts import use_chart
from emergency.supervision.clues import clues_filename, write_clues
from emergency.supervision.history import accounts_of, enterprise_history
from emergency.supervision.power_import import commit_power, inspect_power
from emergency.web import refusals, table_uploads
from emergency.web.decorators import roles_required
from emergency.web.downloads import send_download
from emergency.web.paging import page_number
from forms.supervision import AccountForm, BoardFilterForm, PowerUploadForm
from models import ROLES
from models.user import CITYWIDE, STAFF

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
PREVIEW_PAGE = {"subject": "用电量", "upload": "supervision.upload", "commit": "supervision.commit",
                "back": "supervision.index", "back_label": "返回用电监管"}
PREVIEW = "supervision/power_preview.html"
PER_PAGE = 100


@bp.route("/")
@roles_required(*STAFF)
def index():
    """The alerts the user may see, newest first, each linking to its board."""
    return render_template("supervision/index.html", alerts=alerts_for(current_user))


@bp.route("/alerts/<int:alert_id>")
@roles_required(*STAFF)
def board(alert_id):
    """The alert's ranked firms, filtered, one page at a time, each with its chart."""
    result = build_board(visible_alert(alert_id, current_user), current_user)
    form = BoardFilterForm(request.args)
    form.fill(result)
    firms = [f for f in result.firms if form.keep(f)]
    pages = max((len(firms) + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page_number(request.args), pages)
    shown = firms[(page - 1) * PER_PAGE:page * PER_PAGE]
    args = {k: v for k, v in request.args.items() if k != "page"}
    links = {"prev": url_for(".board", alert_id=alert_id, page=page - 1, **args) if page > 1 else None,
             "next": url_for(".board", alert_id=alert_id, page=page + 1, **args) if page < pages else None}
    return render_template("supervision/board.html", board=result, form=form, firms=shown, total=len(firms),
                           charts={f.enterprise_id: use_chart(f.judgement) for f in shown}, page=page, pages=pages,
                           links=links)


@bp.route("/alerts/<int:alert_id>/clues.xlsx")
@roles_required(*STAFF)
def clues(alert_id):
    """The 问题线索清单 of the alert (the user's counties)."""
    result, buffer = build_board(visible_alert(alert_id, current_user), current_user), io.BytesIO()
    write_clues(buffer, result)
    return send_download(buffer, safe_filename(clues_filename(result)))


def _history_page(enterprise, form=None):
    entries = enterprise_history(enterprise, current_user)
    if form is None and can_edit_enterprise(current_user, enterprise):
        form = AccountForm()
    if form is not None:
        form.fill(enterprise)
    return render_template("supervision/history.html", enterprise=enterprise, entries=entries,
                           charts=[use_chart(e.firm.judgement) for e in entries], accounts=accounts_of(enterprise.id),
                           form=form)


@bp.route("/enterprises/<int:enterprise_id>")
@roles_required(*ROLES)
def history(enterprise_id):
    """A firm's judgement in every alert that listed it, its accounts and its inspections (its own users see only
    theirs)."""
    return _history_page(visible_enterprise(enterprise_id, current_user))


@bp.route("/enterprises/<int:enterprise_id>/accounts", methods=["POST"])
@roles_required(*STAFF)
def save_account(enterprise_id):
    """Register an electricity account for the firm, or tie one of its accounts to a line."""
    enterprise = visible_enterprise(enterprise_id, current_user, edit=True)
    form = AccountForm()
    form.fill(enterprise)
    if form.validate_on_submit():
        account = refusals.run(form, accounts.save_account, enterprise, form.values())
        if account is not None:
            flash(f"已保存户号 {account.number}。", "success")
            return redirect(url_for(".history", enterprise_id=enterprise.id))
    return _history_page(enterprise, form), 400


@bp.route("/power/import", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def upload():
    form = PowerUploadForm()
    if form.validate_on_submit():
        return table_uploads.preview(form, inspect_power, PREVIEW_PAGE, PREVIEW)
    return render_template("supervision/power_upload.html", form=form), 400 if form.errors else 200


@bp.route("/power/import/commit", methods=["POST"])
@roles_required(*CITYWIDE)
def commit():
    return table_uploads.commit(lambda data, name, username: commit_power(data, name, username), PREVIEW_PAGE,
                                PREVIEW)
