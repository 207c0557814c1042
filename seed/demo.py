"""The synthetic demo registry: about 1,500 Jincheng-shaped enterprises, their lines and measures, and demo logins.

All enterprise data is synthetic. A few firms carry names from the 2020 autumn-winter plan (福盛钢铁, 兴高能源,
沁泽焦化, the Yangcheng power plants, 国投晋城热电, coal mines); every figure about them is invented, and other
names are generated. The UI shows a 演示数据 banner while the ``demo_loaded`` setting is "1".

The whole registry is planned in memory from ``random.Random(seed)`` first, so the same seed gives the same
firms, codes and figures whatever the database holds; then only what is missing is inserted (enterprises by
credit code, lines by name within their enterprise, users by username). Existing rows are never changed, so
re-running keeps a clerk's edits. Whole-society baselines are upserted only where the row is missing or still
carries the demo source text.

Deliberate data-quality defects for the quality check to find. Only generated firms get them, about 2% of all
firms; each defect is in a different firm:
- ~0.8% of firms (12 of 1,500): one graded line is weaker than the guide floor at one level (停产 → 限产30%,
  or 限产 → “其他”削减10%). Where that level is not red, the line's ladder also stops rising;
- ~0.5% (8): one line has no measure at one alert level. If the firm is A/引领性/民生, a rule supplies the
  measure and the check only warns;
- ~0.4% (6): one line has zero annual emissions for every pollutant;
- ≤5 (3 at the default size): small coating, printing, plastics or "other" firms with no production lines.
Everything else passes ``check_classification`` and meets or exceeds its floor.
"""
import math
import random

from sqlalchemy import func, insert

from emergency.accounts.users import create_account
from emergency.registry import credit_code
from emergency.registry.grades import check_classification
from models import (
    LEVELS,
    POLLUTANTS,
    Category,
    County,
    Enterprise,
    Grade,
    Industry,
    LineMeasure,
    MeasureFloor,
    ProductionLine,
    Setting,
    User,
    WholeSocietyEmission,
    db,
)

from . import demo_data as data
from .load import DEMO_SETTING

PASSWORD = "Demo-2020!"
BASELINE_SOURCE = "演示数据：合成全社会排放基数，非真实统计"
TRUCK_BAN = "；禁止使用国四及以下重型载货车辆（含燃气）进行运输"
ROAD_STOP = "；停止公路运输"
GUARANTEE_FRACTIONS = (0.1, 0.15, 0.2)
ENTERPRISE_COPY = ("town", "address", "contact_person", "contact_phone", "small_micro", "violation_prev_year")
EMPTY_INDUSTRIES = {"industrial_coating", "packaging_printing", "plastics", "other"}
LOGINS = [
    ("admin", "admin", None, "系统管理员"),
    ("city", "city", None, "市局工作人员"),
    ("county_zz", "county", "泽州县", "泽州县工作人员"),
    ("county_cq", "county", "城区", "城区工作人员"),
]


class _Reference:
    """Reference rows preloaded once, so planning runs no query per firm."""

    def __init__(self):
        self.counties = {c.name: c for c in db.session.query(County).order_by(County.sort_order)}
        self.industries = {i.code: i for i in db.session.query(Industry)}
        self.categories = {c.code: c for c in db.session.query(Category)}
        self.grades = {g.code: g for g in db.session.query(Grade)}
        self.floors = {(f.industry_id, f.grade_code, f.level): f for f in db.session.query(MeasureFloor)}
        self._checked = {}

    def check(self, industry, category, grade):
        """check_classification, cached per combination; a failure is a generator bug."""
        key = (industry, category, grade)
        if key not in self._checked:
            self._checked[key] = check_classification(
                self.industries[industry], self.categories[category], self.grades.get(grade))
        if self._checked[key]:
            raise ValueError(f"demo generator produced an invalid classification {key}: {self._checked[key]}")


