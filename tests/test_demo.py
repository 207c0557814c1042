"""The synthetic demo registry: shape, measures under the corrected rules, planted defects, idempotency,
determinism, baselines and CLI."""
import hashlib
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from emergency.baseline import amounts
from emergency.baseline.seasons import season_in_force
from emergency.lists.accounting import accumulator_for
from emergency.lists.inputs import RuleInputs, load_policy
from emergency.lists.listing import iter_list_rows
from emergency.lists.quality import ERROR, WARNING, run_checks
from emergency.registry import credit_code
from emergency.registry.grades import check_classification, reasons_for
from emergency.registry.measures import TRANSPORTS, clean_params, validate_parts
from emergency.registry.operations import measure_types
from models import (
    LEVELS,
    NON_INDUSTRIAL_TYPES,
    POLLUTANTS,
    SOURCE_TYPES,
    Category,
    County,
    Enterprise,
    Grade,
    LineMeasure,
    NonIndustrialReduction,
    ProductionLine,
    Setting,
    User,
    WholeSocietyEmission,
    db,
)
from seed.demo import load_demo, plan_registry
from seed.demo_defects import DEFECT_CHECKS
from seed.demo_setup import BASELINE_SOURCE, PASSWORD, demo_season
from seed.load import demo_loaded
from tests.conftest import wipe

USERNAMES = ("admin", "city", "county_zz", "county_cq", "enterprise")
MEASURE_COLUMNS = ("action", "limit_pct", "other_fraction", "hours", "cap_pct", "transport")
# The planted defects a check only warns about; every other one is an error.
WARNED = {"no_emissions", "missing_measure"}


def _load(**kw):
    summary = load_demo(**kw)
    db.session.commit()
    return summary


def _count(model):
    return db.session.query(func.count()).select_from(model).scalar()


def _counts():
    return {m.__name__: _count(m) for m in (Enterprise, ProductionLine, LineMeasure, User, WholeSocietyEmission)}


def _wipe():
    """Delete everything but reference data, as the autouse fixture does after each test."""
    wipe()
    db.session.expunge_all()


def _enterprises():
    """Every enterprise with its lines and measures loaded in a few queries."""
    return db.session.query(Enterprise).options(selectinload(Enterprise.lines)).order_by(Enterprise.credit_code).all()


