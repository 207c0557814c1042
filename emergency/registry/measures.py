"""The measure vocabulary: measure types (reference data), transport rules, cut fractions and strength.

A measure type is a row of ``measure_type`` (seeded from ``seed/data/measure_types.csv``): its label, the
parameter it takes and, for types without a parameter, its cut fraction (停产 1, 停产保温 0.8, ...). How a
parameter turns into a cut fraction is the closed set ``PARAM_KINDS`` below; everything else is data.
"""
import functools
import math
from dataclasses import dataclass, replace

STOP, HOT_STANDBY, LINE_SHARE, LIMIT, COKING_TIME = "stop", "hot_standby", "line_share", "limit", "coking_time"
HEAT_LED, ORDER_LED, OTHER, SELF, NONE = "heat_led", "order_led", "other", "self", "none"

# How a type's parameter gives its cut fraction. pct: X% → X/100 (限产, 按生产线停产); hours: extended coking
# time N → 1 − normal ÷ N; cap: load capped at X% → 1 − X/100; fraction: as stated (其他); "" : fixed.
PCT, HOURS, CAP, FRACTION = "pct", "hours", "cap", "fraction"
PARAM_KINDS = ("", PCT, HOURS, CAP, FRACTION)
# The measure column holding each kind's parameter.
PARAM_FIELDS = {PCT: "limit_pct", HOURS: "hours", CAP: "cap_pct", FRACTION: "other_fraction"}
PARAM_LABELS = {PCT: "比例（%）", HOURS: "延长后的结焦时间（小时）", CAP: "负荷上限（%）", FRACTION: "削减比例（0–1）"}
MAX_COKING_HOURS = 240

# Road-transport rules, weakest first (2020 guide: B/C firms ban 国四-and-below heavy trucks, D stops road transport).
NO_TRANSPORT_RULE, NO_G4_TRUCKS, NO_ROAD_TRANSPORT = "none", "no_g4", "no_road"
TRANSPORTS = (NO_TRANSPORT_RULE, NO_G4_TRUCKS, NO_ROAD_TRANSPORT)
TRANSPORT_LABELS = {NO_TRANSPORT_RULE: "无运输管控", NO_G4_TRUCKS: "禁止国四及以下重型载货车辆（含燃气）运输",
                    NO_ROAD_TRANSPORT: "停止公路运输"}
TRANSPORT_RANK = {code: rank for rank, code in enumerate(TRANSPORTS)}

# Cut fractions are compared to within this margin (they are products of user-entered floats).
EPSILON = 1e-9


@dataclass(frozen=True)
class MeasureType:
    """One measure type: its label, parameter kind, fixed fraction and how orders treat it."""

    code: str
    label: str
    param: str = ""
    fraction: float = 0.0
    # Counts as a stopped line when a floor asks for a share of lines to stop (停产, 停产保温).
    stops_line: bool = False
    # stop / limit / capped / self / none: what kind of notice a line with this measure gets.
    order_kind: str = "none"
    template: str = ""
    sort_order: int = 0
    provisional: bool = False
    note: str = ""

    @property
    def param_field(self):
        return PARAM_FIELDS.get(self.param)


class MeasureTypes:
    """The measure types by code, in display order; built from table rows or from the seed file."""

    def __init__(self, types):
        self.by_code = {t.code: t for t in sorted(types, key=lambda t: (t.sort_order, t.code))}

    @classmethod
    def from_rows(cls, rows):
        """Build from objects or dicts with the ``MeasureType`` fields (ORM rows or CSV rows)."""
        get = (lambda r, k: r.get(k)) if rows and isinstance(rows[0], dict) else getattr
        return cls([MeasureType(
            code=get(r, "code"), label=get(r, "label"), param=get(r, "param") or "",
            fraction=float(get(r, "fraction") or 0.0), stops_line=_flag(get(r, "stops_line")),
            order_kind=get(r, "order_kind") or "none", template=get(r, "template") or "",
            sort_order=int(get(r, "sort_order") or 0), provisional=_flag(get(r, "provisional")),
            note=get(r, "note") or "") for r in rows])

    @classmethod
    @functools.cache
    def seeded(cls):
        """The types of ``seed/data/measure_types.csv``: for pure tests and as the loader's source."""
        from seed.load import read_csv

        return cls.from_rows(read_csv("measure_types.csv"))

    def __getitem__(self, code):
        return self.by_code[code]

    def __contains__(self, code):
        return code in self.by_code

    @property
    def codes(self):
        return tuple(self.by_code)

    def choices(self):
        return [(t.code, t.label) for t in self.by_code.values()]

    @property
    def labels(self):
        return {t.code: t.label for t in self.by_code.values()}


def _flag(value):
    return value is True or str(value).strip() in ("1", "true", "True", "是")


@dataclass(frozen=True)
class LineParams:
    """What a cut fraction needs to know about the line it applies to."""

    can_stop_quickly: bool = True
    coking_hours: float | None = None   # the line's normal coking time (hours), for 延长结焦时间
    capacity: float | None = None


ANY_LINE = LineParams()