def _weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _apportion(total, weights):
    """Split ``total`` by weight with largest remainders, in a stable order."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (counts[k] - exact[k], k))[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


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


def _limit_text(tpl, line, pct):
    name, cut = line["name"], 1 - pct / 100
    if tpl.limit_style == "coking":
        return f"{name}延长结焦时间至{round(24 / cut)}小时，限产{pct:g}%"
    if tpl.limit_style == "load":
        unit = tpl.unit
        return f"{name}限产{pct:g}%，负荷由{_fmt(line['capacity'])}{unit}降至{_fmt(line['capacity'] * cut)}{unit}以下"
    daily = _daily(line["capacity"], tpl.unit, line["operating_days"]) if tpl.limit_style == "feed" else None
    if daily:
        qty, unit = daily
        return f"限产{pct:g}%，以生产线计，{name}{tpl.feed}由{_fmt(qty)}{unit}降至{_fmt(qty * cut)}{unit}以下"
    return f"{name}限产{pct:g}%，以生产线计"


def _measure(firm, profile, tpl, line, level, action, value, transport=""):
    """One measure row (as a dict) with the text printed on an order."""
    pct = value if action == "limit" else None
    fraction = value if action == "other" else None
    if action == "stop":
        text = f"停止{line['name']}生产，{tpl.stop}" if tpl.quick else f"{line['name']}{tpl.stop}（按停产计）"
    elif action == "limit":
        text = _limit_text(tpl, line, pct)
    elif action == "other" and firm["category"] == "GUARANTEED":
        text = profile.guarantee.format(pct=f"{fraction * 100:g}")
    elif action == "other" and not fraction:
        text = "严格落实污染治理设施稳定运行，加强无组织排放管控"
    elif action == "other":
        what = "降负荷运行，确保污染治理设施稳定达标" if tpl.limit_style == "load" else profile.other_text
        text = f"{what}（削减约{fraction * 100:g}%）"
    elif action == "self":
        text = "鼓励结合实际，自主采取减排措施"
    else:
        text = "民生保障，不采取停限产措施；确保污染治理设施稳定运行、达标排放"
    return {"level": level, "action": action, "limit_pct": pct, "other_fraction": fraction,
            "text": text + transport, "indicators": tpl.indicators}


def _measures(ref, rng, firm, profile, tpl, line):
    """Measures for the three levels, from the firm's category and, for graded firms, the guide floor."""
    industry, category, grade = ref.industries[firm["industry"]], firm["category"], firm["grade"]
    out = []
    for i, level in enumerate(LEVELS):
        if category == "NON_COMPLIANT":
            out.append(_measure(firm, profile, tpl, line, level, "stop", None, ROAD_STOP))
        elif category == "LIVELIHOOD":
            out.append(_measure(firm, profile, tpl, line, level, "none", None))
        elif category == "GUARANTEED":
            out.append(_measure(firm, profile, tpl, line, level, "other", GUARANTEE_FRACTIONS[i]))
        elif grade and ref.grades[grade].self_managed:
            out.append(_measure(firm, profile, tpl, line, level, "self", None))
        elif category == "GRADED" and (floor := ref.floors.get((industry.id, grade, level))):
            value = floor.limit_pct if floor.action == "limit" else floor.other_fraction
            if floor.action == "limit" and rng.random() < 0.15:
                value = min(value + 10, 80)  # some firms commit to more than the floor
            transport = TRUCK_BAN if "国四" in floor.text else ROAD_STOP if "停止公路运输" in floor.text else ""
            out.append(_measure(firm, profile, tpl, line, level, floor.action, value, transport))
        else:
            action, value = profile.general[i]
            out.append(_measure(firm, profile, tpl, line, level, action, value, TRUCK_BAN if i else ""))
    return out


