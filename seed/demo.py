"""The synthetic demo registry: about 1,500 Jincheng-shaped enterprises, their lines and measures, and demo logins.

All enterprise data is synthetic. A few firms carry names from the 2020 autumn-winter plan (福盛钢铁, 兴高能源,
沁泽焦化, the Yangcheng power plants, 国投晋城热电, coal mines); every figure about them is invented, and other
names are generated. The UI shows a 演示数据 banner while the ``demo_loaded`` setting is "1".

The whole registry is planned in memory from ``random.Random(seed)`` first, so the same seed and the same
reference data (floors, settings) give the same firms, codes, figures and measures whatever registry rows the
database holds; then only what is missing is inserted (enterprises by credit code, lines by name within their
enterprise, users by username). Existing rows are never changed, so re-running keeps a clerk's edits.
Whole-society baselines are upserted only where the row is missing or still carries the demo source text.

Measures follow the list rules (``seed.demo_measures``): each line takes what the rules apply, or the floor they
judge it against, typed, with its transport rule. 民生 is only for residential heating and life services; coal
power and district heating are 保障类 (以热定产, with a reason); coke ovens extend a normal 18–24 h coking time;
lines that cannot stop quickly keep hot; a clinker C firm with two clinker lines stops one at yellow; a few small
firms under the small-micro threshold are flagged 小微 and take its lighter measures; some A/引领性 firms enter a
voluntary commitment (shown; the check warns that the rule imposes 自主减排 instead).

Defects planted on purpose for the quality check (``seed.demo_defects``; its check code in brackets), each in a
different generated firm, about 2% of firms (32 of 1,500); every other line has no error:
- a clinker C firm runs both clinker lines at yellow [line_share]; a coke oven on 延长结焦时间 lacks its
  normal coking time [no_coking_hours]; a district-heating firm is put in 民生 [classification, on the firm];
  a 保障类 firm enters 不停限产, no capped load [missing_cap]; a line has its floor's cut but not its truck ban
  [below_floor];
- ~0.7% of firms (10): a line weaker than its floor at one level (停产 → 限产30%, 限产X% → “其他” X/2%, or
  coking time 8 h short) [below_floor];
- ~0.5% (8): a line without a measure at one level; only a warning where a rule supplies it [missing_measure];
- ~0.4% (6): a line with zero annual emissions [no_emissions, a warning];
- ≤5 (3 at the default size): small coating, printing, plastics or "other" firms without lines [no_lines].
"""
import random

from sqlalchemy import insert

from emergency.lists.inputs import load_policy
from emergency.registry import credit_code
from emergency.registry.grades import check_classification, reasons_for
from models import (
    POLLUTANTS,
    Category,
    County,
    Enterprise,
    Grade,
    Industry,
    LineMeasure,
    ProductionLine,
    Setting,
    db,
)

from . import demo_data as data
from .demo_defects import plant
from .demo_measures import MeasurePlanner
from .demo_setup import create_logins, upsert_baselines
from .load import DEMO_SETTING

ENTERPRISE_COPY = ("town", "address", "contact_person", "contact_phone", "category_reason", "small_micro",
                   "violation_prev_year")
COKING_HOURS = (18, 24)   # a coke oven's normal coking time (hours)
SMALL_MICRO_FLAGGED = 0.3  # small firms under the threshold that are registered 小微 (and take lighter measures)
class _Reference:
    """Reference rows preloaded once, so planning runs no query per firm."""

    def __init__(self):
        self.counties = {c.name: c for c in db.session.query(County).order_by(County.sort_order)}
        self.industries = {i.code: i for i in db.session.query(Industry)}
        self.categories = {c.code: c for c in db.session.query(Category)}
        self.grades = {g.code: g for g in db.session.query(Grade)}
        self.reasons = {code: reasons_for(code) for code, c in self.categories.items() if c.needs_reason}
        self.measures = MeasurePlanner(load_policy())
        self.threshold = self.measures.policy.small_micro_threshold_t_yr
        self._checked = {}

    def check(self, industry, category, grade):
        """check_classification, cached per combination; a failure is a generator bug."""
        key = (industry, category, grade)
        if key not in self._checked:
            self._checked[key] = check_classification(
                self.industries[industry], self.categories[category], self.grades.get(grade))
        if self._checked[key]:
            raise ValueError(f"demo generator produced an invalid classification {key}: {self._checked[key]}")

    def reason(self, rng, category, profile):
        """A 保障类 firm's reason from its profile, a non-graded firm's drawn; each one a category_reason row."""
        accepted = self.reasons.get(category, [])
        reason = rng.choice(profile.reasons if category == "GUARANTEED" else accepted) if accepted else ""
        if accepted and reason not in accepted:
            raise ValueError(f"demo profile gives a reason that is not in category_reason: {reason}")
        return reason


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


