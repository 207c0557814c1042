"""Idempotent loaders for the reference data: counties, industries, schemes, measure types, floors, targets.

Each loader upserts by natural key, so running ``flask seed`` twice changes nothing, and a clerk's
correction to a CSV file is applied by running it again. Two exceptions keep the bureau's own edits: a floor
row edited on the floors page (``edited_at`` set) and a setting already stored are left as they are.
"""
import csv
from pathlib import Path

from sqlalchemy import exists, select

from models import (
    BatchCutoff,
    Category,
    CategoryReason,
    County,
    Grade,
    GradeScheme,
    Industry,
    MeasureFloor,
    MeasureType,
    Setting,
    StaggerRule,
    TargetRatio,
    db,
)

DATA = Path(__file__).parent / "data"
DEMO_SETTING = "demo_loaded"   # "1" while the synthetic demo registry is loaded (seed/demo.py)


def read_csv(name):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _bool(text):
    return str(text).strip() in ("1", "true", "True", "是")


def _float(text):
    text = (text or "").strip()
    return float(text) if text else None


def _upsert(model, key, values):
    """Insert or update one row found by ``key`` (a dict of natural-key columns); return it."""
    row = db.session.query(model).filter_by(**key).one_or_none()
    if row is None:
        row = model(**key)
        db.session.add(row)
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    return row


def load_counties():
    for r in read_csv("counties.csv"):
        _upsert(County, {"code": r["code"]}, {"name": r["name"], "sort_order": int(r["sort_order"])})


def load_grades():
    for r in read_csv("grade_schemes.csv"):
        _upsert(GradeScheme, {"code": r["code"]}, {"name": r["name"], "grades": r["grades"] or ""})
    for r in read_csv("grades.csv"):
        _upsert(Grade, {"code": r["code"]}, {
            "label": r["label"], "sort_order": int(r["sort_order"]),
            "guarantee_eligible": _bool(r["guarantee_eligible"]), "self_managed": _bool(r["self_managed"]),
            "blocked_by_violation": _bool(r["blocked_by_violation"]),
        })
    for r in read_csv("categories.csv"):
        _upsert(Category, {"code": r["code"]}, {
            "label": r["label"], "sort_order": int(r["sort_order"]), "grade_policy": r["grade_policy"],
            "industry_scope": r["industry_scope"], "blocked_by_violation": _bool(r["blocked_by_violation"]),
            "needs_reason": _bool(r["needs_reason"]),
        })


def load_industries():
    for order, r in enumerate(read_csv("industries.csv"), start=1):
        _upsert(Industry, {"code": r["code"]}, {
            "name": r["name"], "sub_type": r["sub_type"] or "", "is_key": _bool(r["is_key"]),
            "guide_no": int(r["guide_no"]) if r["guide_no"] else None, "scheme_code": r["scheme"],
            "allows_b_minus": _bool(r["allows_b_minus"]), "evidence": r["evidence"], "sort_order": order,
            "livelihood_eligible": _bool(r["livelihood_eligible"]),
        })


def load_measure_types():
    for r in read_csv("measure_types.csv"):
        _upsert(MeasureType, {"code": r["code"]}, {
            "label": r["label"], "param": r["param"], "fraction": float(r["fraction"] or 0),
            "stops_line": _bool(r["stops_line"]), "order_kind": r["order_kind"], "template": r["template"],
            "sort_order": int(r["sort_order"]), "provisional": _bool(r["provisional"]), "note": r["note"],
        })


def load_category_reasons():
    for r in read_csv("category_reasons.csv"):
        _upsert(CategoryReason, {"category_code": r["category"], "reason": r["reason"]},
                {"sort_order": int(r["sort_order"])})


def floor_key(scope, industry_id, grade_code, level, process):
    """The natural key of a floor row, as ``filter_by`` takes it."""
    return {"scope": scope, "industry_id": industry_id, "grade_code": grade_code, "level": level,
            "process": process}


