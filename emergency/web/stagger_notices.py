"""错峰生产告知书 pages: a season's notices per county (staff; a county user sees their own county), numbering by city
staff, a county's notices as one printable bundle (one A4 page each, as the alert notices' 批量打印) and one notice
(an enterprise user reads only its own)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from emergency.baseline.seasons import get_season
from emergency.staggering.notices import county_notices, issue_notices, notice_overview, visible_stagger_notice
from emergency.web.decorators import roles_required
from models import County, db
from models.user import CITYWIDE, STAFF

bp = Blueprint("stagger_notices", __name__, url_prefix="/staggering")


def _own_scope():
    """None for city staff (every county), else the county user's county id."""
    return None if current_user.is_citywide else current_user.county_id


@bp.route("/seasons/<int:season_id>/notices")
@roles_required(*STAFF)
def index(season_id):
    season = get_season(season_id)
    return render_template("staggering/notices.html", season=season, overview=notice_overview(season, _own_scope()))


@bp.route("/seasons/<int:season_id>/notices/issue", methods=["POST"])
@roles_required(*CITYWIDE)
def issue(season_id):
    """Number the notices of the firms under the season's regime that have none yet."""
    season = get_season(season_id)
    issued = issue_notices(season, current_user)
    db.session.commit()
    flash(f"已编号下达错峰生产告知书 {issued} 份。" if issued else "没有需要新编号的企业，已下达的告知书不变。",
          "success")
    return redirect(url_for("stagger_notices.index", season_id=season.id))


@bp.route("/seasons/<int:season_id>/notices/county/<int:county_id>")
@roles_required(*STAFF)
def batch(season_id, county_id):
    """A county's notices of the season, one per A4 page, in number order; another county's are a 404."""
    season, county = get_season(season_id), db.session.get(County, county_id)
    if county is None or _own_scope() not in (None, county_id):
        abort(404)
    return render_template("staggering/notice_batch.html", season=season, county=county,
                           documents=county_notices(season, county_id))


@bp.route("/notices/<int:stagger_notice_id>")
@login_required
def single(stagger_notice_id):
    document = visible_stagger_notice(stagger_notice_id, current_user)
    return render_template("staggering/notice_single.html", document=document)
