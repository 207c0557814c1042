"""The audit log as people read it: filters, and before/after values with Chinese field labels."""
import functools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from emergency.audit.trail import TYPE_LABELS
from emergency.clock import local_day_start_utc, to_local
from emergency.lists.policy import FLOOR_SCOPE_LABELS, SETTING_LABELS
from emergency.registry.measures import TRANSPORT_LABELS
from emergency.registry.queries import _like_escape
from emergency.text import fold
from models import (
    POLLUTANT_LABELS,
    SOURCE_TYPE_LABELS,
    AuditLog,
    Category,
    County,
    Enterprise,
    Grade,
    Industry,
    MeasureType,
    db,
)
from models.audit import ACTION_LABELS
from models.line import LEVEL_LABELS
from models.request import DOWNGRADE_REASONS, HISTORY_KIND_LABELS, HISTORY_STATUS_LABELS, STATE_LABELS
from models.user import ROLE_LABELS, User
from seed.load import read_csv

HIDDEN = {"id", "version", "created_at", "updated_at", "name_sort"}
# A digest is shown by its first characters: the whole 64 is noise to a reader.
DIGEST_SHOWN = 12
# Columns holding a user's id: shown as that user's name.
USER_ID_FIELDS = {"created_by_id", "decided_by_id", "uploaded_by_id", "revoked_by_id", "published_by_id",
                  "received_by_id", "user_id"}
# Parsed JSON values (lists, mappings) are shown as text, at most this many items.
ITEMS_SHOWN = 10


@functools.cache
def _labels():
    """{(entity type or "", field): Chinese label} from seed/data/audit_labels.csv (type-specific rows win)."""
    return {(row["entity_type"], row["field"]): row["label"] for row in read_csv("audit_labels.csv")}


def field_label(entity_type, key):
    """The Chinese name of a field of an audited object; None when the dictionary has none."""
    labels = _labels()
    return labels.get((entity_type, key)) or labels.get(("", key))


def _field_order():
    return {key: n for n, (kind, key) in enumerate(_labels()) if not kind}


CODE_LABELS = {
    "level": LEVEL_LABELS, "previous_level": LEVEL_LABELS, "role": ROLE_LABELS, "kind": HISTORY_KIND_LABELS,
    "transport": TRANSPORT_LABELS,
    "reason_code": DOWNGRADE_REASONS, "scope": FLOOR_SCOPE_LABELS, "source_type": SOURCE_TYPE_LABELS,
    "pollutant": POLLUTANT_LABELS,
}
TYPE_CODE_LABELS = {"request": {"state": STATE_LABELS}, "grade": {"status": HISTORY_STATUS_LABELS},
                    "setting": {"key": SETTING_LABELS}}
SOURCE_LABELS = {"web": "网页", "cli": "命令行", "import": "导入", "auto": "自动"}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    at: object
    username: str
    source: str
    type_label: str
    action: str
    action_label: str
    summary: str
    enterprise_id: int | None
    enterprise_name: str
    changes: list


def type_choices():
    return [("", "全部")] + sorted(TYPE_LABELS.items(), key=lambda kv: kv[1])


def audit_query(enterprise="", user="", entity_type="", date_from=None, date_to=None):
    """The select of (AuditLog, current enterprise name) rows, newest first, for the given filters."""
    stmt = (select(AuditLog, Enterprise.name).outerjoin(Enterprise, AuditLog.enterprise_id == Enterprise.id)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc()))
    text = fold(enterprise or "")
    if text:
        pattern = f"%{_like_escape(text)}%"
        matching = select(Enterprise.id).where(or_(Enterprise.name.like(pattern, escape="\\"),
                                                   Enterprise.credit_code == text.upper()))
        # Deleted enterprises keep their log rows: match those by the summary of their own entries.
        conditions = [AuditLog.enterprise_id.in_(matching),
                      (AuditLog.entity_type == "enterprise") & AuditLog.summary.like(pattern, escape="\\")]
        if text.isascii() and text.isdigit() and len(text) < 10:   # an id, within the column's range
            conditions.append(AuditLog.enterprise_id == int(text))
        stmt = stmt.where(or_(*conditions))
    if (user or "").strip():
        stmt = stmt.where(AuditLog.username == user.strip())
    if entity_type:
        stmt = stmt.where(AuditLog.entity_type == entity_type)
    if date_from:
        stmt = stmt.where(AuditLog.at >= local_day_start_utc(date_from))
    if date_to:
        stmt = stmt.where(AuditLog.at < local_day_start_utc(date_to + timedelta(days=1)))
    return stmt


