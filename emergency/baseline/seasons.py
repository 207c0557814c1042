"""Seasons (季节): which one is in force today, and their creation and edits (flush, never commit)."""
from sqlalchemy import select

from emergency.audit import trail as audit
from emergency.clock import local_today
from emergency.errors import DomainError, NotFound
from emergency.limits import text_limit
from models import Season, db

NAME_MAX, NOTE_MAX = text_limit(Season.name), text_limit(Season.note)
FIELDS = ("name", "starts_on", "ends_on", "note")

audit.register(Season, "season", "季节", lambda obj, conn: None, lambda obj: obj.name)


def all_seasons():
    """Every season, the latest first."""
    return db.session.scalars(select(Season).order_by(Season.starts_on.desc(), Season.id.desc())).all()


def season_in_force(today=None):
    """The season whose dates hold ``today`` (Beijing date), else the latest that has started; None if none has.

    Where seasons overlap, the one that started last wins.
    """
    today = today or local_today()
    latest_first = select(Season).where(Season.starts_on <= today).order_by(Season.starts_on.desc(),
                                                                            Season.id.desc())
    return (db.session.scalars(latest_first.where(Season.ends_on >= today).limit(1)).first()
            or db.session.scalars(latest_first.limit(1)).first())


def get_season(season_id):
    season = db.session.get(Season, season_id)
    if season is None:
        raise NotFound(f"season {season_id}")
    return season


def season_by_name(name):
    return db.session.scalars(select(Season).where(Season.name == (name or "").strip())).first()


def check_season(values, existing=None):
    """{field: Chinese message} for a season's name, dates and note."""
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写季节名称，如“2020–2021年秋冬季”"
    elif len(name) > NAME_MAX:
        errors["name"] = f"季节名称不超过{NAME_MAX}字"
    else:
        clash = season_by_name(name)
        if clash is not None and (existing is None or clash.id != existing.id):
            errors["name"] = f"季节“{name}”已存在"
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts is None:
        errors["starts_on"] = "请填写开始日期"
    if ends is None:
        errors["ends_on"] = "请填写结束日期"
    elif starts is not None and ends < starts:
        errors["ends_on"] = "结束日期不能早于开始日期"
    if len((values.get("note") or "").strip()) > NOTE_MAX:
        errors["note"] = f"说明不超过{NOTE_MAX}字"
    return errors


def save_season(values, season=None):
    """Create a season, or change ``season``; return it. Refused with the messages of ``check_season``."""
    errors = check_season(values, existing=season)
    if errors:
        raise DomainError(errors)
    if season is None:
        season = Season()
        db.session.add(season)
    season.name, season.note = values["name"].strip(), (values.get("note") or "").strip()
    season.starts_on, season.ends_on = values["starts_on"], values["ends_on"]
    db.session.flush()
    return season


def changed_fields(season, values):
    """The fields of ``values`` that differ from the stored season."""
    clean = {**values, "name": (values.get("name") or "").strip(), "note": (values.get("note") or "").strip()}
    return [name for name in FIELDS if getattr(season, name) != clean.get(name)]
