"""Named state changes on user accounts; each flushes, never commits."""
from functools import cache

from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from emergency.accounts.passwords import policy_error
from emergency.errors import DomainError
from emergency.registry import credit_code
from models import ROLES, County, Enterprise, User, db


@cache
def _dummy_hash():
    # Checked for unknown usernames, so a wrong name costs the same hash as a wrong password.
    return generate_password_hash("no such user: the same cost as a real check")


def verify(username, password):
    """The user whose name and password these are, or None. An unknown name costs a full hash check too,
    so timing does not tell which names exist."""
    user = db.session.query(User).filter_by(username=username).one_or_none()
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    return user if user.check_password(password or "") else None


def end_sessions(user):
    """End every session ``user`` has open, in every browser: raise the epoch their session ids carry.

    A plain UPDATE, not an ORM change: ending a session is not an edit of the account, so it is not audited.
    """
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_epoch=User.session_epoch + 1))
    db.session.refresh(user, ["session_epoch"])
    return user


def change_own_password(user, current, new):
    if not user.check_password(current or ""):
        raise DomainError({"current": "当前密码不正确"})
    return _set_password(user, new)


def reset_password(user, new):
    """An administrator sets a new password for ``user``."""
    return _set_password(user, new)


def _set_password(user, new):
    message = policy_error(new, user.username)
    if message:
        raise DomainError({"new": message})
    user.set_password(new)
    db.session.flush()
    return end_sessions(user)


def set_active(user, active, acting_user):
    if user.id == acting_user.id and not active:
        raise DomainError({"active": "不能停用自己的账号"})
    user.active = active
    db.session.flush()
    return user if active else end_sessions(user)


PROFILE_FIELDS = ("real_name", "unit", "phone")


def create_account(username, role, password, county_id=None, enterprise_code=None, profile=None):
    """Create a login: the one way in for the admin form, the create-user command and the demo logins.

    County users need ``county_id``; enterprise users ``enterprise_code``, their enterprise's credit code as
    typed (cleaned by ``credit_code.normalise``, like every other code). Refusals are a DomainError keyed by
    field: username, role, county, enterprise, password. ``profile`` holds the person's 姓名, 单位 and 电话
    (real_name, unit, phone), which the admin form requires.
    """
    username = (username or "").strip()
    county = db.session.get(County, county_id) if county_id else None
    enterprise = None
    if enterprise_code:
        code = credit_code.normalise(enterprise_code)
        enterprise = db.session.query(Enterprise).filter_by(credit_code=code).one_or_none()
        if enterprise is None:
            raise DomainError({"enterprise": f"未找到统一社会信用代码为 {code} 的企业"})
    errors = _account_errors(username, role, password, county, enterprise)
    if errors:
        raise DomainError(errors)
    profile = {k: (v or "").strip() for k, v in (profile or {}).items() if k in PROFILE_FIELDS}
    user = User(username=username, role=role, **profile,
                county=county if role == "county" else None,
                enterprise=enterprise if role == "enterprise" else None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _account_errors(username, role, password, county, enterprise):
    errors = {}
    if db.session.query(User.id).filter_by(username=username).first():
        errors["username"] = f"用户名“{username}”已存在"
    if role not in ROLES:
        errors["role"] = "请选择角色"
    if role == "county" and county is None:
        errors["county"] = "县级用户须指定所属县（市、区）"
    if role == "enterprise" and enterprise is None:
        errors["enterprise"] = "企业用户须指定所属企业"
    message = policy_error(password, username)
    if message:
        errors["password"] = message
    return errors


def users_page():
    return db.session.query(User).order_by(User.role, User.username).all()
