"""The positive list (正面清单): firms with a clean record, kept by the city with a reason, a start and an expiry.

A firm on the list today is marked on the supervision board and ranked after the other firms of its status.
"""
from sqlalchemy import select

from emergency.audit import trail as audit
from emergency.errors import DomainError, NotFound
from emergency.registry import credit_code as codes
from models import Enterprise, PositiveListEntry, db

REASON_MAX = 300


def all_entries():
    return db.session.scalars(select(PositiveListEntry).order_by(PositiveListEntry.expires_on.desc(),
                                                                 PositiveListEntry.id)).all()


def find_firm(text):
    """The enterprise with this credit code or exact name, or None."""
    text = (text or "").strip()
    if not text:
        return None
    code = codes.normalise(text)
    return db.session.scalar(select(Enterprise).where((Enterprise.credit_code == code) | (Enterprise.name == text)))


def check_entry(values):
    """{field: Chinese message} for an entry's values (enterprise, reason, added_on, expires_on)."""
    errors = {}
    if values.get("enterprise") is None:
        errors["firm"] = "名录中没有该企业：请填写统一社会信用代码或完整的企业名称"
    if not (values.get("reason") or "").strip():
        errors["reason"] = "请填写列入理由"
    if values.get("added_on") is None:
        errors["added_on"] = "请填写列入日期"
    if values.get("expires_on") is None:
        errors["expires_on"] = "请填写有效期至"
    elif values.get("added_on") and values["expires_on"] < values["added_on"]:
        errors["expires_on"] = "有效期不能早于列入日期"
    return errors


def save_entry(values, user):
    """Put the firm on the list (or renew its entry); flush; return the entry."""
    errors = check_entry(values)
    if errors:
        raise DomainError(errors)
    enterprise = values["enterprise"]
    entry = db.session.scalar(select(PositiveListEntry).where(PositiveListEntry.enterprise_id == enterprise.id))
    if entry is None:
        entry = PositiveListEntry(enterprise=enterprise)
        db.session.add(entry)
    entry.reason = values["reason"].strip()[:REASON_MAX]
    entry.added_on, entry.expires_on, entry.added_by = values["added_on"], values["expires_on"], user.username
    db.session.flush()
    return entry


def remove_entry(entry_id):
    """Take a firm off the list; flush."""
    entry = db.session.get(PositiveListEntry, entry_id)
    if entry is None:
        raise NotFound(f"positive list entry {entry_id}")
    db.session.delete(entry)
    db.session.flush()


audit.register(PositiveListEntry, "positive_list", "正面清单", lambda o, c: o.enterprise_id,
               lambda o: f"{o.reason}（{o.added_on}至{o.expires_on}）")