def _digest():
    """A hash of every demo value that matters, independent of row ids."""
    parts = []
    for e in _enterprises():
        parts.append(repr((e.credit_code, e.name, e.county.name, e.industry.code, e.category_code, e.grade_code,
                           e.category_reason, e.town, e.address, e.small_micro, e.violation_prev_year)))
        for line in sorted(e.lines, key=lambda x: x.name):
            parts.append(repr((line.name, line.process_stage, line.capacity, line.operating_days,
                               line.can_stop_quickly, line.coking_hours, *[line.annual(p) for p in POLLUTANTS])))
            for m in sorted(line.measures, key=lambda x: x.level):
                parts.append(repr((m.level, *[getattr(m, c) for c in MEASURE_COLUMNS], m.text, m.indicators)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _planted():
    """{credit code: defect kind} of the default plan, and the codes of firms that entered a commitment."""
    plan = plan_registry()
    return ({f["credit_code"]: f["defect"] for f in plan if f.get("defect")},
            {f["credit_code"] for f in plan if f.get("committed")})


@pytest.fixture
def demo():
    """The default-size demo, loaded and committed; returns its summary."""
    return _load()


def test_demo_registry_is_valid_and_covers_every_class(demo):
    enterprises = _enterprises()
    assert demo["enterprises"] == len(enterprises) == 1500
    assert demo["lines"] == _count(ProductionLine)

    planted, _ = _planted()
    invalid = {e.credit_code for e in enterprises if check_classification(e.industry, e.category, e.grade)}
    assert invalid == {code for code, kind in planted.items() if kind == "livelihood"} and len(invalid) == 1
    assert {e.category_code for e in enterprises} == {c.code for c in db.session.query(Category)}
    assert {e.grade_code for e in enterprises} - {None} == {g.code for g in db.session.query(Grade)}
    assert {e.county_id for e in enterprises} == {c.id for c in db.session.query(County)}
    by_county = Counter(e.county.name for e in enterprises)
    assert min(by_county["泽州县"], by_county["高平市"], by_county["阳城县"]) > max(by_county["城区"], by_county["陵川县"])

    codes = [e.credit_code for e in enterprises]
    assert len(set(codes)) == len(codes)
    assert all(credit_code.validate(code) is None for code in codes)
    assert len({e.name for e in enterprises}) == len(enterprises)
    assert any(e.small_micro for e in enterprises) and any(e.violation_prev_year for e in enterprises)
    # Last year's violators are never given a grade or category the Jincheng rule blocks.
    for e in enterprises:
        if e.violation_prev_year:
            assert not e.category.blocked_by_violation and not (e.grade and e.grade.blocked_by_violation)
    names = {e.name for e in enterprises}
    assert {"晋城福盛钢铁有限公司", "阳城国际发电有限责任公司", "山西明源集团沁泽焦化有限公司"} <= names

    types = measure_types()
    used = Counter()
    for e in enterprises:
        assert len(e.lines) <= 6
        for line in e.lines:
            assert 250 <= line.operating_days <= 365
            if "焦炉" in line.name or "高炉" in line.name or "石灰窑" in line.name:
                assert not line.can_stop_quickly
            for m in line.measures:
                values = {c: getattr(m, c) for c in MEASURE_COLUMNS}
                # Typed: a known type, its parameter present and in range, no parameter it does not take.
                assert validate_parts(values, types) == {} and clean_params(values, types) == values, values
                assert m.level in LEVELS and m.transport in TRANSPORTS and m.text and m.indicators
                used[m.action] += 1
    assert set(used) == set(types.codes)   # every measure type appears (其他 only in a planted defect)


def test_the_quality_check_finds_exactly_the_planted_defects(demo):
    planted, committed = _planted()
    assert set(planted.values()) == set(DEFECT_CHECKS)
    assert len(planted) <= 0.025 * 1500
    assert Counter(planted.values())["weak"] >= 5 and Counter(planted.values())["missing"] >= 5
    codes = dict(db.session.query(Enterprise.id, Enterprise.credit_code))

    found = defaultdict(set)
    for f in run_checks().findings:
        found[codes[f.enterprise_id]].add((f.severity, f.check))
    for code, kind in planted.items():
        check = DEFECT_CHECKS[kind]
        assert {c for _, c in found[code]} == {check}, (kind, found[code])
        if check not in WARNED:
            assert {s for s, _ in found[code]} == {ERROR}, (kind, found[code])
    # A voluntary commitment of an A/引领性 firm is shown, and the check warns that 自主减排 is what the rule
    # imposes; nothing else is reported on any other firm.
    assert committed and not committed & set(planted)
    for code in committed:
        assert found[code] == {(WARNING, "imposed")}
    assert set(found) == set(planted) | committed

    # The list itself (a separate query path) has errors on the planted firms' lines only.
    for level in LEVELS:
        in_error = {row.credit_code for row in iter_list_rows(level) if row.measure.is_error}
        assert in_error <= set(planted)
    # Every planted error shows on the list but a firm without lines (not listed); a missing measure is an
    # error only where no rule supplies it.
    in_error = {row.credit_code for level in LEVELS for row in iter_list_rows(level) if row.measure.is_error}
    assert in_error == {c for c, kind in planted.items() if (ERROR, DEFECT_CHECKS[kind]) in found[c]} - \
        {c for c, kind in planted.items() if kind == "empty"}
    assert {planted[c] for c in in_error} == set(DEFECT_CHECKS) - {"zero", "empty"}


def _firms(**filters):
    return db.session.query(Enterprise).filter_by(**filters).options(selectinload(Enterprise.lines)).all()


def test_livelihood_and_guaranteed_firms_follow_the_corrected_rules(demo):
    planted, _ = _planted()
    livelihood = [e for e in _firms(category_code="LIVELIHOOD") if planted.get(e.credit_code) != "livelihood"]
    assert {e.industry.code for e in livelihood} == {"residential_heating", "life_service"}
    assert all(e.industry.livelihood_eligible for e in livelihood)
    measures = [m for e in livelihood for line in e.lines for m in line.measures]
    assert len(measures) > 300 and all(m.action == "none" and m.transport == "none" for m in measures)
    misfiled = [e for e in _firms(category_code="LIVELIHOOD") if planted.get(e.credit_code) == "livelihood"]
    assert [e.industry.code for e in misfiled] == ["heating"]

    # Coal-fired power and district heating are 保障类 (以热定产), never 民生.
    for name in ("阳城国际发电有限责任公司", "大唐阳城发电有限责任公司", "国投晋城热电有限公司"):
        plant = db.session.query(Enterprise).filter_by(name=name).one()
        assert plant.category_code == "GUARANTEED" and plant.category_reason
        assert {m.action for line in plant.lines for m in line.measures} == {"heat_led"}
    guaranteed = [e for e in _firms(category_code="GUARANTEED") if e.credit_code not in planted]
    assert len(guaranteed) > 20 and {e.industry.code for e in guaranteed} >= {"thermal_power", "heating"}
    reasons = set(reasons_for("GUARANTEED"))
    kinds = Counter()
    for e in guaranteed:
        assert e.category_reason in reasons, e.name
        for line in e.lines:
            for m in line.measures:
                assert m.action in ("heat_led", "order_led") and 60 <= m.cap_pct <= 90, (e.name, m.action)
                assert f"负荷不超过{m.cap_pct:g}%" in m.text
                kinds[m.action] += 1
    assert kinds["heat_led"] and kinds["order_led"]
    uncapped = [e for e in _firms(category_code="GUARANTEED") if planted.get(e.credit_code) == "uncapped"]
    assert len(uncapped) == 1 and {m.action for line in uncapped[0].lines for m in line.measures} == {"none"}

    not_graded = _firms(category_code="NON_COMPLIANT")
    assert not_graded and all(e.category_reason in reasons_for("NON_COMPLIANT") for e in not_graded)


def test_process_measures_follow_the_floors(demo):
    planted, _ = _planted()
    ovens = (db.session.query(ProductionLine).join(Enterprise).filter(ProductionLine.process_stage == "焦炉")
             .options(selectinload(ProductionLine.enterprise)).all())
    assert all(not line.can_stop_quickly for line in ovens)
    no_hours = [line for line in ovens if line.coking_hours is None]
    assert len(no_hours) == 1 and planted[no_hours[0].enterprise.credit_code] == "coking_hours"
    sound = [line for line in ovens if line.enterprise.credit_code not in planted]
    coking = [(line, m) for line in sound for m in line.measures if m.action == "coking_time"]
    assert len(coking) >= 10
    assert all(18 <= line.coking_hours <= 24 for line in sound)
    assert all(m.hours >= 36 > line.coking_hours and "延长结焦时间至" in m.text for line, m in coking)
    # Graded B/B-/C coke ovens extend their coking time wherever the floor asks them to (red, at least).
    graded = [line for line in sound if line.enterprise.grade_code in ("B", "B-", "C")]
    assert graded and all(line.measure_for("red").action == "coking_time" for line in graded)

    def lines_of(industry, grades):
        return [line for e in _firms(category_code="GRADED") if e.industry.code == industry
                and e.grade_code in grades and e.credit_code not in planted for line in e.lines]

    kilns = lines_of("lime_kiln", ("B",))
    assert kilns and {line.measure_for(level).action for line in kilns for level in ("orange", "red")} == \
        {"hot_standby"}
    furnaces = lines_of("glass", ("B", "C", "D"))
    assert furnaces and {line.measure_for(level).action for line in furnaces for level in ("orange", "red")} == \
        {"limit"}

    # Clinker C at yellow: with two clinker lines, one stops and the other runs (停产50%，以生产线计).
    firm = db.session.query(Enterprise).filter_by(name="阳城县析城水泥有限公司").one()
    clinker = [line for line in firm.lines if line.process_stage == "熟料烧成"]
    assert len(clinker) == 2
    yellow = sorted((line.measure_for("yellow").action, line.measure_for("yellow").transport) for line in clinker)
    assert yellow == [("none", "no_g4"), ("stop", "no_g4")]
    stopped = next(line for line in clinker if line.measure_for("yellow").action == "stop")
    assert stopped.capacity == max(line.capacity for line in clinker)
    verdicts = RuleInputs().judge_enterprise(firm, "yellow")
    assert not any(v.is_error for v in verdicts) and {v.floor_label for v in verdicts} == \
        {"停产50%（以生产线计）；禁止国四及以下重型载货车辆（含燃气）运输"}


def test_small_micro_self_managed_and_general_firms(demo):
    planted, _ = _planted()
    inputs = RuleInputs()
    threshold = load_policy().small_micro_threshold_t_yr
    small = [e for e in _firms(small_micro=True) if e.lines]
    # A few: small firms under the threshold, about a third of them registered 小微.
    assert 10 <= len(small) <= 0.1 * 1500
    lighter = 0
    for e in small:
        assert sum(line.annual(p) for line in e.lines for p in POLLUTANTS) <= threshold
        if e.category_code in ("GRADED", "GENERAL") and not (e.grade and e.grade.self_managed) \
                and e.credit_code not in planted:
            verdicts = [v for level in LEVELS for v in inputs.judge_enterprise(e, level)]
            assert {v.rule for v in verdicts} == {"small_micro"} and not any(v.is_error for v in verdicts)
            lighter += 1
    assert lighter

    commitments = 0
    for e in _firms(category_code="GRADED"):
        if e.grade.self_managed:
            for line in e.lines:
                for m in line.measures:
                    commitments += m.action != "self"
                    assert m.action == "self" or (m.level == "red" and m.text.startswith("企业承诺："))
    assert commitments

    general = _firms(category_code="GENERAL")
    assert len(general) > 300
    for e in general[:100]:
        if not e.small_micro and e.credit_code not in planted:
            for level in LEVELS:
                for v in inputs.judge_enterprise(e, level):
                    assert v.rule == "entered_measure" and v.floor is not None and not v.is_error


def test_demo_is_idempotent():
    first = _load()
    counts = _counts()
    digest = _digest()
    second = _load()
    assert _counts() == counts and _digest() == digest
    assert second["new_enterprises"] == second["new_lines"] == 0
    assert {k: v for k, v in first.items() if not k.startswith("new_")} == \
        {k: v for k, v in second.items() if not k.startswith("new_")}
    assert [login["username"] for login in second["logins"]] == list(USERNAMES)
    user = db.session.query(User).filter_by(username="enterprise").one()
    assert user.check_password(PASSWORD)
    firm = user.enterprise
    assert firm.county.name == "泽州县" and firm.category_code == "GRADED" and firm.grade_code == "B" and firm.lines
    assert db.session.query(User).filter_by(username="county_zz").one().county.name == "泽州县"

    # A deleted line (and its measures) comes back; nothing else changes.
    db.session.delete(db.session.query(ProductionLine).order_by(ProductionLine.id.desc()).first())
    db.session.commit()
    assert _load()["new_lines"] == 1
    assert _counts() == counts and _digest() == digest


def test_demo_leaves_a_real_firm_holding_a_demo_code_alone(make_enterprise):
    planned = plan_registry(n=100)[30]
    real = make_enterprise(name="真实登记企业有限公司", credit_code=planned["credit_code"])
    summary = _load(n=100)
    assert summary["new_enterprises"] == 99
    db.session.refresh(real)
    assert real.name == "真实登记企业有限公司" and real.lines == []
    assert _count(Enterprise) == 100


def test_demo_is_deterministic():
    # A smaller registry keeps the test quick; generation is the same code path at any size.
    _load(n=500)
    first = _digest()
    _wipe()
    _load(n=500)
    assert _digest() == first
    _wipe()
    _load(n=500, seed=2021)
    assert _digest() != first
    # The default-size plan is the same on every run too (planning touches no table).
    assert plan_registry() == plan_registry()


def test_demo_sets_flag_and_whole_society_baselines():
    county = db.session.query(County).filter_by(name="陵川县").one()
    season = demo_season()
    entered = WholeSocietyEmission(season=season, county=county, source_type="industrial", pollutant="so2",
                                   baseline_t_per_day=99.0)
    db.session.add(entered)
    db.session.commit()
    _load(n=300)
    assert db.session.get(Setting, "demo_loaded").value == "1" and demo_loaded()
    # The demo's season is labelled as demo data, and is the season in force (none started later).
    assert season_in_force() == season and season.note == BASELINE_SOURCE and "演示数据" in season.note

    industrial = Counter()
    for e in _enterprises():
        for line in e.lines:
            for p in POLLUTANTS:
                industrial[e.county_id, p] += line.daily_baseline(p)
    rows = {(r.county_id, r.source_type, r.pollutant): r.baseline_t_per_day
            for r in db.session.query(WholeSocietyEmission)}
    assert len(rows) == 7 * len(SOURCE_TYPES) * len(POLLUTANTS)
    totals = amounts.sums(season.id)
    for (county_id, pollutant), total in totals.items():
        assert total > industrial[county_id, pollutant]
        if (county_id, pollutant) != (county.id, "so2"):
            assert rows[county_id, "industrial", pollutant] == pytest.approx(industrial[county_id, pollutant], abs=1e-3)
    # A figure someone entered is not overwritten by the demo.
    assert rows[county.id, "industrial", "so2"] == 99.0
    # Non-industrial reductions at every level: dust cuts 10/20/30% of the dust baseline.
    reductions = {(r.county_id, r.level, r.source_type, r.pollutant): r.reduction_t_per_day
                  for r in db.session.query(NonIndustrialReduction)}
    assert len(reductions) == 7 * len(LEVELS) * len(NON_INDUSTRIAL_TYPES) * len(POLLUTANTS)
    assert reductions[county.id, "red", "dust", "nox"] == pytest.approx(0.3 * rows[county.id, "dust", "nox"])
    summary = accumulator_for("red", [county]).result()
    assert summary.counties[0].checks["nox"].non_industrial == pytest.approx(
        sum(v for (c, level, _, p), v in reductions.items() if (c, level, p) == (county.id, "red", "nox")))


def test_seed_demo_command(runner):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "演示数据" in result.output
    for username in USERNAMES:
        assert username in result.output
    db.session.expire_all()
    counts = _counts()
    assert counts["Enterprise"] == 1500 and counts["User"] == len(USERNAMES)

    again = runner.invoke(args=["seed", "--demo"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert _counts() == counts
