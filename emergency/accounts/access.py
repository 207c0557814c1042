"""Who may see and change what: role checks and row scoping used by every blueprint."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from models import Enterprise, db


def roles_required(*roles):
    """Require a logged-in user with one of ``roles``; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


STAFF = ("admin", "city", "county")
CITYWIDE = ("admin", "city")


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


def enterprise_or_404(enterprise_id, user, edit=False):
    """Load an enterprise the user may see (or edit); 404 otherwise, so ids of others do not leak."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not can_see_enterprise(user, enterprise):
        abort(404)
    if edit and not can_edit_enterprise(user, enterprise):
        abort(403)
    return enterprise
