"""The target solver's mixed-integer program on hand-made instances, and against a brute force on random small
ones (fixed seed): the same least cost, the same reachable maximum, and the grade ladder kept."""
import itertools
import random
from types import SimpleNamespace

import pytest

from emergency.planning.candidates import candidates
from emergency.planning.ladder import ladder_slacks
from emergency.planning.solver import Line, Option, solve
from emergency.registry.measures import LineParams, Measure, MeasureTypes


def line(key, county="A", current=0.3, cuts=(1.0,), so2=1.0, value=1.0, ladder=None):
    return Line(key, county, current, tuple(Option(c, f"cut{c}") for c in cuts), {"so2": so2}, value, ladder)


def test_a_feasible_case_takes_the_cheapest_lines_that_close_the_gap():
    lines = [line("cheap", so2=1.0, value=1.0), line("dear", so2=1.0, value=5.0), line("small", so2=0.2, value=0.1)]
    # 0.7 t/d per raise of 0.3 → 1.0: closing 0.7 needs one full line; the cheap one costs 0.7.
    found = solve(lines, {("A", "so2"): 0.7})
    assert set(found.choices) == {"cheap"}
    assert found.cost == pytest.approx(0.7)
    assert found.added[("A", "so2")] == pytest.approx(0.7)
    assert found.feasible and not found.unreachable


def test_an_infeasible_case_reaches_the_maximum_and_reports_the_rest():
    lines = [line("x", so2=1.0), line("y", so2=0.5, current=0.8, cuts=(1.0,)), line("z", county="B", so2=9.0)]
    found = solve(lines, {("A", "so2"): 2.0})
    # At most 0.7 + 0.1 = 0.8 t/d in county A; B's line does not count for A and is left alone.
    assert set(found.choices) == {"x", "y"}
    assert found.reached[("A", "so2")] == pytest.approx(0.8)
    assert found.unreachable == {("A", "so2"): pytest.approx(1.2)}
    assert not found.feasible


def test_nothing_changes_when_there_is_no_shortfall():
    found = solve([line("x")], {("A", "so2"): 0.0})
    assert found.choices == {} and found.cost == 0 and found.feasible


def test_the_grade_ladder_binds_and_changes_the_answer():
    # A B line (rank 2) is the cheapest way to close the gap, but raising it to 停产 would cut it harder than the
    # C line (rank 4) of the same industry and process; with the ladder the solver must raise the C line too.
    free = [line("B-line", current=0.3, cuts=(0.5, 1.0), so2=1.0, value=1.0),
            line("C-line", current=0.5, cuts=(1.0,), so2=0.1, value=3.0)]
    gap = {("A", "so2"): 0.7}
    without = solve(free, gap)
    assert set(without.choices) == {"B-line"} and without.cost == pytest.approx(0.7)
    laddered = [Line(x.key, x.county, x.current, x.options, x.daily, x.value, (("steel", "烧结"), rank))
                for x, rank in zip(free, (2, 4))]
    found = solve(laddered, gap)
    assert set(found.choices) == {"B-line", "C-line"}
    assert found.choices["B-line"].cut <= found.choices["C-line"].cut
    assert found.cost == pytest.approx(0.7 + 1.5)
    # Another process is another ladder: no constraint between them.
    apart = [Line(x.key, x.county, x.current, x.options, x.daily, x.value, (("steel", process), rank))
             for x, rank, process in zip(free, (2, 4), ("烧结", "球团"))]
    assert set(solve(apart, gap).choices) == {"B-line"}


def test_a_ladder_the_registry_already_breaks_beyond_repair_is_relaxed_by_that_gap_only():
    lines = [line("B", current=1.0, cuts=(), ladder=("g", 2)), line("C", current=0.3, cuts=(0.8,), ladder=("g", 4))]
    assert ladder_slacks(lines) == {("g", 2, 4): pytest.approx(0.2)}
    found = solve(lines, {("A", "so2"): 0.1})
    assert found.choices["C"].cut == 0.8 and len(found.relaxed) == 1


