"""The texts every notice carries: the 文号 prefix, the legal basis, the consequences and each county's contact.

City staff edit them on the 通知文书设置 page (``/notices/settings``); they are stored as ``setting`` rows. Until a
value is saved there, the app config gives it (``NOTICE_NUMBER_PREFIX``, ``NOTICE_LEGAL_BASIS``,
``NOTICE_CONSEQUENCES``); a county without a contact is printed as "<county>生态环境部门". A step's notices take the
values in force when it is dispatched and keep them (``models.notice.NoticeBatch``).
"""
from dataclasses import dataclass, field

from flask import current_app

from emergency.errors import DomainError
from emergency.limits import text_limit
from emergency.lists.listing import counties
from models import NoticeBatch, Setting, db

PREFIX, LEGAL_BASIS, CONSEQUENCES = "notice_number_prefix", "notice_legal_basis", "notice_consequences"
CONFIG = {PREFIX: "NOTICE_NUMBER_PREFIX", LEGAL_BASIS: "NOTICE_LEGAL_BASIS", CONSEQUENCES: "NOTICE_CONSEQUENCES"}
CONTACT = "notice_contact:"          # + the county's code
YEAR = "{year}"
PREFIX_MAX = 40
LIMITS = {PREFIX: PREFIX_MAX, LEGAL_BASIS: text_limit(NoticeBatch.legal_basis),
          CONSEQUENCES: text_limit(NoticeBatch.consequences)}
CONTACT_MAX = text_limit(NoticeBatch.contact)
LABELS = {PREFIX: "文号前缀", LEGAL_BASIS: "法律依据", CONSEQUENCES: "不落实的后果"}


@dataclass
class NoticeSettings:
    """The values in force; ``contacts`` maps county ids to what was entered (blank: the default)."""

    prefix: str
    legal_basis: str
    consequences: str
    contacts: dict = field(default_factory=dict)

    def contact_for(self, county):
        return self.contacts.get(county.id) or default_contact(county)


def default_contact(county):
    return f"{county.name}生态环境部门"


def notice_settings():
    """The notices' settings as they take effect: stored values, else the config's."""
    ours = Setting.key.startswith("notice_", autoescape=True)
    stored = dict(db.session.query(Setting.key, Setting.value).filter(ours))
    texts = {key: stored.get(key) or current_app.config[name] for key, name in CONFIG.items()}
    contacts = {c.id: stored.get(CONTACT + c.code, "") for c in counties()}
    return NoticeSettings(texts[PREFIX], texts[LEGAL_BASIS], texts[CONSEQUENCES], contacts)


def number_prefix(prefix, year):
    """The prefix of a 文号 for an alert started in ``year``: "晋市环应急〔{year}〕" → "晋市环应急〔2020〕"."""
    return prefix.replace(YEAR, str(year))


def _check_text(key, value):
    if not value:
        return f"请填写{LABELS[key]}"
    if len(value) > LIMITS[key]:
        return f"{LABELS[key]}不超过{LIMITS[key]}字"
    if key == PREFIX and ("{" in value.replace(YEAR, "") or "}" in value.replace(YEAR, "")):
        return "文号前缀中只可使用 {year}（预警启动年份），不可使用其他花括号"
    return None


def check_notice_settings(values):
    """{field: Chinese message} for the texts (keys as in ``CONFIG``) and ``contacts`` ({county id: text})."""
    errors = {}
    for key in CONFIG:
        message = _check_text(key, (values.get(key) or "").strip())
        if message:
            errors[key] = message
    for county_id, text in (values.get("contacts") or {}).items():
        if len((text or "").strip()) > CONTACT_MAX:
            errors[f"contact_{county_id}"] = f"联系人及电话不超过{CONTACT_MAX}字"
    return errors


def _store(key, text, default):
    """Write one setting; return whether it changed. A value equal to the default is not stored anew."""
    row = db.session.get(Setting, key)
    if row is None:
        if text == default:
            return False
        db.session.add(Setting(key=key, value=text))
    elif row.value == text:
        return False
    else:
        row.value = text
    return True


def save_notice_settings(values):
    """Store the notices' texts and contacts; return how many changed. Raises DomainError on bad values."""
    errors = check_notice_settings(values)
    if errors:
        raise DomainError(errors)
    changed = sum(_store(key, values[key].strip(), current_app.config[name]) for key, name in CONFIG.items())
    contacts = values.get("contacts") or {}
    changed += sum(_store(CONTACT + c.code, (contacts.get(c.id) or "").strip(), "") for c in counties()
                   if c.id in contacts)
    db.session.flush()
    return changed
