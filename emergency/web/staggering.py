"""Staggered production (错峰生产) pages: the firms under the season's regime per county (staff; a county user sees
their own county) with its xlsx export, and the season's rules, edited by city staff (audited: 审计日志)."""
import io

from flask import Blueprint, flash, redirect, render_template, request, url_for

from emergency.baseline.seasons import get_season
from emergency.errors import DomainError
from emergency.registry.operations import ConflictError
from emergency.staggering import firms
from emergency.staggering.store import (
    StaggerBook,
    adopt_defaults,
    delete_rule,
    edit_rule,
    rule_history,
    save_rule,
    season_rule,
    season_rules,
)
from emergency.web.decorators import roles_required
from emergency.web.downloads import send_download
from emergency.web.scope import scope_county
from models import REGIME_LABELS, Category, CategoryReason, Grade, Industry, db
from models.user import CITYWIDE, STAFF

bp = Blueprint("staggering", __name__, url_prefix="/staggering")
STALE_RULE = "该规则已被他人修改，未保存。下方为当前内容，请核对后重新修改。"


@bp.route("/")
@roles_required(*STAFF)
def index():
    county = scope_county()
    book = StaggerBook.load(find_season=True)
    rows = firms.regime_rows(county.id if county else None, book)
    return render_template("staggering/index.html", book=book, rows=rows, county=county,
                           counts=firms.counts_by_county(rows))


@bp.route("/export.xlsx")
@roles_required(*STAFF)
def export():
    county = scope_county()
    book = StaggerBook.load(find_season=True)
    buffer = io.BytesIO()
    firms.write_regime_workbook(buffer, firms.regime_rows(county.id if county else None, book),
                                county.name if county else "全市", book.season.name if book.season else "")
    return send_download(buffer, f"错峰生产企业名单_{county.name if county else '全市'}.xlsx")


@bp.route("/seasons/<int:season_id>/rules", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def rules(season_id):
    season = get_season(season_id)
    errors, status = {}, 200
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action == "adopt":
                flash(f"已复制默认规则 {adopt_defaults(season)} 条。", "success")
            elif action == "delete":
                delete_rule(season, request.form.get("rule_id", ""))
                flash("已删除规则。", "success")
            else:
                save_rule(season, request.form)
                flash("已新增规则。", "success")
        except DomainError as error:
            db.session.rollback()
            errors, status = error.errors, 400
        else:
            db.session.commit()
            return redirect(url_for("staggering.rules", season_id=season.id))
    return render_template("staggering/rules.html", season=season, rules=season_rules(season),
                           defaults=season_rules(None), errors=errors, form=request.form,
                           history=rule_history(season), **_choices()), status


def _choices():
    return dict(regimes=REGIME_LABELS, grades=db.session.query(Grade).order_by(Grade.sort_order).all(),
                categories=db.session.query(Category).order_by(Category.sort_order).all(),
                industries=db.session.query(Industry).order_by(Industry.sort_order).all(),
                reasons=db.session.query(CategoryReason).order_by(CategoryReason.category_code,
                                                                  CategoryReason.sort_order).all())


@bp.route("/seasons/<int:season_id>/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required(*CITYWIDE)
def edit(season_id, rule_id):
    """Change a rule in place; a form opened on an older version of the rule is refused (409), nothing written."""
    season = get_season(season_id)
    rule = season_rule(season, rule_id)
    errors, status, form = {}, 200, request.form
    if request.method == "POST":
        try:
            edit_rule(season, rule_id, request.form, request.form.get("version"))
        except ConflictError:
            db.session.rollback()
            rule = season_rule(season, rule_id)
            errors, status, form = {"version": STALE_RULE}, 409, {}
        except DomainError as error:
            db.session.rollback()
            rule = season_rule(season, rule_id)
            errors, status = error.errors, 400
        else:
            db.session.commit()
            flash("已修改规则。", "success")
            return redirect(url_for("staggering.rules", season_id=season.id))
    return render_template("staggering/edit_rule.html", season=season, rule=rule, errors=errors, form=form,
                           **_choices()), status