@dataclass(frozen=True)
class Measure:
    """A plain measure value, as entered on a line or written in a floor row."""

    action: str
    limit_pct: float | None = None
    other_fraction: float | None = None
    hours: float | None = None
    cap_pct: float | None = None
    transport: str = NO_TRANSPORT_RULE
    text: str = ""
    indicators: str = ""

    @classmethod
    def of(cls, row):
        """Build from any object with the measure columns (a line measure, a floor row)."""
        return cls(action=row.action, limit_pct=row.limit_pct, other_fraction=row.other_fraction,
                   hours=getattr(row, "hours", None), cap_pct=getattr(row, "cap_pct", None),
                   transport=getattr(row, "transport", None) or NO_TRANSPORT_RULE,
                   text=getattr(row, "text", "") or "", indicators=getattr(row, "indicators", "") or "")

    @property
    def key(self):
        """What a verdict on this measure can depend on (texts excluded)."""
        return (self.action, self.limit_pct, self.other_fraction, self.hours, self.cap_pct, self.transport)

    def with_text(self, text):
        return replace(self, text=text)

    def cut(self, types, line=ANY_LINE):
        """The share of the line's emissions this measure removes, or None when it cannot be computed."""
        kind = types[self.action]
        if kind.param == PCT:
            return (self.limit_pct or 0.0) / 100.0
        if kind.param == CAP:
            return max(0.0, 1.0 - (self.cap_pct if self.cap_pct is not None else 100.0) / 100.0)
        if kind.param == FRACTION:
            return self.other_fraction or 0.0
        if kind.param == HOURS:
            if not line.coking_hours or not self.hours:
                return None
            return max(0.0, 1.0 - line.coking_hours / self.hours)
        return kind.fraction

    def label(self, types):
        """A short Chinese label: 停产, 限产30%, 延长结焦时间至36小时, 以热定产（负荷不超过70%）..."""
        kind = types[self.action]
        if not kind.template:
            return kind.label
        value = getattr(self, kind.param_field) if kind.param_field else None
        if value is None:
            return kind.label
        if kind.param == FRACTION:
            value *= 100
        return kind.template.format(value=f"{value:g}")

    def transport_label(self):
        return "" if self.transport == NO_TRANSPORT_RULE else TRANSPORT_LABELS[self.transport]

    def full_label(self, types):
        """The label with the transport rule: 限产20%；禁止国四及以下重型载货车辆（含燃气）运输."""
        return "；".join(p for p in (self.label(types), self.transport_label()) if p)


def weaker_than(entered, floor, types, line=ANY_LINE):
    """Chinese reasons why ``entered`` is weaker than ``floor`` on ``line`` (empty when it is not).

    Strength is the cut fraction and, separately, the transport rule: a measure is weaker if either is.
    A floor of 按生产线停产 is judged per enterprise (``rules``), so it never makes one line weaker here.
    """
    reasons = []
    if TRANSPORT_RANK[entered.transport] < TRANSPORT_RANK[floor.transport]:
        reasons.append(f"运输管控弱于底线（应{TRANSPORT_LABELS[floor.transport]}）")
    if floor.action == LINE_SHARE:
        return reasons
    floor_cut, entered_cut = floor.cut(types, line), entered.cut(types, line)
    if floor_cut is None or entered_cut is None:
        if entered.action == floor.action == COKING_TIME:
            if (entered.hours or 0) < (floor.hours or 0):
                reasons.append(f"延长结焦时间不足（底线：{floor.hours:g}小时）")
        elif floor_cut is None or (floor_cut or 0) > 0:
            reasons.append("未填写生产线正常结焦时间，无法核算延长结焦时间措施")
        return reasons
    if entered_cut < floor_cut - EPSILON:
        reasons.append(f"削减比例{_pct(entered_cut)}低于底线{_pct(floor_cut)}")
    return reasons


def _pct(fraction):
    return f"{fraction * 100:.4g}%"


def validate_parts(measure, types):
    """Return {field: Chinese message} for an inconsistent measure; ``measure`` is a dict of its columns."""
    action = measure.get("action")
    if action not in types:
        return {"action": "请选择措施类型"}
    kind, errors = types[action], {}
    if kind.param:
        name = kind.param_field
        value = measure.get(name)
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            errors[name] = f"“{kind.label}”须填写{PARAM_LABELS[kind.param]}"
        else:
            message = _param_error(kind, value)
            if message:
                errors[name] = message
    if (measure.get("transport") or NO_TRANSPORT_RULE) not in TRANSPORTS:
        errors["transport"] = "请选择运输管控要求"
    return errors


def _param_error(kind, value):
    if kind.param == PCT and not 0 < value < 100:
        return f"{kind.label}比例应大于0且小于100（100%请选择停产）"
    if kind.param == CAP and not 0 < value <= 100:
        return "负荷上限应大于0且不超过100（%）"
    if kind.param == FRACTION and not 0 <= value <= 1:
        return "削减比例应在0到1之间"
    if kind.param == HOURS and not 0 < value <= MAX_COKING_HOURS:
        return f"延长后的结焦时间应大于0且不超过{MAX_COKING_HOURS}小时"
    return None


def clean_params(measure, types):
    """The measure's columns with every parameter its type does not take set to None."""
    kind = types[measure["action"]] if measure.get("action") in types else None
    clean = dict(measure)
    for name in PARAM_FIELDS.values():
        if kind is None or kind.param_field != name:
            clean[name] = None
    clean["transport"] = clean.get("transport") or NO_TRANSPORT_RULE
    return clean
