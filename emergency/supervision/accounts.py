"""Electricity accounts entered by staff: register a 户号 for a firm, or tie one of its accounts to a line.

The import registers accounts on its own (``power_import``); this is for a firm whose 户名 differs from its name
and for tying an account to the line it meters.
"""
from sqlalchemy import select

from emergency.errors import DomainError
from emergency.text import fold
from models import PowerAccount, ProductionLine, db

NUMBER_MAX, HOLDER_MAX = 40, 200


def check_account(enterprise, values):
    """{field: Chinese message} for an account of ``enterprise``: number, holder, line_id (or None)."""
    errors = {}
    number = fold(values.get("number") or "")
    if not number:
        errors["number"] = "请填写户号"
    elif len(number) > NUMBER_MAX:
        errors["number"] = f"户号不超过{NUMBER_MAX}个字符"
    else:
        owner = db.session.scalar(select(PowerAccount.enterprise_id).where(PowerAccount.number == number))
        if owner is not None and owner != enterprise.id:
            errors["number"] = f"户号 {number} 已登记在另一家企业名下：一个户号不能属于两家企业"
    line_id = values.get("line_id")
    if line_id is not None and db.session.scalar(select(ProductionLine.enterprise_id)
                                                 .where(ProductionLine.id == line_id)) != enterprise.id:
        errors["line_id"] = "请选择本企业的生产线"
    return errors


def save_account(enterprise, values):
    """Register the account for ``enterprise`` or update its holder and line; flush; return it."""
    errors = check_account(enterprise, values)
    if errors:
        raise DomainError(errors)
    number = fold(values["number"])
    account = db.session.scalar(select(PowerAccount).where(PowerAccount.number == number))
    if account is None:
        account = PowerAccount(number=number, enterprise_id=enterprise.id)
        db.session.add(account)
    holder = fold(values.get("holder") or "")[:HOLDER_MAX]
    account.holder = holder or account.holder or ""
    account.line_id = values.get("line_id")
    db.session.flush()
    return account
