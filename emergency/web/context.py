"""What every template may use: labels, the local-time filters and the page chrome's two database figures.

The demo banner and the inbox badge are read together in one query, once per request (``nav_figures``).
"""
from flask import current_app, g
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import literal, select
from sqlalchemy.exc import SQLAlchemyError

from emergency.clock import to_local
from emergency.grading.inbox import pending_count_select
from models import LEVEL_LABELS, POLLUTANT_LABELS, db
from seed.load import demo_flag


def nav_figures():
    """(demo data loaded, requests awaiting the user) in one query, kept for the rest of the request.

    Never breaks a page (the error page itself renders the navigation): on a database error both are off.
    """
    if "nav_figures" not in g:
        count = pending_count_select(current_user)
        stmt = select(demo_flag(), count if count is not None else literal(0))
        try:
            demo, pending = db.session.execute(stmt).one()
        except SQLAlchemyError:
            current_app.logger.exception("navigation figures failed")
            demo, pending = False, 0
        g.nav_figures = (bool(demo), pending or 0)
    return g.nav_figures


def inbox_count():
    return nav_figures()[1]


def inject_globals():
    return {
        "demo_data": nav_figures()[0],
        "LEVEL_LABELS": LEVEL_LABELS,
        "POLLUTANT_LABELS": POLLUTANT_LABELS,
        "inbox_count": inbox_count,
    }


def local_dt(value):
    """A stored UTC time as local "2020-12-01 08:00"; "—" for none."""
    return f"{to_local(value):%Y-%m-%d %H:%M}" if value else "—"


def tonnes_per_day(value):
    """A t/d figure as the list pages print it: four decimals in a span.n, which never wraps, or "—" for none.
    A filter, not a macro: the list page prints four per line, and a macro call costs ten times as much."""
    return Markup('<span class="n">%s</span>') % ("—" if value is None else f"{value:.4f}")


# name → function, registered by ``emergency.setup.register_hooks``
TEMPLATE_FILTERS = {"local_time": to_local, "local_dt": local_dt, "tpd": tonnes_per_day}