def _lines(ref, rng, firm, profile, count):
    """Plan ``count`` lines from the profile's templates; numbered templates repeat as 1#, 2#, ..."""
    templates = [data.COAL_UNIT] if firm["named"] and firm["industry"] == "thermal_power" else profile.templates
    numbered = [t for t in templates if "{n}" in t.name]
    sequence = list(templates)
    while numbered and len(sequence) < count:
        sequence += numbered
    used, lines = {}, []
    for tpl in sequence[:count]:
        used[tpl.name] = used.get(tpl.name, 0) + 1
        scale = 0.4 if firm["small_micro"] else 1.0
        lo, hi = tpl.cap
        capacity = rng.uniform(lo, hi)
        line = {
            "name": tpl.name.format(n=used[tpl.name]), "process_stage": tpl.stage, "facilities": tpl.facilities,
            "capacity": round(capacity, -1) if capacity >= 100 else round(capacity, 1), "capacity_unit": tpl.unit,
            "can_stop_quickly": tpl.quick,
            "operating_days": rng.randint(330, 365) if not tpl.quick else rng.randint(250, 330),
        }
        for pollutant, (low, high) in zip(POLLUTANTS, (tpl.so2, tpl.nox, tpl.pm, tpl.vocs)):
            line[f"{pollutant}_t_yr"] = round(rng.uniform(low, high) * scale, 3) if high else 0.0
        line["measures"] = _measures(ref, rng, firm, profile, tpl, line)
        lines.append(line)
    return lines


def _firm(ref, rng, names, codes, county, industry, category, grade, named_as=None, line_count=None):
    """Plan one enterprise with its lines; names and credit codes stay unique within the plan."""
    profile = data.PROFILES[industry]
    name, tries = named_as, 0
    while name is None or name in names:
        # Two-word trade names (e.g. 鑫泰宏达) once one-word names run short, so large registries terminate.
        trade = "".join(rng.sample(data.TRADE_WORDS, 1 if tries < 20 else 2))
        name = rng.choice(data.NAME_PREFIXES[county]) + trade + rng.choice(profile.suffixes)
        tries += 1
    names.add(name)
    code = None
    while code is None or code in codes:
        admin = ref.counties[county].code if ref.counties[county].code.isdigit() else data.FALLBACK_ADMIN_CODE
        code = credit_code.make("91" + admin + "".join(rng.choices(credit_code.ALPHABET, k=9)))
    codes.add(code)
    ref.check(industry, category, grade)
    blocked = ref.categories[category].blocked_by_violation or (grade and ref.grades[grade].blocked_by_violation)
    town = rng.choice(data.TOWNS[county])
    firm = {
        "name": name, "credit_code": code, "county": county, "industry": industry, "category": category,
        "grade": grade, "named": named_as is not None, "town": town,
        "address": f"{data.ADDRESS_PREFIX[county]}{town}{rng.choice(data.ROADS)}{rng.randint(1, 288)}号",
        "contact_person": rng.choice(data.CONTACT_SURNAMES) + rng.choice(data.CONTACT_TITLES),
        # Chinese subscriber numbers never start with 0, so these cannot reach a real phone.
        "contact_phone": f"0356-0{rng.randint(0, 999999):06d}",
        "small_micro": named_as is None and rng.random() < profile.small,
        "violation_prev_year": not blocked and rng.random() < 0.04,
    }
    count = line_count or rng.randint(*profile.lines)
    firm["lines"] = _lines(ref, rng, firm, profile, min(count, 2) if firm["small_micro"] else count)
    return firm


def _classify(ref, rng, industry):
    """Draw a category and (where the category needs one) a grade allowed by the industry's scheme."""
    ind = ref.industries[industry]
    category = _weighted(rng, data.PROFILES[industry].categories)
    if category == "GRADED" or (category == "GUARANTEED" and ind.is_key):
        allowed = ind.allowed_grades
        weights = {g: w for g, w in data.GRADE_WEIGHTS[ind.scheme_code].items() if g in allowed}
        if category == "GUARANTEED":
            weights = {g: w for g, w in weights.items() if ref.grades[g].guarantee_eligible}
        return category, _weighted(rng, weights)
    return category, None


