"""Who may see and change what: row scoping and the record look-ups every blueprint uses.

The role groups (STAFF, CITYWIDE) are defined once, with the roles, in ``models.user``; the login decorator
``roles_required`` is HTTP and lives in ``emergency.web.decorators``.
"""
from emergency.errors import Forbidden, NotFound
from models import Enterprise, db
from models.user import STAFF


def scope_enterprises(query, user):
    """Limit an Enterprise query to what ``user`` may see."""
    if user.is_citywide:
        return query
    if user.role == "county":
        return query.filter(Enterprise.county_id == user.county_id)
    if user.role == "enterprise":
        return query.filter(Enterprise.id == user.enterprise_id)
    return query.filter(db.false())


def can_see_enterprise(user, enterprise):
    if user.is_citywide:
        return True
    if user.role == "county":
        return enterprise.county_id == user.county_id
    if user.role == "enterprise":
        return enterprise.id == user.enterprise_id
    return False


def can_edit_enterprise(user, enterprise):
    return user.role in STAFF and can_see_enterprise(user, enterprise)


def visible_enterprise(enterprise_id, user, edit=False):
    """The enterprise if the user may see (or edit) it. NotFound for one they may not see, so ids of others do
    not leak; Forbidden for one they may see but not edit."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not can_see_enterprise(user, enterprise):
        raise NotFound(f"enterprise {enterprise_id}")
    if edit and not can_edit_enterprise(user, enterprise):
        raise Forbidden(f"enterprise {enterprise_id}")
    return enterprise
