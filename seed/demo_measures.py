"""The demo's measures: what each planned line takes at each alert level, taken from the rules themselves.

For every line and level the planner asks the list rules what they apply to the line when nothing is entered
(``rules.effective_measure``): the imposed measure for 不纳入绩效分级, A/引领性 and 民生 firms, or else the floor
the line is judged against (graded by process, general for 一般管控, small-micro under the threshold). That
measure is written typed, with its transport rule, a readable Chinese text and the line's check indicators, so
every line meets its floor by construction. 保障类 lines take a capped load (以热定产 / 以量定产). Where a floor
asks a share of a process's lines to stop (停产50%，以生产线计), the biggest lines stop until the share is
reached and the others keep running; a process with one line takes the share itself.
"""
from emergency.lists.rules import (
    SELF_MANAGED_TEXT,
    EnteredWithFloor,
    EnterpriseFacts,
    LineFacts,
    Livelihood,
    NonCompliant,
    SelfManagedGrade,
    SmallMicro,
    effective_measure,
)
from emergency.registry.measures import (
    COKING_TIME,
    EPSILON,
    HEAT_LED,
    HOT_STANDBY,
    LIMIT,
    LINE_SHARE,
    NO_G4_TRUCKS,
    NO_TRANSPORT_RULE,
    NONE,
    ORDER_LED,
    OTHER,
    SELF,
    STOP,
    TRANSPORT_LABELS,
    LineParams,
    Measure,
)
from emergency.text import fold
from models import LEVELS

# Rules that impose their own measure; the others judge the entered one against ``verdict.floor``.
IMPOSING = (NonCompliant.name, SelfManagedGrade.name, Livelihood.name)
HEAT_STAGES = ("供热", "发电", "供暖")
GUARANTEE_CAPS = (90, 85, 80)     # a 保障类 firm's load cap at yellow; each level below lowers it by 10
COMMITMENT_SHARE = 0.15           # A/引领性 firms that commit to a voluntary cut (their first line, at red)
BOOST_SHARE = 0.15                # graded lines that limit more than a 限产 floor asks
ENTERPRISE_KEY = ("category_code", "grade_code", "industry_id", "category_reason", "small_micro", "annual_t_yr")
FIELDS = ("action", "limit_pct", "other_fraction", "hours", "cap_pct", "transport")


def _fmt(value):
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _daily(capacity, unit, days):
    """Turn an annual capacity into a daily quantity and unit for 限产 text, when the unit allows."""
    if unit == "吨/日":
        return capacity, "吨"
    if unit.endswith("/年"):
        base = unit[:-2]
        return (capacity * 10000 / days, base[1:]) if base.startswith("万") else (capacity / days, base)
    return None


def limit_text(tpl, line, pct):
    """限产 text with the quantity the line may still produce, where its capacity unit allows."""
    name, cut = line["name"], 1 - pct / 100
    if tpl.limit_style == "load":
        unit = tpl.unit
        return f"{name}限产{pct:g}%，负荷由{_fmt(line['capacity'])}{unit}降至{_fmt(line['capacity'] * cut)}{unit}以下"
    daily = _daily(line["capacity"], tpl.unit, line["operating_days"]) if tpl.limit_style == "feed" else None
    if daily:
        qty, unit = daily
        return f"限产{pct:g}%，以生产线计，{name}{tpl.feed}由{_fmt(qty)}{unit}降至{_fmt(qty * cut)}{unit}以下"
    return f"{name}限产{pct:g}%，以生产线计"


# What each measure type tells the line to do; the transport rule follows (``describe``).
WHAT = {
    STOP: lambda m, tpl, line: f"{line['name']}停产：{tpl.stop}",
    HOT_STANDBY: lambda m, tpl, line: f"{line['name']}停产保温：{tpl.stop}",
    LIMIT: lambda m, tpl, line: limit_text(tpl, line, m.limit_pct),
    LINE_SHARE: lambda m, tpl, line: f"停产{m.limit_pct:g}%，以生产线计（{line['name']}）",
    COKING_TIME: lambda m, tpl, line: (f"{line['name']}延长结焦时间至{m.hours:g}小时（正常结焦时间"
                                       f"{line['coking_hours']:g}小时），相应减少装煤量"),
    HEAT_LED: lambda m, tpl, line: f"以热定产：{line['name']}负荷不超过{m.cap_pct:g}%",
    ORDER_LED: lambda m, tpl, line: f"以量定产：仅完成保障任务，{line['name']}负荷不超过{m.cap_pct:g}%",
    SELF: lambda m, tpl, line: SELF_MANAGED_TEXT,
    OTHER: lambda m, tpl, line: f"加强管控，适当降低生产负荷（削减约{m.other_fraction * 100:g}%）",
    NONE: lambda m, tpl, line: "不停产不限产",
}


def describe(measure, tpl, line, note=""):
    """The order text of ``measure`` on ``line``: what to do, then the transport rule; ``note`` adds context."""
    parts = [WHAT[measure.action](measure, tpl, line) + (f"，{note}" if note else "")]
    if measure.transport != NO_TRANSPORT_RULE:
        parts.append(TRANSPORT_LABELS[measure.transport])
    return "；".join(parts)


def as_row(measure, level, line, note="", floor=None, text=None):
    """A measure row (dict) for the insert; ``_floor`` (dropped on insert) is the floor the defects weaken."""
    tpl = line["_tpl"]
    return {"level": level, **{f: getattr(measure, f) for f in FIELDS},
            "text": text or describe(measure, tpl, line, note), "indicators": tpl.indicators, "_floor": floor}


