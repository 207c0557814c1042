"""The targets of `make bench`, one verdict each: adding a target to the report is one call.

    from bench.verdicts import at_most
    at_most("red export / floor", export_seconds / floor_seconds, 1.15, "×")

``bench.run`` prints every verdict recorded in its process, in order, as the report's last lines:
``VERDICT <name>: <value> (target <target>) met|missed``. A figure that could not be measured is recorded with
``not_measured`` and counts as missed.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    name: str
    value: str
    target: str
    met: bool

    def line(self):
        return f"VERDICT {self.name}: {self.value} (target {self.target}) {'met' if self.met else 'missed'}"


RECORDED = []


def verdict(name, value, target, met):
    """Record one target's outcome: ``value`` and ``target`` as printed, ``met`` whether it is met."""
    found = Verdict(name, str(value), str(target), bool(met))
    RECORDED.append(found)
    return found


def _shown(value, unit, digits=2):
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def _pair(value, limit, unit):
    """``value`` and ``limit`` as printed, with more digits when two decimals would print them alike (0.898
    against 0.90 would read as met when it is missed)."""
    for digits in (2, 3, 4):
        shown, target = _shown(value, unit, digits), _shown(limit, unit, digits)
        if shown != target or value == limit:
            break
    return shown, target


def at_most(name, value, limit, unit=""):
    """``value`` must not exceed ``limit`` (e.g. a ratio against a floor, a p95, a peak in MB)."""
    shown, target = _pair(value, limit, unit)
    return verdict(name, shown, f"≤ {target}", value <= limit)


def below(name, value, limit, unit=""):
    """``value`` must stay under ``limit``."""
    shown, target = _pair(value, limit, unit)
    return verdict(name, shown, f"< {target}", value < limit)


def at_least(name, value, limit, unit=""):
    """``value`` must reach ``limit`` (e.g. a throughput ratio)."""
    shown, target = _pair(value, limit, unit)
    return verdict(name, shown, f"≥ {target}", value >= limit)


def not_measured(name, target, why):
    """A target whose figure this run could not produce: reported, and missed."""
    return verdict(name, f"not measured ({why})", target, False)


def report():
    """The verdict lines, in the order recorded."""
    return [v.line() for v in RECORDED]
