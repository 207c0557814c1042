"""Published list versions: freeze the effective list of all three levels, then read it back as list rows.

A version stores plain values (names, labels, measures, reductions) and the reference values of its 汇总
sheet, so exporting or comparing it never reads the live registry.
"""
import json
import re
from dataclasses import dataclass

from sqlalchemy import case, func, insert, select

from emergency.audit import trail as audit
from emergency.baseline.seasons import season_in_force
from emergency.errors import DomainError, NotFound
from emergency.limits import text_limit
from emergency.lists.accounting import Accumulator, non_industrial_values, reference_values
from emergency.lists.gate import pass_gate
from emergency.lists.listing import counties
from emergency.lists.notes import list_notes
from emergency.lists.quality import run_checks
from emergency.lists.records import details_json, iter_line_records
from emergency.platform.jobs import counted
from emergency.publishing.frozen import STORED_SEPARATOR, iter_version_records
from emergency.spreadsheets.writer import write_list_workbook
from models import LEVEL_LABELS, LEVELS, POLLUTANTS, ListVersion, ProductionLine, VersionRow, db

NAME_MAX, NOTE_MAX = text_limit(ListVersion.name), text_limit(ListVersion.note)
INSERT_BATCH = 1000
# The database may add floats in any order; rounding keeps sums of the same rows equal (shown to 4 places).
ROUND_TPD = 9
# Characters Windows and browsers refuse in a download name.
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\r\n\t]')



def _version_summary(version):
    summary = f"{version.name}（{version.enterprises} 家企业，{version.lines} 条生产线）"
    if version.override_reason:
        summary += f"；存在{version.errors}项错误，强制发布理由：{version.override_reason}"
    return summary


audit.register(ListVersion, "list_version", "清单版本", lambda obj, conn: None, _version_summary)


@dataclass(frozen=True)
class LevelTotals:
    """Counts and reductions (t/d per pollutant) of one level of a version, for the city or a county."""

    level: str
    enterprises: int
    lines: int
    stop_lines: int
    limit_lines: int
    problem_lines: int
    reductions: dict
    staggered: dict = None      # t/d per pollutant that staggering in force removed at publishing (not in reductions)

    @property
    def level_label(self):
        return LEVEL_LABELS[self.level]


def check_publish(name, note=""):
    """Return {field: Chinese message} for a version name and note."""
    name = (name or "").strip()
    if not name:
        return {"name": "请填写版本名称，如“2020年修订版”"}
    if len(name) > NAME_MAX:
        return {"name": f"版本名称不超过{NAME_MAX}字"}
    if len((note or "").strip()) > NOTE_MAX:
        return {"note": f"说明不超过{NOTE_MAX}字"}
    if db.session.query(ListVersion.id).filter(ListVersion.name == name).first():
        return {"name": f"版本“{name}”已发布，请换一个名称"}
    return {}


def _pairs(values):
    return [[county_id, p, value] for (county_id, p), value in values.items()]


def _reference():
    """Counties, the season in force with its whole-society baselines and each level's non-industrial reductions,
    and each level's target ratios, as they stand now."""
    season = season_in_force()
    baselines, ratios, non_industrial = {}, {}, {}
    for level in LEVELS:
        baselines, ratios[level] = reference_values(level, season)
        non_industrial[level] = _pairs(non_industrial_values(level, season))
    return {"counties": [[c.id, c.name] for c in counties()], "season": season.name if season else "",
            "baselines": _pairs(baselines), "non_industrial": non_industrial, "ratios": ratios}


