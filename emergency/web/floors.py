"""The floors page (措施底线): the floor table with filters, a row's edit form and history, new rows, deletion, the
rules' settings, and the table's export and import. City staff and admins only."""
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from emergency.errors import DomainError
from emergency.lists.policy import FLOOR_SCOPE_LABELS
from emergency.registry import floors as ops
from emergency.registry.floor_sheets import FILENAME, commit_floors, export_floors, inspect_floors
from emergency.web import table_uploads
from emergency.web.decorators import roles_required
from emergency.web.downloads import send_download
from emergency.web.paging import paginate
from forms.base import add_error
from forms.floor import FloorFilterForm, FloorForm, FloorUploadForm, NewFloorForm, SettingsForm
from models import MeasureFloor, db
from models.user import CITYWIDE

bp = Blueprint("floors", __name__, url_prefix="/floors")
PER_PAGE = 100


def _floor(floor_id):
    floor = db.session.get(MeasureFloor, floor_id)
    if floor is None:
        abort(404)
    return floor


def _index(settings_form=None, status=200):
    form = FloorFilterForm(request.args)
    page = paginate(ops.floor_query(**form.filters()), request.args, "floors.index", per_page=PER_PAGE)
    provisional, total = ops.provisional_count()
    settings = ops.rule_settings()
    if settings_form is None:
        settings_form = SettingsForm(data={s.key: s.value for s in settings})
    return render_template("floors/index.html", form=form, page=page, rows=ops.floor_rows(f for (f,) in page.items),
                           provisional=provisional, total=total, settings=settings,
                           settings_form=settings_form, settings_history=ops.settings_history(),
                           types=ops.measure_type_rows(), FLOOR_SCOPE_LABELS=FLOOR_SCOPE_LABELS), status


@bp.route("/")
@roles_required(*CITYWIDE)
def index():
    return _index()


@bp.route("/settings", methods=["POST"])
@roles_required(*CITYWIDE)
def settings():
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            changed = ops.save_settings(form.values())
        except DomainError as error:
            for name, message in error.errors.items():
                add_error(form[name], message)
        else:
            db.session.commit()
            flash(f"已保存规则参数（修改 {len(changed)} 项）。" if changed else "规则参数没有变化。", "success")
            return redirect(url_for("floors.index") + "#settings")
    return _index(form, 400)


def _floor_form_data(floor):
    measure = {name: getattr(floor, name) for name in ops.MEASURE_FIELDS}
    return {"measure": measure, "provisional": floor.provisional, "source": floor.source}


@bp.route("/<int:floor_id>", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def edit(floor_id):
    floor = _floor(floor_id)
    form = FloorForm(data=_floor_form_data(floor) if request.method == "GET" else None)
    rest = []
    if form.validate_on_submit():
        try:
            changed = ops.update_floor(floor, form.values(), current_user.signature)
        except DomainError as error:
            rest = form.attach(error.errors)
        else:
            db.session.commit()
            flash("底线已保存。" if changed else "底线没有变化。", "success")
            return redirect(url_for("floors.edit", floor_id=floor.id))
    status = 400 if form.errors or rest else 200
    return render_template("floors/edit.html", form=form, floor=floor, label=ops.describe(floor), errors=rest,
                           measure=ops.floor_rows([floor])[0].measure, history=ops.floor_history(floor),
                           fallback=ops.is_fallback(floor)), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def new():
    form = NewFloorForm(data={"provisional": True} if request.method == "GET" else None)
    rest = []
    if form.validate_on_submit():
        try:
            floor = ops.create_floor(form.values(), current_user.signature)
        except DomainError as error:
            rest = form.attach(error.errors)
        else:
            db.session.commit()
            flash("已新增底线。", "success")
            return redirect(url_for("floors.edit", floor_id=floor.id))
    status = 400 if form.errors or rest else 200
    return render_template("floors/new.html", form=form, errors=rest), status


@bp.route("/<int:floor_id>/delete", methods=["POST"])
@roles_required(*CITYWIDE)
def delete(floor_id):
    floor = _floor(floor_id)
    label = ops.describe(floor)
    try:
        ops.delete_floor(floor)
    except DomainError as error:
        flash("；".join(error.errors.values()), "danger")
        return redirect(url_for("floors.edit", floor_id=floor.id))
    db.session.commit()
    flash(f"已删除底线“{label}”。", "success")
    return redirect(url_for("floors.index"))


@bp.route("/export.xlsx")
@roles_required(*CITYWIDE)
def export():
    buffer = io.BytesIO()
    export_floors(buffer)
    return send_download(buffer, FILENAME)


# What the upload's preview page names and links to.
PREVIEW_PAGE = {"subject": "底线", "upload": "floors.upload", "commit": "floors.commit", "back": "floors.index",
                "back_label": "返回底线列表"}


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def upload():
    form = FloorUploadForm()
    if form.validate_on_submit():
        return table_uploads.preview(form, inspect_floors, PREVIEW_PAGE)
    return render_template("floors/upload.html", form=form), 400 if form.errors else 200


@bp.route("/import/commit", methods=["POST"])
@roles_required(*CITYWIDE)
def commit():
    return table_uploads.commit(commit_floors, PREVIEW_PAGE)
