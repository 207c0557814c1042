"""Named state changes on user accounts; each flushes, never commits."""
from emergency.accounts.passwords import policy_error
from emergency.registry.operations import DomainError, create_user
from models import County, Enterprise, User, db


def change_own_password(user, current, new):
    if not user.check_password(current or ""):
        raise DomainError({"current": "当前密码不正确"})
    _set_password(user, new)


def reset_password(user, new):
    """An administrator sets a new password for ``user``."""
    _set_password(user, new)


def _set_password(user, new):
    message = policy_error(new, user.username)
    if message:
        raise DomainError({"new": message})
    user.set_password(new)
    db.session.flush()


def set_active(user, active, acting_user):
    if user.id == acting_user.id and not active:
        raise DomainError({"active": "不能停用自己的账号"})
    user.active = active
    db.session.flush()


def create_account(username, role, password, county_id=None, enterprise_code=None):
    """Create a user from form values (county id, enterprise credit code)."""
    county = db.session.get(County, county_id) if county_id else None
    enterprise = None
    if enterprise_code:
        enterprise = db.session.query(Enterprise).filter_by(credit_code=enterprise_code.strip().upper()).one_or_none()
        if enterprise is None:
            raise DomainError({"enterprise": f"未找到统一社会信用代码为 {enterprise_code} 的企业"})
    return create_user(username.strip(), role, password, county=county, enterprise=enterprise)


def users_page():
    return db.session.query(User).order_by(User.role, User.username).all()
