"""Running one domain operation from a form view: commit on success, show the domain's refusal on the form."""
from flask import flash

from emergency.errors import DomainError
from models import db


def run(form, operation, *args):
    """Run ``operation(*args)`` and commit, returning its result; on a ``DomainError`` roll back (nothing is
    written), put each message on its field of ``form`` (or flash it) and return None."""
    try:
        result = operation(*args)
    except DomainError as error:
        db.session.rollback()
        for field, message in error.errors.items():
            if form is not None and field in form:
                form[field].errors = list(form[field].errors) + [message]
            else:
                flash(message, "danger")
        return None
    db.session.commit()
    return result
