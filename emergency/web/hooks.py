"""Request hooks that read or write the database; ``emergency.setup.register_hooks`` installs them app-wide."""
from flask import g, request
from sqlalchemy.orm.exc import StaleDataError

from emergency.grading import history as grade_changes
from models import db


def apply_due_grades():
    """Apply grade changes whose effective date has come before anything reads grades (one indexed query).

    It commits on its own when something was due, so every page (and the list it builds) already sees the new
    grade; the audit trail names the change ``auto:apply-due-grades``, not the page that happened to trigger it.
    """
    if request.endpoint in (None, "static"):
        return
    previous = g.get("audit_source")
    g.audit_source = "auto:apply-due-grades"
    try:
        if grade_changes.apply_due_grades():
            db.session.commit()
    except StaleDataError:
        # Another worker applied the same change at the same moment; its commit stands.
        db.session.rollback()
    finally:
        if previous is None:
            g.pop("audit_source", None)
        else:
            g.audit_source = previous