def test_a_line_that_cannot_stop_is_never_offered_a_stop():
    types = MeasureTypes.seeded()
    policy = SimpleNamespace(types=types)
    verdict = SimpleNamespace(cut=0.3, measure=Measure("limit", limit_pct=30, transport="no_g4", indicators="用电量"))
    pool = [Measure("limit", limit_pct=20), Measure("limit", limit_pct=50), Measure("stop")]
    cannot = candidates(verdict, LineParams(can_stop_quickly=False), pool, policy)
    assert [(m.action, m.limit_pct, cut) for m, cut in cannot] == [("limit", 50, 0.5), ("hot_standby", None, 0.8)]
    # Never weaker than today: the current transport rule is kept, indicators carried over.
    assert {(m.transport, m.indicators) for m, _ in cannot} == {("no_g4", "用电量")}
    can = candidates(verdict, LineParams(can_stop_quickly=True), pool, policy)
    assert [(m.action, cut) for m, cut in can] == [("limit", 0.5), ("stop", 1.0)]


# --- brute force -------------------------------------------------------------------------------------------

POLLUTANTS = ("so2", "nox")


def random_instance(rng):
    n = rng.randint(3, 12)
    lines = []
    for i in range(n):
        rank = rng.choice((2, 3, 4))
        current = {2: 0.1, 3: 0.2, 4: 0.3}[rank]
        cuts = tuple(sorted(rng.sample([0.3, 0.5, 0.8, 1.0], rng.randint(0, 2 if n <= 9 else 1))))
        cuts = tuple(c for c in cuts if c > current)
        ladder = (rng.choice("gh"), rank) if rng.random() < 0.7 else None
        lines.append(Line(i, rng.choice("AB"), current, tuple(Option(c) for c in cuts),
                          {p: round(rng.uniform(0, 2), 3) for p in POLLUTANTS}, round(rng.uniform(0.1, 5), 3), ladder))
    gaps = {(c, p): round(rng.uniform(0, 2.5), 3) for c in "AB" for p in POLLUTANTS}
    return lines, gaps


def ladder_holds(lines, cuts):
    for a, b in itertools.combinations(range(len(lines)), 2):
        x, y = lines[a], lines[b]
        if x.ladder and y.ladder and x.ladder[0] == y.ladder[0] and x.ladder[1] != y.ladder[1]:
            better, worse = (a, b) if x.ladder[1] < y.ladder[1] else (b, a)
            if cuts[better] > cuts[worse] + 1e-12:
                return False
    return True


def added(lines, cuts):
    found = {}
    for x, cut in zip(lines, cuts):
        for p, amount in x.daily.items():
            found[(x.county, p)] = found.get((x.county, p), 0.0) + amount * (cut - x.current)
    return found


def brute_force(lines, gaps):
    """(least cost, {key: required}) over every assignment, as the solver's contract states it."""
    choices = [[x.current] + [o.cut for o in x.options] for x in lines]
    feasible = [cuts for cuts in itertools.product(*choices) if ladder_holds(lines, cuts)]
    reach = {key: max(added(lines, cuts).get(key, 0.0) for cuts in feasible) for key in gaps}
    required = {key: min(gap, reach[key]) for key, gap in gaps.items() if gap > 0}
    best = min(sum(x.value * (c - x.current) for x, c in zip(lines, cuts)) for cuts in feasible
               if all(added(lines, cuts).get(k, 0.0) >= r - 1e-7 * max(gaps[k], 1) for k, r in required.items()))
    return best, required


def test_the_solver_finds_the_brute_force_minimum_on_random_small_instances():
    rng = random.Random(20201201)
    infeasible = laddered = 0
    for _ in range(40):
        lines, gaps = random_instance(rng)
        assert all(s == 0 for s in ladder_slacks(lines).values())
        best, required = brute_force(lines, gaps)
        found = solve(lines, gaps)
        assert found.cost == pytest.approx(best, rel=1e-6, abs=1e-9)
        cuts = [found.choices[x.key].cut if x.key in found.choices else x.current for x in lines]
        assert ladder_holds(lines, cuts)
        for key, amount in required.items():
            assert found.reached[key] == pytest.approx(amount, rel=1e-6, abs=1e-9)
            assert added(lines, cuts).get(key, 0.0) >= amount - 1e-6
        infeasible += not found.feasible
        free = [Line(x.key, x.county, x.current, x.options, x.daily, x.value, None) for x in lines]
        laddered += solve(free, gaps).cost < found.cost - 1e-9
    # The seed gives instances of every kind: some gaps cannot be closed, and the ladder costs something.
    assert infeasible >= 5 and laddered >= 3
