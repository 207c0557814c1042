"""The whole-society baseline pages (全社会排放量): seasons, each season's baseline grid and its non-industrial
reductions per level, and the workbook's export and import. City staff and admins only."""
import io

from flask import Blueprint, flash, redirect, render_template, request, url_for

from emergency.baseline import amounts
from emergency.baseline.reading import commit_baseline, inspect_baseline
from emergency.baseline.seasons import all_seasons, get_season, save_season, season_in_force
from emergency.baseline.sheets import baseline_filename, export_baseline
from emergency.errors import DomainError
from emergency.publishing.versions import safe_filename
from emergency.web import table_uploads
from emergency.web.decorators import roles_required
from emergency.web.downloads import send_download
from emergency.web.scope import LEVEL
from forms.base import add_error
from forms.baseline import AmountGridForm, BaselineUploadForm, SeasonForm
from models import db
from models.user import CITYWIDE

bp = Blueprint("baseline", __name__, url_prefix="/baseline")
PREVIEW_PAGE = {"subject": "全社会排放量基数", "upload": "baseline.upload", "commit": "baseline.commit",
                "back": "baseline.index", "back_label": "返回全社会排放量"}


@bp.route("/")
@roles_required(*CITYWIDE)
def index():
    seasons = all_seasons()
    return render_template("baseline/index.html", seasons=seasons, in_force=season_in_force(),
                           entered={s.id: amounts.counties_entered(s.id) for s in seasons},
                           counties=len(amounts.counties()))


def _season_form(season=None):
    form = SeasonForm(obj=season, existing=season)
    if form.validate_on_submit():
        try:
            season = save_season(form.values(), season)
        except DomainError as error:          # a concurrent edit took the name meanwhile
            for name, message in error.errors.items():
                add_error(form[name], message)
        else:
            db.session.commit()
            flash(f"已保存季节“{season.name}”。", "success")
            return redirect(url_for("baseline.season", season_id=season.id))
    return render_template("baseline/season_form.html", form=form, season=season), 400 if form.errors else 200


@bp.route("/seasons/new", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def new_season():
    return _season_form()


@bp.route("/seasons/<int:season_id>/edit", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def edit_season(season_id):
    return _season_form(get_season(season_id))


def _grid(season, level=None):
    """The grid page of a season's baseline (``level`` None) or of its non-industrial reductions at ``level``."""
    rows = amounts.grid_rows(season.id, level)
    if request.method == "GET":
        form = AmountGridForm(data={"rows": [{"key": r.key, **r.values} for r in rows]})
    else:
        form = AmountGridForm()
    if form.validate_on_submit():
        try:
            changed = amounts.save_cells(season, form.cells(), level)
        except DomainError as error:
            form.form_errors.extend(error.errors.values())
        else:
            db.session.commit()
            flash(f"已保存，修改 {changed} 项。" if changed else "没有修改。", "success")
            return redirect(request.path)
    labels = {r.key: r for r in rows}
    return render_template("baseline/grid.html", form=form, season=season, level=level, labels=labels,
                           totals=amounts.county_totals(season.id, level),
                           in_force=season_in_force()), 400 if form.errors or form.form_errors else 200


@bp.route("/seasons/<int:season_id>", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def season(season_id):
    return _grid(get_season(season_id))


@bp.route(f"/seasons/<int:season_id>/reductions/{LEVEL}", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def reductions(season_id, level):
    return _grid(get_season(season_id), level)


@bp.route("/seasons/<int:season_id>/export.xlsx")
@roles_required(*CITYWIDE)
def export(season_id):
    season, buffer = get_season(season_id), io.BytesIO()
    export_baseline(buffer, season)
    return send_download(buffer, safe_filename(baseline_filename(season)))


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def upload():
    form = BaselineUploadForm()
    if form.validate_on_submit():
        return table_uploads.preview(form, inspect_baseline, PREVIEW_PAGE)
    return render_template("baseline/upload.html", form=form), 400 if form.errors else 200


@bp.route("/import/commit", methods=["POST"])
@roles_required(*CITYWIDE)
def commit():
    return table_uploads.commit(commit_baseline, PREVIEW_PAGE)
