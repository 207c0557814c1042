"""The bench's report: one verdict line per target, and the load run's form filling."""
import urllib.parse

import pytest

from bench import verdicts
from bench.webform import filled


@pytest.fixture(autouse=True)
def _no_recorded(monkeypatch):
    monkeypatch.setattr(verdicts, "RECORDED", [])


def test_each_target_ends_the_report_as_one_verdict_line_in_order():
    verdicts.at_most("red export / xlsxwriter floor", 1.234, 1.15, "×")
    verdicts.below("import peak memory", 480, 500, " MB")
    verdicts.at_least("throughput with edits / read-only", 0.95, 0.90)
    verdicts.not_measured("registry export / its floor", "≤ 1.50×", "no floor task")
    assert verdicts.report() == [
        "VERDICT red export / xlsxwriter floor: 1.23× (target ≤ 1.15×) missed",
        "VERDICT import peak memory: 480 MB (target < 500 MB) met",
        "VERDICT throughput with edits / read-only: 0.95 (target ≥ 0.90) met",
        "VERDICT registry export / its floor: not measured (no floor task) (target ≤ 1.50×) missed",
    ]


def test_a_limit_reached_exactly_is_met_at_most_but_not_below():
    assert verdicts.at_most("p95", 300, 300, " ms").met
    assert not verdicts.below("memory", 500, 500, " MB").met


def test_a_value_a_hair_under_its_target_does_not_print_as_the_target():
    line = verdicts.at_least("throughput with edits / read-only", 0.8984, 0.9).line()
    assert line == "VERDICT throughput with edits / read-only: 0.898 (target ≥ 0.900) missed"
    assert verdicts.at_most("red export / floor", 1.5, 1.15, "×").line() == \
        "VERDICT red export / floor: 1.50× (target ≤ 1.15×) missed"


PAGE = """<form method="post" action="/logout"><input name="csrf_token" type="hidden" value="t0"></form>
<form method="post"><input name="csrf_token" type="hidden" value="t1"><input name="name" value="甲企业">
<input name="contact_phone" value="">
<select name="county_id"><option value="">请选择</option><option value="3" selected>城区</option></select>
<select name="grade_code"><option value="">（不填）</option><option value="B">B级</option></select>
<input type="checkbox" name="small_micro" value="y"><input type="checkbox" name="access_control" value="y" checked>
<textarea name="note">原有
说明</textarea><input type="submit" value="保存"></form>"""


def test_the_edit_fills_the_form_holding_the_field_keeping_every_other_value():
    body = dict(urllib.parse.parse_qsl(filled(PAGE.encode(), contact_phone="0356-1"), keep_blank_values=True))
    assert body == {"csrf_token": "t1", "name": "甲企业", "contact_phone": "0356-1", "county_id": "3",
                    "grade_code": "", "access_control": "y", "note": "原有\n说明"}


def test_a_form_without_the_field_is_an_error():
    with pytest.raises(KeyError, match="phone"):
        filled(PAGE.encode(), phone="1")
