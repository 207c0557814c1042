"""Edits that meet an import: the rows a clerk edited since the preview, or while the import writes, are named,
and nothing is written; the importer previews again (重新预览) and sees the file against the edited rows.

Two checks, both on the version counters every web edit moves (``version_id_col`` of enterprises and lines; a
line row is touched when its measures change):
- since the preview: the preview keeps each stored enterprise's counters (``Existing.stamps``) with the upload,
  and the commit compares them with the rows it loads;
- while writing: ``locked_versions`` reads the counters of the rows about to change under the write lock (SQLite's
  only writer, PostgreSQL's ``FOR UPDATE`` row locks), so no edit can slip in between the check and the write;
  an edit that comes later waits for the import's commit and then meets the web form's own version check.
"""
from sqlalchemy import select, text

from emergency.importing.existing import CHUNK
from emergency.importing.plan import UPDATE
from models import Enterprise, ProductionLine, db

NAMES_SHOWN = 20


def message(names):
    """The refusal naming the edited rows and asking for a new preview."""
    shown = "；".join(names[:NAMES_SHOWN]) + (f" 等 {len(names)} 家企业" if len(names) > NAMES_SHOWN else "")
    return (f"以下企业或生产线在预览之后已被他人修改：{shown}。为免覆盖他人的修改，未导入任何数据。"
            "请重新预览（重新上传该文件），核对后再确认导入。")


def _named(name, parts):
    return f"{name}（{'、'.join(parts)}）" if parts else name


def since_preview(existing, seen, entries):
    """Names of the ``entries`` whose stored rows differ from the counters ``seen`` kept at the preview."""
    names, now = [], existing.stamps()
    for entry in entries:
        before, after = seen.get(entry.code), now.get(entry.code)
        if before == after:
            continue
        stored = existing.enterprises.get(entry.code)
        name = stored["name"] if stored else entry.cells.get("name") or entry.code
        if before is None:
            names.append(_named(name, ["预览后新登记"]))
        elif after is None:
            names.append(_named(name, ["预览后已删除"]))
        else:
            names.append(_named(name, _what_changed(before, after, existing.line_names(stored["id"]))))
    return names


def _what_changed(before, after, line_names):
    parts = ["企业信息"] if before[0] != after[0] else []
    old, new = _pairs(before), _pairs(after)
    changed = [line_names[i] for i in new if old.get(i) != new[i]]
    if changed:
        parts.append("生产线 " + "、".join(changed))
    if any(i not in new for i in old):
        parts.append(f"已删除生产线 {sum(1 for i in old if i not in new)} 条")
    return parts


def _pairs(stamp):
    return dict(zip(stamp[1::2], stamp[2::2]))


def lock_for_writing():
    """SQLite: take the database's write lock now (a write that changes nothing), so the versions read next
    cannot change before the import commits. PostgreSQL locks the rows themselves (``locked_versions``)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE import_batch SET id = id WHERE 0"))


def locked_versions(model, ids):
    """{id: version} of ``model`` rows, locked until the commit on PostgreSQL."""
    found, ids = {}, sorted(ids)
    for start in range(0, len(ids), CHUNK):
        stmt = select(model.id, model.version).where(model.id.in_(ids[start:start + CHUNK]))
        if db.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        found.update(db.session.execute(stmt).all())
    return found


def edited_while_writing(plans):
    """Names of the enterprises whose rows the plans change but someone changed since they were planned."""
    enterprises = locked_versions(Enterprise, [p.enterprise_id for p in plans if p.action == UPDATE])
    lines = locked_versions(ProductionLine, [line.line_id for p in plans for line in p.lines if line.line_id])
    names = []
    for plan in plans:
        parts = ["企业信息"] if plan.action == UPDATE and enterprises.get(plan.enterprise_id) != plan.version else []
        changed = [line.name for line in plan.lines if line.line_id and lines.get(line.line_id) != line.version]
        if changed:
            parts.append("生产线 " + "、".join(changed))
        if parts:
            names.append(_named(plan.values.get("name", plan.code), parts))
    return names
