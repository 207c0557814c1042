"""The judgement of one firm during one alert, from its daily power use: pure functions on plain values.

Baseline: the daily mean over the N days before the alert's first day, leaving out days under any alert, when at
least M of them have data; else the same calendar days a year earlier (with the same rule); else none. Each
judged day's use is compared with ``ceiling share × baseline``: 落实 at or under it, 疑似未落实 over it (with the
ratio use ÷ baseline), 无数据 without a reading or a baseline. The firm is 疑似未落实 when any day is, 无数据 when
no day could be judged, else 落实; firms rank by their use over the ceiling summed over the alert (kWh).
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

OBEYED, SUSPECT, NO_DATA, NOT_JUDGED = "obeyed", "suspect", "no_data", "not_judged"
STATUS_LABELS = {OBEYED: "落实", SUSPECT: "疑似未落实", NO_DATA: "无数据", NOT_JUDGED: "不研判"}
STATUS_ORDER = {SUSPECT: 0, NO_DATA: 1, OBEYED: 2, NOT_JUDGED: 3}
RECENT, LAST_YEAR = "recent", "last_year"
EPSILON = 1e-9


@dataclass(frozen=True)
class Baseline:
    mean: float            # kWh per day
    source: str            # RECENT or LAST_YEAR
    days: int              # days with data that made the mean

    def label(self, window):
        return f"预警前{window}日日均" if self.source == RECENT else "上年同期日均（近期数据不足）"


@dataclass(frozen=True)
class Day:
    day: date
    kwh: float | None
    share: float | None    # the ceiling as a share of the baseline; None: not judged that day
    status: str
    ratio: float | None = None


@dataclass
class Judgement:
    baseline: Baseline | None
    days: list = field(default_factory=list)
    status: str = NO_DATA
    excess: float = 0.0    # kWh over the ceiling, summed over the judged days

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def peak_ratio(self):
        """The highest ratio of use to baseline over the alert's days, None without any."""
        ratios = [d.ratio for d in self.days if d.ratio is not None]
        return max(ratios) if ratios else None

    @property
    def share(self):
        """The strictest ceiling share of the judged days (what the chart draws)."""
        shares = [d.share for d in self.days if d.share is not None]
        return min(shares) if shares else None


def year_earlier(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:         # 29 February
        return day.replace(year=day.year - 1, day=28)


def recent_window(first_day, days):
    """The ``days`` days before ``first_day``, oldest first."""
    return tuple(first_day - timedelta(days=n) for n in range(days, 0, -1))


@lru_cache(maxsize=64)
def windows(first_day, days):
    """(recent window, the same days a year earlier): every day a baseline may read."""
    recent = recent_window(first_day, days)
    return recent, tuple(year_earlier(d) for d in recent)


def find_baseline(use, first_day, excluded, days, min_days):
    """The Baseline from ``use`` ({day: kWh}), leaving out ``excluded`` days; None when neither window has
    ``min_days`` days with data or the mean is not positive."""
    for source, window in zip((RECENT, LAST_YEAR), windows(first_day, days)):
        found = [use[d] for d in window if d not in excluded and d in use]
        if len(found) >= min_days:
            mean = sum(found) / len(found)
            return Baseline(mean, source, len(found)) if mean > 0 else None
    return None


def judge_day(day, kwh, share, baseline):
    if share is None:
        return Day(day, kwh, None, NOT_JUDGED)
    if kwh is None or baseline is None:
        return Day(day, kwh, share, NO_DATA)
    ratio = kwh / baseline.mean
    return Day(day, kwh, share, OBEYED if ratio <= share + EPSILON else SUSPECT, ratio)


def judge(use, alert_days, shares, first_day, excluded, days=14, min_days=7):
    """The firm's Judgement.

    :param use: {day: kWh} of the firm (its accounts summed), over the alert and both baseline windows.
    :param alert_days: the alert's judged days, in order; ``shares`` {day: ceiling share or None} for each.
    :param first_day: the alert's first day (the baseline ends the day before); ``excluded``: days under alerts.
    """
    baseline = find_baseline(use, first_day, excluded, days, min_days)
    judged = [judge_day(d, use.get(d), shares.get(d), baseline) for d in alert_days]
    result = Judgement(baseline, judged)
    statuses = {d.status for d in judged}
    if judged and statuses == {NOT_JUDGED}:
        result.status = NOT_JUDGED
    elif SUSPECT in statuses:
        result.status = SUSPECT
    elif OBEYED in statuses:
        result.status = OBEYED
    result.excess = sum(max(0.0, d.kwh - d.share * baseline.mean) for d in judged if d.ratio is not None)
    return result


def rank_key(status, excess, positive, name):
    """Sort key: suspect first, then no data, obeyed, not judged; by excess within a status, positive-list firms
    after the others with the same status."""
    return STATUS_ORDER[status], positive, -excess, name
