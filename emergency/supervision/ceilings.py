"""The expected power ceiling of each measure type and the baseline settings, as data.

``seed/data/power_ceilings.csv`` says, per measure type, how the ceiling is found: ``fixed`` (a residual share
of the baseline, e.g. 停产 25%), ``cut`` ((1 − the counted cut fraction) plus a tolerance, e.g. 限产30% → 80%) or
``none`` (not judged: 自主减排, 不停限产, 以热定产/以量定产 of 保障类 firms). Every figure is provisional.
The baseline's window and minimum days are settings (``setting`` rows, seeded from settings.csv).
"""
from dataclasses import dataclass
from functools import cache

from models import Setting, db
from seed.load import read_csv

SETTING_KEYS = ("power_baseline_days", "power_baseline_min_days")


@dataclass(frozen=True)
class Ceiling:
    code: str
    method: str            # fixed, cut or none
    residual: float
    tolerance: float
    provisional: bool
    note: str

    def share(self, cut):
        """The ceiling as a share of the baseline for a line with counted cut fraction ``cut``; None: not judged."""
        if self.method == "fixed":
            return self.residual
        if self.method == "cut":
            # Rounded so that 1 − 0.3 + 0.1 is exactly the 0.8 the bureau reads, not 0.7999….
            return round(min(1.0, max(0.0, 1.0 - (cut or 0.0)) + self.tolerance), 6)
        return None


@cache
def ceilings():
    """{measure type code: Ceiling} from power_ceilings.csv."""
    return {r["code"]: Ceiling(r["code"], r["method"], float(r["residual"] or 0), float(r["tolerance"] or 0),
                               r["provisional"] == "1", r["note"]) for r in read_csv("power_ceilings.csv")}


def line_share(action, cut):
    """The ceiling share of one listed line (its measure type and counted cut), None when it is not judged."""
    ceiling = ceilings().get(action or "")
    return ceiling.share(cut) if ceiling else None


def firm_share(lines):
    """The firm's ceiling share from its lines' [(action, cut)]: the most lenient line's, so a firm is never
    suspected for what one of its lines may do; None when any line is not judged (its use cannot be told apart
    on the firm's meters)."""
    shares = [line_share(action, cut) for action, cut in lines]
    if not shares or any(share is None for share in shares):
        return None
    return max(shares)


@cache
def setting_defaults():
    return {r["key"]: int(float(r["value"])) for r in read_csv("settings.csv") if r["key"] in SETTING_KEYS}


def power_settings():
    """{"power_baseline_days": N, "power_baseline_min_days": M}: the stored values, else the seeded ones."""
    stored = dict(db.session.query(Setting.key, Setting.value).filter(Setting.key.in_(SETTING_KEYS)))
    values = dict(setting_defaults())
    for key in SETTING_KEYS:
        try:
            values[key] = max(1, int(float(stored[key])))
        except (KeyError, ValueError):
            pass
    return values
