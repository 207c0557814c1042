"""Alerts: record, change level, end; the counties' dispatched workbooks and their receipts (签收)."""
import io

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from emergency.clock import local_now
from emergency.errors import DomainError
from emergency.publishing.alerts import (
    alerts_for,
    change_level,
    confirm_receipt,
    end_alert,
    is_running,
    local_to_utc,
    start_alert,
    step_statuses,
    visible_alert,
    visible_dispatch,
)
from emergency.publishing.dispatch import gate_errors
from emergency.publishing.notices import notice_counts
from emergency.publishing.receipts import record_download, unsigned
from emergency.publishing.versions import latest_version
from emergency.web.decorators import roles_required
from emergency.web.downloads import send_download
from emergency.web.refusals import run
from forms.alert import AlertForm, EndForm, LevelForm
from forms.base import options
from models import LEVEL_LABELS, County, db
from models.user import CITYWIDE, STAFF

bp = Blueprint("alerts", __name__)


def _now_minute():
    return local_now().replace(tzinfo=None, second=0, microsecond=0)


def _forced(alert):
    """The flash's note when the step just dispatched passed the gate on a written reason."""
    return "清单版本存在错误，已按所填理由强制下发。" if alert.current_step.override_reason else ""


def _detail(alert, level_form=None, end_form=None):
    """The alert page; city staff get the level and end forms while the alert runs."""
    can_manage = current_user.is_citywide and alert.ended_at is None
    # A refused POST's messages, shown at the top even when the forms are no longer offered.
    problems = [m for form in (level_form, end_form) if form for ms in form.errors.values() for m in ms]
    gate = {}
    if can_manage:
        level_form = level_form or LevelForm(alert=alert, formdata=None)
        end_form = end_form or EndForm(alert=alert, formdata=None, data={"ended_at": _now_minute()})
        gate = gate_errors([c.id for c in alert.counties])
    return render_template("alerts/detail.html", alert=alert, steps=step_statuses(alert, current_user),
                           running=is_running(alert), problems=problems, level_form=level_form if can_manage else None,
                           end_form=end_form if can_manage else None, gate=gate, latest=latest_version(),
                           notices=notice_counts(alert))


@bp.route("/alerts")
@roles_required(*STAFF)
def index():
    """Alerts the viewer may see, each with its current step's receipts."""
    rows = [(alert, step_statuses(alert, current_user)[-1], is_running(alert)) for alert in alerts_for(current_user)]
    return render_template("alerts/index.html", rows=rows, latest=latest_version())


@bp.route("/alerts/new", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def new():
    """Record an alert; it uses the latest published version and dispatches each county's workbook."""
    form = AlertForm()
    form.county_ids.choices = options([(c.id, c.name) for c in db.session.query(County).order_by(County.sort_order)])
    if not form.is_submitted():
        form.started_at.data = _now_minute()
    if form.validate_on_submit():
        alert = run(form, start_alert, form.values(), current_user)
        if alert is not None:
            started = f"已启动{LEVEL_LABELS[alert.level]}预警，已向 {len(alert.counties)} 个县（市、区）下发清单。"
            flash(started + _forced(alert), "success")
            return redirect(url_for("alerts.detail", alert_id=alert.id))
    return render_template("alerts/new.html", form=form, latest=latest_version(), gate=gate_errors(),
                           county_count=len(form.county_ids.choices))


@bp.route("/alerts/<int:alert_id>")
@roles_required(*STAFF)
def detail(alert_id):
    return _detail(visible_alert(alert_id, current_user))


@bp.route("/alerts/<int:alert_id>/level", methods=["POST"])
@roles_required(*CITYWIDE)
def level(alert_id):
    """Upgrade or downgrade: a new step, dispatched anew."""
    alert = visible_alert(alert_id, current_user)
    form = LevelForm(alert=alert)
    previous = alert.level
    if form.validate_on_submit() and run(form, change_level, alert, form.level.data, current_user,
                                         form.override_reason.data):
        changed = f"预警级别已由{LEVEL_LABELS[previous]}调整为{LEVEL_LABELS[alert.level]}，已重新下发清单。"
        flash(changed + _forced(alert), "success")
        return redirect(url_for("alerts.detail", alert_id=alert.id))
    return _detail(alert, level_form=form)


@bp.route("/alerts/<int:alert_id>/end", methods=["POST"])
@roles_required(*CITYWIDE)
def end(alert_id):
    alert = visible_alert(alert_id, current_user)
    form = EndForm(alert=alert)
    if form.validate_on_submit():
        end_alert(alert, local_to_utc(form.ended_at.data), current_user)
        db.session.commit()
        flash("已记录预警解除时间。", "success")
        return redirect(url_for("alerts.detail", alert_id=alert.id))
    return _detail(alert, end_form=form)


@bp.route("/dispatches/<int:dispatch_id>/download")
@roles_required(*STAFF)
def download(dispatch_id):
    """The stored workbook, byte for byte as dispatched; its SHA-256 travels in a header."""
    dispatch = visible_dispatch(dispatch_id, current_user)
    record_download(dispatch, current_user)
    db.session.commit()
    response = send_download(io.BytesIO(dispatch.file.content), dispatch.filename)
    response.headers["X-Content-SHA256"] = dispatch.sha256
    return response


@bp.route("/dispatches/<int:dispatch_id>/receipt", methods=["POST"])
@roles_required("county")
def receipt(dispatch_id):
    """The county confirms receipt (签收) of its own dispatch."""
    dispatch = visible_dispatch(dispatch_id, current_user)
    try:
        confirmed = confirm_receipt(dispatch, current_user)
    except DomainError as refused:
        flash("未签收：" + "；".join(refused.errors.values()), "danger")
        return redirect(url_for("alerts.detail", alert_id=dispatch.alert_id))
    if confirmed:
        db.session.commit()
        flash(f"已签收：{dispatch.filename}", "success")
    else:
        flash(f"该文件已于此前签收（{dispatch.received_by}）。", "info")
    return redirect(url_for("alerts.detail", alert_id=dispatch.alert_id))


@bp.route("/alerts/<int:alert_id>/unsigned")
@roles_required(*CITYWIDE)
def unsigned_counties(alert_id):
    """The counties that have not signed for their dispatch, step by step, with whom to call."""
    alert = visible_alert(alert_id, current_user)
    return render_template("alerts/unsigned.html", alert=alert, pending=unsigned(step_statuses(alert, current_user)))