def _defects(rng, firms, n):
    """Plant the documented data-quality defects in a few generated (non-named) firms."""
    pool = [f for f in firms if not f["named"] and f["lines"]]
    rng.shuffle(pool)
    plan = [("weak", max(1, round(n * 0.008))), ("missing", max(1, round(n * 0.005))),
            ("zero", max(1, round(n * 0.004))), ("empty", min(5, max(1, round(n / 500))))]
    for kind, wanted in plan:
        for firm in [f for f in pool if _defect_fits(kind, f)][:wanted]:
            pool.remove(firm)
            line = rng.choice(firm["lines"])
            if kind == "weak":
                m = rng.choice([m for m in line["measures"] if m["action"] in ("stop", "limit")])
                if m["action"] == "stop":
                    m.update(action="limit", limit_pct=30.0, text=f"{line['name']}限产30%，以生产线计")
                else:
                    m.update(action="other", limit_pct=None, other_fraction=0.1, text="加强管控，适当降低生产负荷")
            elif kind == "missing":
                line["measures"].remove(rng.choice(line["measures"]))
            elif kind == "zero":
                line.update({f"{p}_t_yr": 0.0 for p in POLLUTANTS})
            else:
                firm["lines"] = []


def _defect_fits(kind, firm):
    if kind == "weak":
        return firm["category"] == "GRADED" and any(
            m["action"] in ("stop", "limit") for line in firm["lines"] for m in line["measures"])
    if kind == "empty":
        return firm["industry"] in EMPTY_INDUSTRIES and firm["small_micro"]
    return True


def plan_registry(n=1500, seed=2020, ref=None, lines=None):
    """Plan the whole demo registry in memory (reads reference tables only); same arguments, same plan.

    :param lines: lines per generated firm (the benchmarks ask for 5); None draws from each industry profile.
    """
    ref, rng = ref or _Reference(), random.Random(seed)
    names, codes, firms = set(), set(), []
    for name, county, industry, category, grade, count in data.NAMED[:n]:
        firms.append(_firm(ref, rng, names, codes, county, industry, category, grade, name, count))
    generic = max(0, n - len(firms))
    anchors = data.ANCHORS[:generic]
    counts = _apportion(generic - len(anchors), {k: p.weight for k, p in data.PROFILES.items() if p.weight})
    industries = [code for code in sorted(counts) for _ in range(counts[code])]
    rng.shuffle(industries)
    for industry, category, grade in anchors + [(code, None, None) for code in industries]:
        if category is None:
            category, grade = _classify(ref, rng, industry)
        weights = data.PROFILES[industry].county or data.COUNTY_WEIGHTS
        firms.append(_firm(ref, rng, names, codes, _weighted(rng, weights), industry, category, grade,
                           line_count=lines))
    _defects(rng, firms, n)
    return firms


def _insert(ref, firms):
    """Add what is missing: firms by credit code, lines by name within a matching firm; returns new counts."""
    # Three executemany INSERTs and two id look-ups instead of a flush per object keep 20,000 firms under 10 s;
    # ORM bulk INSERT ... RETURNING degraded quadratically here.
    existing = {code: (eid, name) for eid, code, name in
                db.session.query(Enterprise.id, Enterprise.credit_code, Enterprise.name)}
    new_firms = [f for f in firms if f["credit_code"] not in existing]
    _bulk(Enterprise, [{"name": f["name"], "credit_code": f["credit_code"], "county_id": ref.counties[f["county"]].id,
                        "industry_id": ref.industries[f["industry"]].id, "category_code": f["category"],
                        "grade_code": f["grade"], **{k: f[k] for k in ENTERPRISE_COPY}} for f in new_firms])
    ids = dict(db.session.query(Enterprise.credit_code, Enterprise.id))
    # A firm whose code is held by a differently named (real) enterprise is left alone.
    owners = [(f, ids[f["credit_code"]]) for f in firms
              if existing.get(f["credit_code"], (0, f["name"]))[1] == f["name"]]
    have_lines = set(db.session.query(ProductionLine.enterprise_id, ProductionLine.name)) if existing else set()
    lines = [(line, eid) for firm, eid in owners for line in firm["lines"] if (eid, line["name"]) not in have_lines]
    _bulk(ProductionLine, [{**{k: v for k, v in line.items() if k != "measures"}, "enterprise_id": eid}
                           for line, eid in lines])
    line_ids = {(eid, name): lid for lid, eid, name in
                db.session.query(ProductionLine.id, ProductionLine.enterprise_id, ProductionLine.name)}
    _bulk(LineMeasure, [{**m, "line_id": line_ids[eid, line["name"]]} for line, eid in lines for m in line["measures"]])
    return len(new_firms), len(lines)


