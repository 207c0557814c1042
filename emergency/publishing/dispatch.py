"""Dispatching one step of an alert: the gate before it, one stored workbook per county, and its numbered notices.

A step takes the latest published version. While that version has lines in error at the step's level in the
alert's counties, the step is refused unless a city user gives a written reason (``lists.gate``); the reason
is stored on the step, so it is audited, and printed on every dispatched workbook's 说明 sheet.
"""
import hashlib
import io
from typing import NamedTuple

from sqlalchemy import func, select

from emergency.lists.gate import pass_gate
from emergency.lists.notes import beijing_time
from emergency.publishing.notices import allocate_notices
from emergency.publishing.versions import export_version, latest_version, version_filename
from models import LEVEL_LABELS, LEVELS, AlertStep, Dispatch, DispatchFile, VersionRow, db
from models.base import utcnow


class Gate(NamedTuple):
    """What the gate let through: the version to dispatch, its lines in error in scope, and the reason to record."""

    version: object
    errors: int
    reason: str


def step_move(step):
    """E.g. "启动 橙色" or "橙色 → 红色"."""
    before = f"{LEVEL_LABELS[step.previous_level]} → " if step.previous_level else "启动 "
    return f"{before}{LEVEL_LABELS.get(step.level, step.level)}"


def errors_by_level(version, county_ids=None):
    """{level: lines of ``version`` with an error} in the given counties (all counties when None)."""
    stmt = select(VersionRow.level, func.count()).where(VersionRow.version_id == version.id,
                                                        VersionRow.status == "error")
    if county_ids is not None:
        stmt = stmt.where(VersionRow.county_id.in_(county_ids))
    found = dict(db.session.execute(stmt.group_by(VersionRow.level)).all())
    return {level: found.get(level, 0) for level in LEVELS}


def version_errors(version, level, county_ids):
    """How many lines of ``version`` at ``level`` carry an error in the given counties."""
    return errors_by_level(version, county_ids)[level]


def gate_errors(county_ids=None):
    """{level: lines in error} of the latest version in the given counties (all when None), as the gate counts
    them; {} while nothing is published."""
    version = latest_version()
    return errors_by_level(version, county_ids) if version else {}


def check_gate(level, counties, user, override_reason):
    """The ``Gate`` for dispatching ``level`` to ``counties``; a ``DomainError`` (key "override_reason") when
    refused."""
    version = latest_version()
    errors = version_errors(version, level, [c.id for c in counties])
    return Gate(version, errors, pass_gate(errors, user, override_reason, f"下发{LEVEL_LABELS[level]}预警清单"))


def step_notes(step, errors):
    """The 说明 rows a dispatched workbook adds to its version's: the step, and any override of the gate."""
    notes = [("下发", f"预警 #{step.alert.id} 第{step.seq}次下发（{step_move(step)}）"),
             ("下发时间", beijing_time(step.at)), ("下发人", step.by)]
    if step.override_reason:
        notes += [("强制下发理由", step.override_reason), ("下发时错误生产线", f"{errors}条（本预警范围内，该级别）")]
    return notes


def _dispatch(alert, step, county, notes):
    """Generate one county's workbook for the step's level from the step's version, once, and store it."""
    buffer = io.BytesIO()
    export_version(buffer, step.version, step.level, county, more_notes=notes)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    stored = DispatchFile(sha256=digest, size=len(data), content=data)
    dispatch = Dispatch(alert_id=alert.id, county=county, level=step.level, file=stored, sha256=digest,
                        size=len(data), filename=version_filename(step.version, step.level, county))
    step.dispatches.append(dispatch)
    allocate_notices(step, dispatch)
    return dispatch


def new_step(alert, level, user, gate, previous_level=None):
    """A new step of a flushed ``alert``, dispatched from the gate's version to every county it covers."""
    step = AlertStep(seq=len(alert.steps) + 1, level=level, previous_level=previous_level, version=gate.version,
                     at=utcnow(), by=user.signature, override_reason=gate.reason)
    alert.steps.append(step)
    notes = step_notes(step, gate.errors)
    for county in alert.counties:
        _dispatch(alert, step, county, notes)
    db.session.flush()
    return step
