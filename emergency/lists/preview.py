"""What the rules would say about a line before it is saved: the line form's warnings, per alert level.

The form shows them next to the level concerned and saves only once the clerk confirms them. They are
warnings, not refusals: a clerk may record a measure as the firm declared it, and the quality check keeps
reporting what is wrong with it until it is fixed.
"""
import hashlib
from types import SimpleNamespace

from emergency.importing.measure_text import parse_measure_text
from emergency.lists.inputs import RuleInputs, annual_total, entered, facts_of, stored_measure
from emergency.lists.verdicts import ERROR, at_least
from emergency.registry.measures import weaker_than
from models import LEVEL_LABELS, LEVELS, POLLUTANTS

# The rules' errors that are about the line itself (firm-wide ones are the enterprise form's business).
LINE_ERRORS = ("missing_cap", "no_coking_hours")


def _hypothetical(values, existing):
    """A stand-in for the line as the form would save it, readable like an ORM line."""
    line = SimpleNamespace(**{k: values.get(k) for k in ("can_stop_quickly", "process_stage", "coking_hours",
                                                          "capacity")})
    line.id = existing.id if existing is not None else None
    line.annual = lambda p: values.get(f"{p}_t_yr") or 0.0
    return line


def line_warnings(enterprise, values, measures, existing=None):
    """{level: [Chinese warnings]} for a line about to be saved with ``values`` and ``measures`` ({level: dict}).

    A measure is flagged when it is weaker than its floor (cut or transport, each said separately), weaker
    than the same line's measure at a lower level, written with a text that names another type, or missing
    what its rule needs (a 保障类 cap, a normal coking time).
    """
    inputs, line = RuleInputs(), _hypothetical(values, existing)
    others = [other for other in enterprise.lines if existing is None or other.id != existing.id]
    total = annual_total([[other.annual(p) for p in POLLUTANTS] for other in others]
                         + [[line.annual(p) for p in POLLUTANTS]])
    warnings, previous = {}, None
    for level in LEVELS:
        mine = entered(*(measures[level].get(name) for name in
                         ("action", "limit_pct", "other_fraction", "hours", "cap_pct", "transport", "text",
                          "indicators")))
        firm = [(facts_of(enterprise, other), stored_measure(other, level)) for other in others]
        facts = facts_of(enterprise, line)
        verdict = inputs.judge_firm(firm + [(facts, mine)], level, total)[-1]
        found = _level_warnings(inputs, verdict, mine, previous, inputs.line_facts(facts).params)
        if found:
            warnings[level] = found
        previous = (level, mine) if mine is not None else previous
    return warnings


def _level_warnings(inputs, verdict, mine, previous, params):
    types, found = inputs.policy.types, []
    if mine is None:
        return found
    if verdict.floor is not None and verdict.rule in ("entered_measure", "small_micro"):
        found += [f"弱于行业措施底线（{verdict.floor_label}）：{reason}"
                  for reason in weaker_than(mine, verdict.floor, types, params)]
    found += [p.message for p in verdict.problems if p.severity == ERROR and p.code in LINE_ERRORS]
    found += [p.message for p in verdict.problems if p.code == "line_share"]
    if previous is not None and not at_least(mine, previous[1], types, params):
        found.append(f"弱于本生产线{LEVEL_LABELS[previous[0]]}预警措施（{previous[1].full_label(types)}）")
    said = parse_measure_text(mine.text, types) if mine.text else None
    if said is not None and said.action != mine.action and said.action in types:
        found.append(f"措施文字“{mine.text}”写的是“{types[said.action].label}”，与措施类型“{types[mine.action].label}”不一致")
    return found


def digest(warnings):
    """A short fingerprint of the warnings shown, so a confirmation applies to exactly those warnings."""
    text = "\n".join(f"{level}:{message}" for level, messages in sorted(warnings.items()) for message in messages)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
