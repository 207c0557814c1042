"""What the demo adds besides the registry (``seed.demo``): a season's whole-society baselines and non-industrial
reductions, and the demo logins."""
import math
import random
from datetime import date

from sqlalchemy import func

from emergency.accounts.users import create_account
from emergency.baseline.seasons import season_by_name
from models import (
    LEVELS,
    POLLUTANTS,
    Enterprise,
    NonIndustrialReduction,
    ProductionLine,
    Season,
    User,
    WholeSocietyEmission,
    db,
)

from . import demo_data as data

PASSWORD = "Demo-2020!"
BASELINE_SOURCE = "演示数据：合成全社会排放基数和非工业源减排量，非真实统计"
LOGINS = [
    ("admin", "admin", None, "系统管理员"),
    ("city", "city", None, "市局工作人员"),
    ("county_zz", "county", "泽州县", "泽州县工作人员"),
    ("county_cq", "county", "城区", "城区工作人员"),
]


def demo_season():
    """The demo's season (2020–2021年秋冬季, labelled 演示数据), created when missing."""
    name, starts, ends = data.SEASON
    season = season_by_name(name)
    if season is None:
        season = Season(name=name, starts_on=date(*starts), ends_on=date(*ends), note=BASELINE_SOURCE)
        db.session.add(season)
        db.session.flush()
    return season


def _industrial_sums():
    sums = db.session.query(Enterprise.county_id, *[
        func.sum(getattr(ProductionLine, f"{p}_t_yr") / ProductionLine.operating_days) for p in POLLUTANTS
    ]).join(ProductionLine, ProductionLine.enterprise_id == Enterprise.id).filter(
        ProductionLine.operating_days > 0).group_by(Enterprise.county_id)
    return {row[0]: row[1:] for row in sums}


def split_baseline(industrial, total):
    """{source type: t/d} of a county's whole-society total: industry's own, the rest split by NON_INDUSTRIAL_SPLIT."""
    industrial = min(math.ceil(industrial * 1000) / 1000, total)
    rest = total - industrial
    split = {"industrial": industrial, **{t: round(rest * share, 3) for t, share in data.NON_INDUSTRIAL_SPLIT.items()}}
    split["other"] = round(max(total - sum(v for t, v in split.items() if t != "other"), 0.0), 6)
    return split


def upsert_baselines(counties, seed):
    """Write the demo season's baselines per source type (each county's total is its industrial baseline over a
    synthetic industry share) and non-industrial reductions, where a figure is missing; never change one."""
    rng = random.Random(f"{seed}:baseline")
    season = demo_season()
    industrial = _industrial_sums()
    baselines = {(r.county_id, r.source_type, r.pollutant)
                 for r in db.session.query(WholeSocietyEmission).filter_by(season_id=season.id)}
    reductions = {(r.county_id, r.level, r.source_type, r.pollutant)
                  for r in db.session.query(NonIndustrialReduction).filter_by(season_id=season.id)}
    for county in counties:
        for i, pollutant in enumerate(POLLUTANTS):
            share = rng.uniform(*data.INDUSTRY_SHARE[pollutant])
            base = (industrial.get(county.id) or [0.0] * 4)[i] or 0.0
            total = math.ceil(base / share * 1000) / 1000 if base > 0 else 0.1
            for source_type, value in split_baseline(base, total).items():
                if (county.id, source_type, pollutant) not in baselines:
                    db.session.add(WholeSocietyEmission(season_id=season.id, county_id=county.id, pollutant=pollutant,
                                                        source_type=source_type, baseline_t_per_day=value))
                for level in LEVELS if source_type in data.NON_INDUSTRIAL_CUTS else ():
                    if (county.id, level, source_type, pollutant) not in reductions:
                        cut = round(value * data.NON_INDUSTRIAL_CUTS[source_type][level], 6)
                        db.session.add(NonIndustrialReduction(season_id=season.id, county_id=county.id, level=level,
                                                              source_type=source_type, pollutant=pollutant,
                                                              reduction_t_per_day=cut))


def _login_firm(ref, firms):
    """The enterprise the demo enterprise login manages (the named graded-B clinker firm in 泽州县)."""
    wanted = [f for f in firms if f["name"] == data.ENTERPRISE_LOGIN_FIRM] or [
        f for f in firms if f["county"] == "泽州县" and f["category"] == "GRADED" and f["lines"]
        and not ref.grades[f["grade"]].self_managed]
    if not wanted:
        return None
    return db.session.query(Enterprise).filter_by(credit_code=wanted[0]["credit_code"]).one_or_none()


def create_logins(ref, firms):
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