def floor_values(r):
    """A floor row's measure columns from a CSV (or workbook) row of measure_floors.csv's layout."""
    return {
        "action": r["action"], "limit_pct": _float(r["limit_pct"]), "hours": _float(r["hours"]),
        "cap_pct": _float(r["cap_pct"]), "other_fraction": _float(r["other_fraction"]),
        "transport": r["transport"] or "none", "text": r["text"], "provisional": _bool(r["provisional"]),
        "source": r["source"],
    }


def load_floors():
    industries = {i.code: i.id for i in db.session.query(Industry)}
    stored = {(f.scope, f.industry_id, f.grade_code, f.level, f.process): f for f in db.session.query(MeasureFloor)}
    for r in read_csv("measure_floors.csv"):
        key = (r["scope"], industries[r["industry_code"]] if r["industry_code"] else None, r["grade"] or None,
               r["level"], r["process"])
        row = stored.get(key)
        if row is not None and row.edited_at is not None:
            continue   # the bureau edited it on the floors page: its value is policy now, not seed data
        if row is None:
            row = MeasureFloor(**floor_key(*key))
            db.session.add(row)
        for name, value in floor_values(r).items():
            if getattr(row, name) != value:
                setattr(row, name, value)


# stagger_rules.csv's green_factory column: 1 green factories, 0 the others, blank either.
GREEN_FACTORY_CELLS = {"": None, "1": True, "0": False}


def load_stagger_defaults():
    """Insert the default stagger rules (no season) not stored yet; a stored one may be the bureau's and is kept."""
    industries = {i.code: i.id for i in db.session.query(Industry)}
    stored = {(r.industry_id, r.process, r.grade_code, r.category_code, r.category_reason, r.green_factory)
              for r in db.session.query(StaggerRule).filter(StaggerRule.season_id.is_(None))}
    for r in read_csv("stagger_rules.csv"):
        key = (industries[r["industry_code"]] if r["industry_code"] else None, r["process"], r["grade"] or None,
               r["category"] or None, r["category_reason"], GREEN_FACTORY_CELLS[r["green_factory"]])
        if key in stored:
            continue
        db.session.add(StaggerRule(industry_id=key[0], process=key[1], grade_code=key[2], category_code=key[3],
                                   category_reason=key[4], green_factory=key[5], regime=r["regime"],
                                   limit_pct=_float(r["limit_pct"]),
                                   stop_days=r["stop_days"],
                                   provisional="暂定" in r["source"], source=r["source"]))


def load_target_ratios():
    for r in read_csv("target_ratios.csv"):
        _upsert(TargetRatio, {"level": r["level"], "pollutant": r["pollutant"]},
                {"ratio": float(r["ratio"]), "source": r["source"]})


def load_settings():
    """Insert settings not stored yet; a stored value is the bureau's and is kept."""
    stored = {key for (key,) in db.session.query(Setting.key)}
    for r in read_csv("settings.csv"):
        if r["key"] not in stored:
            db.session.add(Setting(key=r["key"], value=r["value"]))


def load_reference():
    """Load every reference table; flushes, never commits."""
    load_counties()
    load_grades()
    load_measure_types()
    db.session.flush()
    load_industries()
    load_category_reasons()
    db.session.flush()
    load_floors()
    load_stagger_defaults()
    load_target_ratios()
    load_settings()
    load_batch_cutoffs()
    db.session.flush()


def demo_flag():
    """Whether the demo registry is loaded, as a SQL expression, so a page can read it with other figures."""
    return exists().where(Setting.key == DEMO_SETTING, Setting.value == "1")


def demo_loaded():
    return bool(db.session.scalar(select(demo_flag())))


def load_batch_cutoffs():
    """Upsert the yearly application-batch cut-offs (month, day) from batch_cutoffs.csv."""
    for r in read_csv("batch_cutoffs.csv"):
        _upsert(BatchCutoff, {"month": int(r["month"]), "day": int(r["day"])},
                {"name": r["name"], "note": r.get("note") or ""})
