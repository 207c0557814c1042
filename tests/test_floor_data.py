"""The measure floors of seed/data/measure_floors.csv are consistent: typed, keyed, complete and graded in order.

Pure: reads the seed CSVs and the seeded measure types; no app, no database. Floors are looked up the way the
rules look them up (``Floors.find``: a process row wins, else the industry-wide row; a non-key industry's own
general row wins, else the row for all), so the ladder checks judge the floors lines really get.
"""
import pytest

from emergency.lists.policy import FLOOR_SCOPES, GENERAL_SCOPE, GRADED_SCOPE, SMALL_MICRO_SCOPE, Floor, Floors
from emergency.registry.measures import (
    EPSILON,
    PARAM_FIELDS,
    TRANSPORT_RANK,
    TRANSPORTS,
    LineParams,
    Measure,
    MeasureTypes,
    validate_parts,
)
from seed.load import read_csv

HEADER = ["scope", "industry_code", "grade", "level", "process", "action", "limit_pct", "hours", "cap_pct",
          "other_fraction", "transport", "text", "provisional", "source"]
LEVELS = ("yellow", "orange", "red")
TYPES = MeasureTypes.seeded()
ROWS = read_csv("measure_floors.csv")
INDUSTRIES = {r["code"]: r for r in read_csv("industries.csv")}
GRADES = {r["code"]: r for r in read_csv("grades.csv")}
SCHEMES = {r["code"]: [g for g in r["grades"].split(",") if g] for r in read_csv("grade_schemes.csv")}
KEY_INDUSTRIES = [code for code, r in INDUSTRIES.items() if r["is_key"] == "1"]
# Coking-time floors are compared through their cut on a line with a typical 20-hour normal coking time.
NORMAL_LINE = LineParams(coking_hours=20)


def _number(text):
    return float(text) if text.strip() else None


def measure(row):
    return Measure(row["action"], limit_pct=_number(row["limit_pct"]), other_fraction=_number(row["other_fraction"]),
                   hours=_number(row["hours"]), cap_pct=_number(row["cap_pct"]), transport=row["transport"],
                   text=row["text"])


def floor(row):
    return Floor(measure(row), row["scope"], row["industry_code"] or None, row["grade"] or None, row["level"],
                 row["process"], row["provisional"] == "1", row["source"])


FLOORS = Floors([floor(r) for r in ROWS])


def allowed_grades(code):
    """The industry's grades, best first: its scheme's, plus B- where the industry allows it."""
    industry = INDUSTRIES[code]
    grades = SCHEMES[industry["scheme"]] + (["B-"] if industry["allows_b_minus"] == "1" else [])
    return sorted(grades, key=lambda g: int(GRADES[g]["sort_order"]))


def stronger(a, b):
    """True when floor ``a`` asks for more than floor ``b``, by cut fraction or by transport rule."""
    cut_a, cut_b = a.measure.cut(TYPES, NORMAL_LINE), b.measure.cut(TYPES, NORMAL_LINE)
    return cut_a > cut_b + EPSILON or TRANSPORT_RANK[a.measure.transport] > TRANSPORT_RANK[b.measure.transport]


def describe(f):
    return f"{f.industry_id}/{f.grade_code}/{f.level}/{f.process or '全行业'}: {f.measure.full_label(TYPES)}"


def test_header_is_the_typed_format():
    assert list(ROWS[0]) == HEADER
    assert len(ROWS) > 400


@pytest.mark.parametrize("row", ROWS, ids=lambda r: "/".join(r[k] for k in ("scope", "industry_code", "grade",
                                                                             "level", "process")))
def test_every_row_is_a_valid_typed_measure(row):
    assert row["action"] in TYPES
    kind = TYPES[row["action"]]
    values = {name: _number(row[name]) for name in PARAM_FIELDS.values()}
    assert validate_parts({"action": row["action"], "transport": row["transport"], **values}, TYPES) == {}
    # A parameter is given exactly when the type takes it.
    assert {name for name, value in values.items() if value is not None} == ({kind.param_field} - {None})
    assert row["transport"] in TRANSPORTS and row["level"] in LEVELS and row["provisional"] in ("0", "1")
    assert row["text"].strip() and row["source"].strip() and len(row["source"]) < 300


def test_industries_grades_and_scopes_exist():
    for row in ROWS:
        assert row["scope"] in FLOOR_SCOPES, row
        if row["scope"] == GRADED_SCOPE:
            assert INDUSTRIES[row["industry_code"]]["is_key"] == "1", row
            assert row["grade"] in allowed_grades(row["industry_code"]), row
        else:
            assert row["grade"] == "", row
            assert row["industry_code"] == "" or INDUSTRIES[row["industry_code"]]["is_key"] == "0", row


def test_keys_are_unique():
    keys = [(r["scope"], r["industry_code"], r["grade"], r["level"], r["process"]) for r in ROWS]
    assert len(keys) == len(set(keys))


