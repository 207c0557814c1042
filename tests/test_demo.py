"""The synthetic demo registry: shape, validity, idempotency, determinism, planted defects, baselines and CLI."""
import hashlib
from collections import Counter

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from emergency.registry import credit_code
from emergency.registry.grades import check_classification
from emergency.registry.measures import Measure
from models import (
    LEVELS,
    POLLUTANTS,
    Category,
    County,
    Enterprise,
    Grade,
    LineMeasure,
    MeasureFloor,
    ProductionLine,
    Setting,
    User,
    WholeSocietyEmission,
    db,
)
from seed.demo import BASELINE_SOURCE, PASSWORD, load_demo, plan_registry
from seed.load import demo_loaded
from tests.conftest import wipe

USERNAMES = ("admin", "city", "county_zz", "county_cq", "enterprise")


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
                           e.town, e.address, e.small_micro, e.violation_prev_year)))
        for line in sorted(e.lines, key=lambda x: x.name):
            parts.append(repr((line.name, line.capacity, line.operating_days, line.can_stop_quickly,
                               *[line.annual(p) for p in POLLUTANTS])))
            for m in sorted(line.measures, key=lambda x: x.level):
                parts.append(repr((m.level, m.action, m.limit_pct, m.other_fraction, m.text, m.indicators)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _floors():
    return {(f.industry_id, f.grade_code, f.level): f for f in db.session.query(MeasureFloor)}


def test_demo_registry_is_valid_and_covers_every_class():
    summary = _load()
    enterprises = _enterprises()
    assert summary["enterprises"] == len(enterprises) == 1500
    assert summary["lines"] == _count(ProductionLine)

    for e in enterprises:
        assert check_classification(e.industry, e.category, e.grade) == {}, e.name
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

    for e in enterprises:
        assert len(e.lines) <= 6
        for line in e.lines:
            assert 250 <= line.operating_days <= 365
            if "焦炉" in line.name or "高炉" in line.name:
                assert not line.can_stop_quickly
            for m in line.measures:
                assert m.action in ACTIONS and m.level in LEVELS and m.text
                assert (m.limit_pct is not None) == (m.action == "limit")
                assert (m.other_fraction is not None) == (m.action == "other")
                if m.action == "limit":
                    assert 0 < m.limit_pct < 100
                if m.action == "other":
                    assert 0 <= m.other_fraction <= 1


def test_demo_measures_follow_the_rules_except_the_planted_defects():
    _load()
    floors = _floors()
    weak, missing, zero, empty = set(), set(), set(), set()
    lines = 0
    for e in _enterprises():
        if not e.lines:
            empty.add(e.id)
        for line in e.lines:
            lines += 1
            if not line.has_emissions:
                zero.add(line.id)
            if len(line.measures) < 3:
                missing.add(line.id)
            for m in line.measures:
                if e.category_code == "LIVELIHOOD":
                    assert m.action == "none"
                elif e.category_code == "NON_COMPLIANT":
                    assert m.action == "stop"
                elif e.category_code == "GUARANTEED":
                    assert m.action == "other" and "保障" in m.text
                elif e.grade and e.grade.self_managed:
                    assert m.action == "self"
                floor = floors.get((e.industry_id, e.grade_code, m.level))
                if e.category_code == "GRADED" and floor and Measure.of(m).strength < Measure.of(floor).strength:
                    weak.add(line.id)
    assert 1 <= len(empty) <= 5
    for defects in (weak, missing, zero):
        assert 1 <= len(defects) <= 0.02 * lines
    assert len(empty) + len(weak) + len(missing) + len(zero) <= 0.025 * 1500


def test_demo_is_idempotent():
    first = _load()
    counts = _counts()
    second = _load()
    assert _counts() == counts
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
    assert _counts() == counts


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
    entered = WholeSocietyEmission(county=county, pollutant="so2", baseline_t_per_day=99.0, source="2020年统计")
    db.session.add(entered)
    db.session.commit()
    _load(n=300)
    assert db.session.get(Setting, "demo_loaded").value == "1" and demo_loaded()

    industrial = Counter()
    for e in _enterprises():
        for line in e.lines:
            for p in POLLUTANTS:
                industrial[e.county_id, p] += line.daily_baseline(p)
    rows = {(r.county_id, r.pollutant): r for r in db.session.query(WholeSocietyEmission)}
    assert len(rows) == 7 * len(POLLUTANTS)
    for (county_id, pollutant), row in rows.items():
        assert row.baseline_t_per_day > industrial[county_id, pollutant]
        if (county_id, pollutant) != (county.id, "so2"):
            assert row.source == BASELINE_SOURCE
    # A figure someone entered is not overwritten by the demo.
    assert rows[county.id, "so2"].baseline_t_per_day == 99.0 and rows[county.id, "so2"].source == "2020年统计"


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
