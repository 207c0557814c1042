"""What the demo adds besides the registry (``seed.demo``): whole-society baselines and the demo logins."""
import math
import random

from sqlalchemy import func

from emergency.accounts.users import create_account
from models import POLLUTANTS, Enterprise, ProductionLine, User, WholeSocietyEmission, db

from . import demo_data as data

PASSWORD = "Demo-2020!"
BASELINE_SOURCE = "演示数据：合成全社会排放基数，非真实统计"
LOGINS = [
    ("admin", "admin", None, "系统管理员"),
    ("city", "city", None, "市局工作人员"),
    ("county_zz", "county", "泽州县", "泽州县工作人员"),
    ("county_cq", "county", "城区", "城区工作人员"),
]


def upsert_baselines(counties, seed):
    """Upsert whole-society daily baselines: each county's industrial baseline over a synthetic industry share."""
    rng = random.Random(f"{seed}:baseline")
    sums = db.session.query(Enterprise.county_id, *[
        func.sum(getattr(ProductionLine, f"{p}_t_yr") / ProductionLine.operating_days) for p in POLLUTANTS
    ]).join(ProductionLine, ProductionLine.enterprise_id == Enterprise.id).filter(
        ProductionLine.operating_days > 0).group_by(Enterprise.county_id)
    industrial = {row[0]: row[1:] for row in sums}
    rows = {(r.county_id, r.pollutant): r for r in db.session.query(WholeSocietyEmission)}
    for county in counties:
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