def _frozen(version_id, level, seq, row):
    """The VersionRow values of one list row."""
    m, measure = row.measure, row.measure.measure
    return {
        "version_id": version_id, "level": level, "seq": seq, "county_id": row.county_id,
        "county_name": row.county_name, "enterprise_id": row.enterprise_id,
        "enterprise_name": row.enterprise_name, "credit_code": row.credit_code, "industry": row.industry,
        "grade_label": row.grade_label, "line_id": row.line_id, "line_name": row.line_name,
        "process_stage": row.process_stage, "facilities": row.facilities, "action": m.action,
        "limit_pct": m.limit_pct, "other_fraction": m.other_fraction,
        "hours": measure.hours if measure else None, "cap_pct": measure.cap_pct if measure else None,
        "transport": measure.transport if measure else "none", "measure_text": m.text or "",
        "indicators": m.indicators or "", "label": m.label, "full_label": m.full_label, "order_kind": m.order_kind,
        "cut": m.cut, "rule": m.rule, "reason": m.reason, "entered_label": m.entered_label, "imposed": m.imposed,
        "floor_label": m.floor_label, "commitment": m.commitment, "status": m.status,
        "problem": STORED_SEPARATOR.join(p.message for p in m.errors),
        "warnings": STORED_SEPARATOR.join(p.message for p in m.warnings),
        **{f"{p}_t_d": row.reductions[p] for p in POLLUTANTS},
        "staggered": m.staggered, "stagger_label": m.stagger_label,
        **{f"{p}_staggered_t_d": (row.staggered or {}).get(p, 0.0) for p in POLLUTANTS},
    }


def _frozen_records(version_id, records):
    """The VersionRow values of every level's row of each line record; the first level's carries the details."""
    for seq, record in enumerate(records, start=1):
        for level, row in record.rows.items():
            values = _frozen(version_id, level, seq, row)
            values["details"] = details_json(record.details) if level == LEVELS[0] else ""
            yield values


def _registry_counts():
    """(enterprises with lines, lines): what each level of the list holds."""
    return db.session.execute(
        select(func.count(func.distinct(ProductionLine.enterprise_id)), func.count(ProductionLine.id))).one()


def publish_errors():
    """How many quality errors the whole registry has: what the gate before publishing counts."""
    return run_checks().errors


def publish_version(name, note, user, override_reason=""):
    """Freeze the effective list of every level as version ``name``; flush, never commit.

    Refused while the registry has quality errors, unless a city user gives a written reason (``gate``).
    """
    errors = check_publish(name, note)
    if errors:
        raise DomainError(errors)
    quality_errors = publish_errors()
    reason = pass_gate(quality_errors, user, override_reason, "发布清单版本")
    enterprises, lines = _registry_counts()
    version = ListVersion(name=name.strip(), note=(note or "").strip(), published_by=user.signature,
                          published_by_id=user.id, enterprises=enterprises, lines=lines,
                          reference=json.dumps(_reference(), ensure_ascii=False), override_reason=reason,
                          errors=quality_errors)
    db.session.add(version)
    db.session.flush()
    table, frozen_ids, frozen_lines, batch = VersionRow.__table__, set(), 0, []
    for values in _frozen_records(version.id, iter_line_records()):
        batch.append(values)
        if values["level"] == LEVELS[0]:
            frozen_ids.add(values["enterprise_id"])
            frozen_lines += 1
        if len(batch) >= INSERT_BATCH:
            db.session.execute(insert(table), batch)
            batch = []
    if batch:
        db.session.execute(insert(table), batch)
    # Another transaction may have committed between the count and the rows: the rows are what counts.
    if (version.enterprises, version.lines) != (len(frozen_ids), frozen_lines):
        version.enterprises, version.lines = len(frozen_ids), frozen_lines
    return version


def all_versions():
    """Every version, newest first."""
    return db.session.query(ListVersion).order_by(ListVersion.published_at.desc(), ListVersion.id.desc()).all()


def latest_version():
    return db.session.query(ListVersion).order_by(ListVersion.published_at.desc(), ListVersion.id.desc()).first()


def get_version(version_id):
    """The version with that id; NotFound when there is none."""
    version = db.session.get(ListVersion, version_id)
    if version is None:
        raise NotFound(f"version {version_id}")
    return version


def version_reference(version):
    return json.loads(version.reference or "{}")