class MeasurePlanner:
    """Measures of planned firms from the rules' ``Policy`` (``inputs.load_policy``), read once."""

    def __init__(self, policy):
        self.policy = policy
        self._memo = {}

    def target(self, enterprise, line, level):
        """The rules' verdict with nothing entered, memoised on plain tuples (most lines share their inputs):
        ``enterprise`` holds ``EnterpriseFacts``' fields, ``line`` (can_stop_quickly, coking_hours, process)."""
        key = (enterprise, line, level)
        found = self._memo.get(key)
        if found is None:
            facts = LineFacts(LineParams(line[0], line[1]), line[2])
            firm = EnterpriseFacts(**dict(zip(ENTERPRISE_KEY, enterprise)))
            found = self._memo[key] = effective_measure(firm, facts, None, level, self.policy)
        return found

    def plan(self, rng, firm, industry_id, profile, lines, total):
        """Set ``line["measures"]`` on each planned line of ``firm`` (``total``: its emissions, t/yr);
        ``firm["committed"]`` when it entered a voluntary commitment."""
        enterprise = (firm["category"], firm["grade"], industry_id, firm["category_reason"], firm["small_micro"],
                      round(total, 6) if firm["small_micro"] else 0.0)
        facts = [(line["can_stop_quickly"], line["coking_hours"], line["process_stage"]) for line in lines]
        self_managed = self.target(enterprise, facts[0], LEVELS[-1]).rule == SelfManagedGrade.name
        committed = firm["committed"] = rng.random() < COMMITMENT_SHARE and self_managed
        cap = rng.choice(GUARANTEE_CAPS)
        for line in lines:
            line["measures"] = []
        for index, level in enumerate(LEVELS):
            verdicts = [self.target(enterprise, f, level) for f in facts]
            shares = _share_groups(lines, verdicts)
            for line, verdict in zip(lines, verdicts):
                if id(line) in shares:
                    measure, note = shares[id(line)]
                    row = as_row(measure, level, line, note, floor=verdict.floor)
                elif firm["category"] == "GUARANTEED":
                    row = self._capped(line, level, cap - 10 * index, profile.guarantee)
                elif verdict.rule in IMPOSING:
                    row = self._imposed(rng, verdict, line, level, committed and line is lines[0])
                else:
                    row = self._floor(rng, verdict, line, level)
                line["measures"].append(row)

    @staticmethod
    def _capped(line, level, cap, note):
        kind = HEAT_LED if line["process_stage"] in HEAT_STAGES else ORDER_LED
        transport = NO_TRANSPORT_RULE if level == LEVELS[0] else NO_G4_TRUCKS
        return as_row(Measure(kind, cap_pct=float(cap), transport=transport), level, line, note)

    @staticmethod
    def _imposed(rng, verdict, line, level, committed):
        if verdict.rule == SelfManagedGrade.name and committed and level == LEVELS[-1]:
            pct = rng.choice((10.0, 20.0))   # a voluntary commitment: shown, not counted
            return as_row(Measure(LIMIT, limit_pct=pct), level, line, text=f"企业承诺：{line['name']}自愿限产{pct:g}%")
        note = "民生保障，确保污染治理设施稳定运行、达标排放" if verdict.rule == Livelihood.name else ""
        return as_row(verdict.measure, level, line, note)

    @staticmethod
    def _floor(rng, verdict, line, level):
        floor = verdict.floor or Measure(NONE)
        measure = floor
        if floor.action == LIMIT and verdict.rule == EnteredWithFloor.name and rng.random() < BOOST_SHARE:
            measure = Measure(LIMIT, limit_pct=min(floor.limit_pct + 10, 80.0), transport=floor.transport)
        note = "小微涉气企业视情减少管控措施" if verdict.rule == SmallMicro.name else ""
        if measure.action == NONE and not note:
            note = "加强无组织排放管控"
        return as_row(measure, level, line, note, floor=verdict.floor)


def _share_groups(lines, verdicts):
    """{id(line): (measure, note)} for lines under a 按生产线停产 floor, grouped by floor and process as the rules
    group them: the biggest lines stop (kept hot where they cannot stop quickly) until the share is reached and
    the others run; a process with one line takes the floor's share itself."""
    groups = {}
    for line, verdict in zip(lines, verdicts):
        floor = verdict.floor
        if floor is not None and floor.action == LINE_SHARE and verdict.rule == EnteredWithFloor.name:
            groups.setdefault((floor.key, fold(line["process_stage"])), []).append((line, floor))
    found = {}
    for members in groups.values():
        floor = members[0][1]
        if len(members) == 1:
            found[id(members[0][0])] = (floor, "")
            continue
        wanted, done, stopped = floor.limit_pct / 100 * sum(line["capacity"] for line, _ in members), 0.0, {}
        for line, _ in sorted(members, key=lambda m: -m[0]["capacity"]):
            if done + EPSILON >= wanted:
                break
            stopped[id(line)] = line["name"]
            done += line["capacity"]
        for line, _ in members:
            if id(line) in stopped:
                stop = Measure(STOP if line["can_stop_quickly"] else HOT_STANDBY, transport=floor.transport)
                found[id(line)] = (stop, f"本企业该工序按生产线停产{floor.limit_pct:g}%")
            else:
                run = Measure(NONE, transport=floor.transport)
                found[id(line)] = (run, f"该工序的减排由{'、'.join(stopped.values())}承担")
    return found