def test_every_key_industry_has_an_industry_wide_row_for_every_grade_and_level():
    wide = {(r["industry_code"], r["grade"], r["level"]) for r in ROWS if r["scope"] == GRADED_SCOPE
            and not r["process"]}
    expected = {(code, g, lv) for code in KEY_INDUSTRIES for g in allowed_grades(code) for lv in LEVELS}
    assert len(KEY_INDUSTRIES) == 42
    assert wide == expected


def test_general_and_small_micro_floors_cover_every_level():
    for scope in (GENERAL_SCOPE, SMALL_MICRO_SCOPE):
        assert {r["level"] for r in ROWS if r["scope"] == scope and not r["industry_code"]} == set(LEVELS)


def test_self_managed_grades_and_only_they_reduce_voluntarily():
    for row in ROWS:
        self_managed = row["grade"] in GRADES and GRADES[row["grade"]]["self_managed"] == "1"
        assert (row["action"] == "self") == self_managed, row


def _graded_processes(code):
    return sorted({""} | {r["process"] for r in ROWS if r["scope"] == GRADED_SCOPE and r["industry_code"] == code})


def test_a_better_grade_never_gets_a_stronger_floor():
    wrong = []
    for code in KEY_INDUSTRIES:
        grades = allowed_grades(code)
        for process in _graded_processes(code):
            for level in LEVELS:
                found = [FLOORS.find(GRADED_SCOPE, code, g, level, process) for g in grades]
                wrong += [f"{describe(better)} > {describe(worse)}"
                          for better, worse in zip(found, found[1:]) if stronger(better, worse)]
    assert wrong == []


def test_a_higher_alert_level_never_gets_a_weaker_floor():
    cases = [(GRADED_SCOPE, code, g, p) for code in KEY_INDUSTRIES for g in allowed_grades(code)
             for p in _graded_processes(code)]
    for scope in (GENERAL_SCOPE, SMALL_MICRO_SCOPE):
        cases += [(scope, code or None, None, "") for code in {r["industry_code"] for r in ROWS if r["scope"] == scope}]
    wrong = []
    for scope, code, grade, process in cases:
        found = [FLOORS.find(scope, code, grade, level, process) for level in LEVELS]
        wrong += [f"{describe(lower)} > {describe(higher)}"
                  for lower, higher in zip(found, found[1:]) if stronger(lower, higher)]
    assert len(cases) > 150
    assert wrong == []


def test_small_micro_floors_are_never_stronger_than_the_general_ones():
    for level in LEVELS:
        small, general = (FLOORS.find(scope, None, None, level) for scope in (SMALL_MICRO_SCOPE, GENERAL_SCOPE))
        assert small is not None and general is not None
        assert not stronger(small, general), level


def test_only_the_verified_cement_clinker_rows_are_final():
    final = {(r["industry_code"], r["grade"]) for r in ROWS if r["provisional"] == "0"}
    assert final == {("cement_clinker", g) for g in ("A", "B", "C", "D")}
    assert all("暂定" in r["source"] for r in ROWS if r["provisional"] == "1")


@pytest.mark.parametrize("key, process, expected", [
    (("cement_clinker", "C", "yellow"), "", Measure("line_share", limit_pct=50, transport="no_g4")),
    (("cement_clinker", "B", "yellow"), "", Measure("none", transport="no_g4")),
    (("cement_clinker", "D", "yellow"), "", Measure("stop", transport="no_road")),
    (("glass", "B", "red"), "熔窑", Measure("limit", limit_pct=10, transport="no_g4")),
    (("glass", "D", "yellow"), "", Measure("limit", limit_pct=30, transport="no_road")),
    (("coking", "B", "red"), "2号焦炉", Measure("coking_time", hours=36, transport="no_g4")),
    (("coking", "B", "red"), "化产回收", Measure("stop", transport="no_g4")),
    (("coking", "C", "orange"), "焦炉", Measure("coking_time", hours=48, transport="no_g4")),
    (("lime_kiln", "B", "orange"), "", Measure("hot_standby", transport="no_g4")),
    (("steel_long", "C", "orange"), "1号高炉", Measure("line_share", limit_pct=50, transport="no_g4")),
    (("steel_long", "B", "orange"), "烧结机", Measure("stop", transport="no_g4")),
    (("casting", "B", "orange"), "中频炉熔化", Measure("stop", transport="no_g4")),
    (("casting", "B", "orange"), "制芯", Measure("limit", limit_pct=20, transport="no_g4")),
])
def test_spot_checks_from_the_domain_brief(key, process, expected):
    found = FLOORS.find(GRADED_SCOPE, *key, process)
    assert found.measure.key == expected.key


def test_non_key_and_small_micro_spot_checks():
    assert FLOORS.find(GENERAL_SCOPE, "plastics", None, "red").measure.key == Measure(
        "limit", limit_pct=30, transport="no_g4").key
    assert FLOORS.find(GENERAL_SCOPE, "coal_chemical", None, "orange").measure.limit_pct == 30
    assert FLOORS.find(SMALL_MICRO_SCOPE, "plastics", None, "red").measure.key == Measure("none", transport="no_g4").key
