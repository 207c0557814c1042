"""The judgement per firm and alert, on power data built in code: statuses, ratios and the baseline used."""
from datetime import date, timedelta

import pytest

from emergency.supervision.ceilings import ceilings, firm_share, line_share
from emergency.supervision.judgement import (
    LAST_YEAR,
    NO_DATA,
    NOT_JUDGED,
    OBEYED,
    RECENT,
    SUSPECT,
    judge,
    rank_key,
    year_earlier,
)

FIRST = date(2026, 11, 20)
ALERT = [FIRST + timedelta(days=n) for n in range(1, 4)]        # three full days under the alert


def days_before(first, n, kwh):
    return {first - timedelta(days=k): kwh for k in range(1, n + 1)}


def run(use, share, excluded=frozenset()):
    return judge(use, ALERT, {d: share for d in ALERT}, FIRST, excluded, days=14, min_days=7)


def test_the_ceilings_are_provisional_data():
    table = ceilings()
    assert table["stop"].residual == 0.25 and table["hot_standby"].residual == 0.5
    assert all(c.provisional for c in table.values())
    assert line_share("limit", 0.3) == 0.8 and line_share("stop", 1.0) == 0.25
    assert line_share("self", 0.0) is None and line_share("none", 0.0) is None and line_share("heat_led", 0.5) is None
    assert firm_share([("stop", 1.0), ("limit", 0.3)]) == 0.8
    assert firm_share([("stop", 1.0), ("none", 0.0)]) is None


def test_a_stopped_firm_that_obeyed():
    use = days_before(FIRST, 14, 1000.0) | {ALERT[0]: 250.0, ALERT[1]: 100.0, ALERT[2]: 0.0}
    result = run(use, 0.25)
    assert result.status == OBEYED and result.baseline.mean == 1000.0 and result.baseline.source == RECENT
    assert [(d.status, d.ratio) for d in result.days] == [(OBEYED, 0.25), (OBEYED, 0.1), (OBEYED, 0.0)]
    assert result.excess == 0.0


def test_a_stopped_firm_that_did_not():
    use = days_before(FIRST, 14, 1000.0) | {ALERT[0]: 900.0, ALERT[1]: 240.0, ALERT[2]: 500.0}
    result = run(use, 0.25)
    assert result.status == SUSPECT and result.status_label == "疑似未落实"
    assert [(d.status, d.ratio) for d in result.days] == [(SUSPECT, 0.9), (OBEYED, 0.24), (SUSPECT, 0.5)]
    assert result.peak_ratio == 0.9 and result.excess == 650.0 + 250.0


def test_a_limited_firm_on_the_edge_of_the_tolerance():
    share = line_share("limit", 0.3)        # (1 − 30%) + 10 points
    use = days_before(FIRST, 14, 1000.0) | {ALERT[0]: 800.0, ALERT[1]: 800.5, ALERT[2]: None}
    use = {d: v for d, v in use.items() if v is not None}
    result = run(use, share)
    assert [(d.status, d.ratio) for d in result.days] == [(OBEYED, 0.8), (SUSPECT, 0.8005), (NO_DATA, None)]
    assert result.status == SUSPECT and result.excess == pytest.approx(0.5)


def test_no_recent_data_falls_back_to_the_same_days_a_year_earlier():
    recent = days_before(FIRST, 14, 1000.0)
    use = {year_earlier(d): 2000.0 for d in recent}
    use.update({d: 1000.0 for d in list(recent)[:3]})           # three recent days: fewer than seven
    use.update({ALERT[0]: 400.0, ALERT[1]: 600.0, ALERT[2]: 400.0})
    result = run(use, 0.25)
    assert result.baseline.source == LAST_YEAR and result.baseline.mean == 2000.0 and result.baseline.days == 14
    assert result.baseline.label(14) == "上年同期日均（近期数据不足）"
    assert [(d.status, d.ratio) for d in result.days] == [(OBEYED, 0.2), (SUSPECT, 0.3), (OBEYED, 0.2)]


def test_no_data_at_all():
    result = run({}, 0.25)
    assert result.baseline is None and result.status == NO_DATA and result.status_label == "无数据"
    assert [(d.status, d.ratio) for d in result.days] == [(NO_DATA, None)] * 3 and result.peak_ratio is None


def test_days_under_another_alert_are_left_out_of_the_baseline():
    use = days_before(FIRST, 14, 1000.0)
    other_alert = {FIRST - timedelta(days=k) for k in range(1, 8)}
    use.update({d: 100.0 for d in other_alert} | {ALERT[0]: 250.0, ALERT[1]: 250.0, ALERT[2]: 250.0})
    result = run(use, 0.25, other_alert)
    assert result.baseline.mean == 1000.0 and result.baseline.days == 7 and result.status == OBEYED


def test_measures_not_judged():
    result = run(days_before(FIRST, 14, 1000.0) | {ALERT[0]: 1000.0}, None)
    assert result.status == NOT_JUDGED and result.excess == 0.0


def test_ranking_puts_suspects_first_and_positive_list_firms_last_within_a_status():
    rows = [("甲", OBEYED, 0.0, False), ("乙", SUSPECT, 10.0, True), ("丙", SUSPECT, 5.0, False),
            ("丁", NO_DATA, 0.0, False), ("戊", SUSPECT, 50.0, False)]
    ranked = sorted(rows, key=lambda r: rank_key(r[1], r[2], r[3], r[0]))
    assert [r[0] for r in ranked] == ["戊", "丙", "乙", "丁", "甲"]