def _bulk(model, rows):
    """One executemany INSERT; column defaults (timestamps, version) apply per row."""
    if rows:
        db.session.execute(insert(model.__table__), rows)


def _baselines(ref, seed):
    """Upsert whole-society daily baselines: each county's industrial baseline over a synthetic industry share."""
    rng = random.Random(f"{seed}:baseline")
    sums = db.session.query(Enterprise.county_id, *[
        func.sum(getattr(ProductionLine, f"{p}_t_yr") / ProductionLine.operating_days) for p in POLLUTANTS
    ]).join(ProductionLine, ProductionLine.enterprise_id == Enterprise.id).filter(
        ProductionLine.operating_days > 0).group_by(Enterprise.county_id)
    industrial = {row[0]: row[1:] for row in sums}
    rows = {(r.county_id, r.pollutant): r for r in db.session.query(WholeSocietyEmission)}
    for county in ref.counties.values():
        for i, pollutant in enumerate(POLLUTANTS):
            share = rng.uniform(*data.INDUSTRY_SHARE[pollutant])
            base = (industrial.get(county.id) or [0.0] * 4)[i] or 0.0
            value = math.ceil(base / share * 1000) / 1000 if base > 0 else 0.1
            row = rows.get((county.id, pollutant))
            if row is None:
                db.session.add(WholeSocietyEmission(county_id=county.id, pollutant=pollutant,
                                                    baseline_t_per_day=value, source=BASELINE_SOURCE))
            elif row.source in ("", BASELINE_SOURCE):  # never overwrite a figure someone entered
                row.baseline_t_per_day, row.source = value, BASELINE_SOURCE


def _login_firm(ref, firms):
    """The enterprise the demo enterprise login manages (the named graded-B clinker firm in 泽州县)."""
    wanted = [f for f in firms if f["name"] == data.ENTERPRISE_LOGIN_FIRM] or [
        f for f in firms if f["county"] == "泽州县" and f["category"] == "GRADED" and f["lines"]
        and not ref.grades[f["grade"]].self_managed]
    if not wanted:
        return None
    return db.session.query(Enterprise).filter_by(credit_code=wanted[0]["credit_code"]).one_or_none()


def _logins(ref, firms):
    """Create the demo logins that do not exist yet; return them all with a Chinese note."""
    existing = {u for (u,) in db.session.query(User.username)}
    firm = _login_firm(ref, firms)
    specs = [(u, role, ref.counties[c] if c else None, None, note) for u, role, c, note in LOGINS]
    if firm is not None:
        specs.append(("enterprise", "enterprise", None, firm, f"企业用户：{firm.name}"))
    for username, role, county, enterprise, _ in specs:
        if username not in existing:
            create_account(username, role, PASSWORD, county_id=county.id if county else None,
                           enterprise_code=enterprise.credit_code if enterprise else None)
    return [{"username": u, "password": PASSWORD, "role": r, "note": note} for u, r, _, _, note in specs]


def load_demo(n=1500, seed=2020, lines=None):
    """Load the deterministic synthetic demo registry; idempotent; flushes, never commits."""
    ref = _Reference()
    firms = plan_registry(n, seed, ref, lines)
    new_firms, new_lines = _insert(ref, firms)
    _baselines(ref, seed)
    setting = db.session.get(Setting, DEMO_SETTING) or Setting(key=DEMO_SETTING)
    setting.value = "1"
    db.session.add(setting)
    logins = _logins(ref, firms)
    db.session.flush()
    db.session.expire_all()  # bulk inserts bypass the identity map: reload any firm already in the session
    return {"enterprises": len(firms), "lines": sum(len(f["lines"]) for f in firms), "logins": logins,
            "new_enterprises": new_firms, "new_lines": new_lines}