def _lines(ref, rng, firm, profile, count, small):
    """Plan ``count`` lines from the profile's templates; numbered templates repeat as 1#, 2#, ...

    A small firm's emissions are a fraction of the template's; it is flagged 小微 when its total stays under
    the small-micro threshold, so it may take the lighter small-micro measures.
    """
    templates = [data.COAL_UNIT] if firm["named"] and firm["industry"] == "thermal_power" else profile.templates
    numbered = [t for t in templates if "{n}" in t.name]
    sequence = list(templates)
    while numbered and len(sequence) < count:
        sequence += numbered
    used, lines = {}, []
    for tpl in sequence[:count]:
        used[tpl.name] = used.get(tpl.name, 0) + 1
        scale = 0.4 if small else 1.0
        lo, hi = tpl.cap
        capacity = rng.uniform(lo, hi)
        line = {
            "name": tpl.name.format(n=used[tpl.name]), "process_stage": tpl.stage, "facilities": tpl.facilities,
            "capacity": round(capacity, -1) if capacity >= 100 else round(capacity, 1), "capacity_unit": tpl.unit,
            "can_stop_quickly": tpl.quick,
            "operating_days": rng.randint(330, 365) if not tpl.quick else rng.randint(250, 330),
            "coking_hours": round(rng.uniform(*COKING_HOURS) * 2) / 2 if tpl.stage == data.COKE_OVEN else None,
            "_tpl": tpl,
        }
        for pollutant, (low, high) in zip(POLLUTANTS, (tpl.so2, tpl.nox, tpl.pm, tpl.vocs)):
            line[f"{pollutant}_t_yr"] = round(rng.uniform(low, high) * scale, 3) if high else 0.0
        lines.append(line)
    total = sum(line[f"{p}_t_yr"] for line in lines for p in POLLUTANTS)
    firm["small_micro"] = small and total <= ref.threshold and rng.random() < SMALL_MICRO_FLAGGED
    ref.measures.plan(rng, firm, ref.industries[firm["industry"]].id, profile, lines, total)
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
        "category_reason": ref.reason(rng, category, profile),
        "violation_prev_year": not blocked and rng.random() < 0.04,
    }
    small = named_as is None and rng.random() < profile.small
    count = line_count or rng.randint(*profile.lines)
    firm["lines"] = _lines(ref, rng, firm, profile, min(count, 2) if small else count, small)
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
    for industry, category, grade, count in anchors + [(code, None, None, None) for code in industries]:
        if category is None:
            category, grade = _classify(ref, rng, industry)
        weights = data.PROFILES[industry].county or data.COUNTY_WEIGHTS
        firms.append(_firm(ref, rng, names, codes, _weighted(rng, weights), industry, category, grade,
                           line_count=count or lines))
    plant(rng, firms, n)
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
    _bulk(ProductionLine, [{**_columns(line), "enterprise_id": eid} for line, eid in lines])
    line_ids = {(eid, name): lid for lid, eid, name in
                db.session.query(ProductionLine.id, ProductionLine.enterprise_id, ProductionLine.name)}
    _bulk(LineMeasure, [{**_columns(m), "line_id": line_ids[eid, line["name"]]}
                        for line, eid in lines for m in line["measures"]])
    return len(new_firms), len(lines)


def _columns(planned):
    """A planned line's or measure's columns: without its measures and the planning notes (``_`` keys)."""
    return {k: v for k, v in planned.items() if k != "measures" and not k.startswith("_")}


def _bulk(model, rows):
    """One executemany INSERT; column defaults (timestamps, version) apply per row."""
    if rows:
        db.session.execute(insert(model.__table__), rows)


def load_demo(n=1500, seed=2020, lines=None):
    """Load the deterministic synthetic demo registry; idempotent; flushes, never commits."""
    ref = _Reference()
    firms = plan_registry(n, seed, ref, lines)
    new_firms, new_lines = _insert(ref, firms)
    upsert_baselines(ref.counties.values(), seed)
    setting = db.session.get(Setting, DEMO_SETTING) or Setting(key=DEMO_SETTING)
    setting.value = "1"
    db.session.add(setting)
    logins = create_logins(ref, firms)
    db.session.flush()
    db.session.expire_all()  # bulk inserts bypass the identity map: reload any firm already in the session
    return {"enterprises": len(firms), "lines": sum(len(f["lines"]) for f in firms), "logins": logins,
            "new_enterprises": new_firms, "new_lines": new_lines}