class Labeller:
    """Turns stored values into Chinese text, reading the small reference tables once."""

    def __init__(self):
        self.categories = {c.code: c.label for c in db.session.query(Category)}
        self.grades = {g.code: g.label for g in db.session.query(Grade)}
        self.counties = {c.id: c.name for c in db.session.query(County)}
        self.industries = {i.id: i.display_name for i in db.session.query(Industry)}
        # Measure types are reference data: their labels come from the table.
        self.codes = {**CODE_LABELS, "action": dict(db.session.query(MeasureType.code, MeasureType.label))}
        people = {u.id: u.display_name for u in db.session.query(User)}
        # Id columns shown by the name of what they point at.
        self.names = {"county_id": self.counties, "industry_id": self.industries,
                      **{key: people for key in USER_ID_FIELDS}}

    def value(self, entity_type, key, value):
        if value is None or value == "":
            return "—"
        if key == "password_hash":
            return "（已修改）"
        if isinstance(value, bool):
            return "是" if value else "否"
        codes = TYPE_CODE_LABELS.get(entity_type, {}).get(key) or self.codes.get(key)
        if codes is not None:
            return codes.get(value, str(value))
        if key.endswith("category_code"):
            return self.categories.get(value, value)
        if key.endswith("grade_code"):
            return self.grades.get(value, value)
        names = self.names.get(key)
        if names is not None:
            return names.get(value, f"已删除（编号{value}）")
        if key == "sha256" and isinstance(value, str):
            return value[:DIGEST_SHOWN] + "…"
        return self._text(value)

    def _text(self, value):
        """Times in Beijing time, JSON as readable items, anything else as written."""
        if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
            try:
                return to_local(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
            except ValueError:
                return value
        if isinstance(value, str) and value[:1] in "[{":
            try:
                value = json.loads(value)
            except ValueError:
                return value
        if isinstance(value, dict):
            items = [f"{self._label_of(k)}：{self._short(v)}" for k, v in list(value.items())[:ITEMS_SHOWN]]
            more = len(value) - ITEMS_SHOWN
            return "；".join(items) + (f"；等 {len(value)} 项" if more > 0 else "") if items else "—"
        if isinstance(value, list):
            shown = "、".join(self._short(v) for v in value[:ITEMS_SHOWN])
            return shown + (f"等 {len(value)} 项" if len(value) > ITEMS_SHOWN else "") if value else "—"
        return str(value)

    def _label_of(self, key):
        return field_label("", key) or LEVEL_LABELS.get(key) or POLLUTANT_LABELS.get(key) or str(key)

    def _short(self, value):
        if isinstance(value, dict):
            return f"{len(value)} 项"
        if isinstance(value, list):
            return "、".join(self._short(v) for v in value[:ITEMS_SHOWN])
        if isinstance(value, bool):
            return "是" if value else "否"
        return LEVEL_LABELS.get(value, str(value)) if isinstance(value, str) else str(value)

    def label(self, entity_type, key):
        return field_label(entity_type, key) or key

    def changes(self, log):
        before = json.loads(log.before) if log.before else {}
        after = json.loads(log.after) if log.after else {}
        order = _field_order()
        keys = sorted((set(before) | set(after)) - HIDDEN, key=lambda k: (order.get(k, len(order)), k))
        kind = log.entity_type
        return [Change(self.label(kind, k), self.value(kind, k, before.get(k)) if before else "",
                       self.value(kind, k, after.get(k)) if after else "") for k in keys]


def source_label(source):
    kind, _, detail = (source or "").partition(":")
    label = SOURCE_LABELS.get(kind, kind)
    return f"{label}：{detail}" if detail else label


def _summary(log):
    """The entry's summary; a measure's, written as a bare level code before the log named levels, in Chinese."""
    if log.entity_type == "measure" and log.summary in LEVEL_LABELS:
        return f"{LEVEL_LABELS[log.summary]}预警措施"
    return log.summary


def readable(rows):
    """Entries ready to print from (AuditLog, enterprise name) rows; users by their names where recorded."""
    labeller = Labeller()
    people = labeller.names["user_id"]
    return [Entry(at=to_local(log.at), username=people.get(log.user_id, log.username), source=source_label(log.source),
                  type_label=TYPE_LABELS.get(log.entity_type, log.entity_type), action=log.action,
                  action_label=ACTION_LABELS.get(log.action, log.action), summary=_summary(log),
                  enterprise_id=log.enterprise_id, enterprise_name=name or "", changes=labeller.changes(log))
            for log, name in rows]