def version_counties(version):
    """(county id, name) pairs as they were when the version was published."""
    return [(county_id, name) for county_id, name in version_reference(version).get("counties", [])]


def accumulator_for_version(version, level, county_id=None):
    """An ``Accumulator`` fed with the baselines, non-industrial reductions and ratios stored in the version
    (a version published before non-industrial reductions were recorded counted none)."""
    reference = version_reference(version)
    scope = [(cid, name) for cid, name in reference.get("counties", []) if county_id in (None, cid)]
    baselines = {(cid, p): value for cid, p, value in reference.get("baselines", [])}
    non_industrial = {(cid, p): value for cid, p, value in reference.get("non_industrial", {}).get(level, [])}
    return Accumulator(level, scope, baselines, reference.get("ratios", {}).get(level, {}), non_industrial)


def version_totals(version, county_id=None):
    """[LevelTotals] of every level, summed in the database from the stored rows."""
    t = VersionRow.__table__

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    stmt = (select(t.c.level, func.count(func.distinct(t.c.enterprise_id)), func.count(t.c.id),
                   count_if(t.c.order_kind == "stop"), count_if(t.c.order_kind.in_(("limit", "capped"))),
                   count_if(t.c.status == "error"),
                   *(func.sum(t.c[f"{p}_t_d"]) for p in POLLUTANTS),
                   *(func.sum(t.c[f"{p}_staggered_t_d"]) for p in POLLUTANTS))
            .where(t.c.version_id == version.id).group_by(t.c.level))
    if county_id is not None:
        stmt = stmt.where(t.c.county_id == county_id)
    found = {row[0]: row for row in db.session.execute(stmt)}
    totals = []
    for level in LEVELS:
        row = found.get(level) or (level, 0, 0, 0, 0, 0, *([0.0] * 2 * len(POLLUTANTS)))
        sums = [round(float(v or 0.0), ROUND_TPD) for v in row[6:]]
        totals.append(LevelTotals(level, row[1], row[2], int(row[3] or 0), int(row[4] or 0), int(row[5] or 0),
                                  dict(zip(POLLUTANTS, sums)), dict(zip(POLLUTANTS, sums[len(POLLUTANTS):]))))
    return totals


def safe_filename(text):
    return UNSAFE_FILENAME.sub("_", text)


def version_filename(version, level, county=None):
    """E.g. "泽州县_红色预警减排清单（2020年修订版）.xlsx"."""
    scope = county.name if county else "晋城市"
    return safe_filename(f"{scope}_{LEVEL_LABELS[level]}预警减排清单（{version.name}）.xlsx")


def count_version_rows(version, level, county_id=None):
    """How many list rows a version export of this scope writes (what its progress counts)."""
    stmt = select(func.count()).select_from(VersionRow).where(VersionRow.version_id == version.id,
                                                              VersionRow.level == level)
    if county_id is not None:
        stmt = stmt.where(VersionRow.county_id == county_id)
    return db.session.scalar(stmt)


def version_notes(version, level, county=None):
    """The 说明 rows of a version's workbook: who published it and when, and any override of the gate."""
    notes = list_notes(level, county, version.name, version.published_at, version.published_by, version.note,
                       season=version_reference(version).get("season", ""))
    if version.override_reason:
        notes += [("强制发布理由", version.override_reason), ("发布时质量检查错误", f"{version.errors}项")]
    return notes


def export_version(fh, version, level, county=None, progress=None, more_notes=()):
    """Write a version's list workbook (same format as the live list) for the city or a county; return the Summary.

    :param more_notes: (label, value) rows added to the version's 说明 sheet, e.g. the alert step it is sent for.
    """
    county_id = county.id if county else None
    scope = f"{county.name if county else '全市'}·{version.name}"
    records = iter_version_records(version.id, county_id)
    if progress is not None:
        records = counted(records, progress, count_version_rows(version, level, county_id))
    return write_list_workbook(fh, level, scope, records, accumulator_for_version(version, level, county_id),
                               version_notes(version, level, county) + list(more_notes))
