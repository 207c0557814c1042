"""The data-quality defects the demo plants on purpose, each in its own generated firm (see ``seed.demo``).

``DEFECT_CHECKS`` names the quality check (``emergency.lists.quality``) that finds each kind: a firm carrying a
defect gets exactly that finding, and no other firm gets any error.
"""
from itertools import islice

from emergency.registry.measures import (
    COKING_TIME,
    HOT_STANDBY,
    LIMIT,
    LINE_SHARE,
    NO_TRANSPORT_RULE,
    NONE,
    OTHER,
    STOP,
    TRANSPORT_LABELS,
    Measure,
)
from models import POLLUTANTS

from .demo_measures import FIELDS, describe

DEFECT_CHECKS = {
    "clinker_share": "line_share",      # clinker C at yellow: no clinker line stopped
    "coking_hours": "no_coking_hours",  # a coke oven on 延长结焦时间 without its normal coking time
    "livelihood": "classification",     # 民生 on a district-heating firm (not a residential boiler)
    "uncapped": "missing_cap",          # 保障类 entering 不停限产, no capped load
    "truck_ban": "below_floor",         # the floor's cut, without the floor's truck ban
    "weak": "below_floor",              # a smaller cut than the floor
    "missing": "missing_measure",       # one level without a measure
    "zero": "no_emissions",             # a line with zero annual emissions
    "empty": "no_lines",                # an enterprise without lines
}
EMPTY_INDUSTRIES = {"industrial_coating", "packaging_printing", "plastics", "other"}
# The floors a weakened measure can undercut.
CUTTING = (STOP, HOT_STANDBY, LIMIT, COKING_TIME)


def plant(rng, firms, n):
    """Plant the defects in a few generated firms; ``firm["defect"]`` names the kind."""
    pool = [f for f in firms if not f["named"] and f["lines"] and not f.get("committed")]
    rng.shuffle(pool)
    plan = [("clinker_share", 1), ("coking_hours", 1), ("livelihood", 1), ("uncapped", 1), ("truck_ban", 1),
            ("weak", max(1, round(n * 0.007))), ("missing", max(1, round(n * 0.005))),
            ("zero", max(1, round(n * 0.004))), ("empty", min(5, max(1, round(n / 500))))]
    for kind, wanted in plan:
        for firm in list(islice((f for f in pool if _fits(kind, f)), wanted)):
            pool.remove(firm)
            firm["defect"] = kind
            PLANT[kind](rng, firm)


def _targets(firm, test):
    """(line, measure) pairs of the firm whose measure passes ``test(measure)``."""
    return [(line, m) for line in firm["lines"] for m in line["measures"] if test(m)]


def _undercuttable(m):
    floor = m["_floor"]
    return floor is not None and floor.action in CUTTING and m["action"] == floor.action


def _truck_bannable(m):
    floor = m["_floor"]
    return floor is not None and floor.action != LINE_SHARE and floor.transport != NO_TRANSPORT_RULE


def _share_process(firm):
    """The process of the firm's lines sharing a 按生产线停产 floor at yellow, or None."""
    counts = {}
    for line in firm["lines"]:
        floor = line["measures"][0]["_floor"]
        if floor is not None and floor.action == LINE_SHARE:
            counts[line["process_stage"]] = counts.get(line["process_stage"], 0) + 1
    return next((process for process, count in counts.items() if count > 1), None)


def _fits(kind, firm):
    category, industry = firm["category"], firm["industry"]
    if kind == "clinker_share":
        return industry == "cement_clinker" and firm["grade"] == "C" and _share_process(firm) is not None
    if kind == "coking_hours":
        return bool(_targets(firm, lambda m: m["action"] == COKING_TIME))
    if kind == "livelihood":
        return industry == "heating" and category == "GUARANTEED"
    if kind == "uncapped":
        return category == "GUARANTEED"
    if kind == "truck_ban":
        return bool(_targets(firm, _truck_bannable))
    if kind == "weak":
        return bool(_targets(firm, _undercuttable))
    if kind == "missing":
        return bool(_targets(firm, lambda m: m["_floor"] is None or m["_floor"].action != LINE_SHARE))
    if kind == "empty":
        return industry in EMPTY_INDUSTRIES and firm["small_micro"]
    return True


def _replace(m, measure, line, note=""):
    m.update({f: getattr(measure, f) for f in FIELDS}, text=describe(measure, line["_tpl"], line, note))


def _clinker_share(rng, firm):
    process = _share_process(firm)
    for line in firm["lines"]:
        if line["process_stage"] == process:
            m = line["measures"][0]
            _replace(m, Measure(NONE, transport=m["_floor"].transport), line, "正常生产")


def _coking_hours(rng, firm):
    line, _ = _targets(firm, lambda m: m["action"] == COKING_TIME)[0]
    line["coking_hours"] = None


def _livelihood(rng, firm):
    firm.update(category="LIVELIHOOD", category_reason="")
    for line in firm["lines"]:
        for m in line["measures"]:
            _replace(m, Measure(NONE), line, "民生保障")


def _uncapped(rng, firm):
    for line in firm["lines"]:
        for m in line["measures"]:
            _replace(m, Measure(NONE, transport=m["transport"]), line, "按保障任务正常生产")


def _truck_ban(rng, firm):
    line, m = rng.choice(_targets(firm, _truck_bannable))
    m.update(transport=NO_TRANSPORT_RULE, text=m["text"].removesuffix("；" + TRANSPORT_LABELS[m["_floor"].transport]))


def _weak(rng, firm):
    line, m = rng.choice(_targets(firm, _undercuttable))
    floor = m["_floor"]
    if floor.action in (STOP, HOT_STANDBY):
        weaker = Measure(LIMIT, limit_pct=30.0, transport=floor.transport)
    elif floor.action == LIMIT:
        weaker = Measure(OTHER, other_fraction=floor.limit_pct / 200, transport=floor.transport)
    else:
        weaker = Measure(COKING_TIME, hours=floor.hours - 8, transport=floor.transport)
    _replace(m, weaker, line)


def _missing(rng, firm):
    line, m = rng.choice(_targets(firm, lambda m: m["_floor"] is None or m["_floor"].action != LINE_SHARE))
    line["measures"].remove(m)


def _zero(rng, firm):
    rng.choice(firm["lines"]).update({f"{p}_t_yr": 0.0 for p in POLLUTANTS})


def _empty(rng, firm):
    firm["lines"] = []


PLANT = {"clinker_share": _clinker_share, "coking_hours": _coking_hours, "livelihood": _livelihood,
         "uncapped": _uncapped, "truck_ban": _truck_ban, "weak": _weak, "missing": _missing, "zero": _zero,
         "empty": _empty}
