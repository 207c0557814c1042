"""Input no page can use, refused before any view runs: NUL characters and ids beyond the database's integers.

PostgreSQL cannot store or even compare text holding NUL, so such a value would fail deep inside a query;
nobody types one, so the request is refused whole (400). Ids in URLs are bounded to a 32-bit integer, the
range of the id columns, so a longer number is simply a page that does not exist (404).
"""
from flask import abort, request
from werkzeug.routing import IntegerConverter

from emergency.limits import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:...>`` limited to what an integer column holds; larger numbers do not match the route."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def _has_nul(values):
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_nul():
    """Refuse a request whose query or form fields hold a NUL character (upload names are cleaned where used)."""
    if _has_nul(request.args) or _has_nul(request.form):
        abort(400)


def install_converter(app):
    """Call before any blueprint is registered, so every ``<int:...>`` route uses the bounded converter."""
    app.url_map.converters["int"] = IdConverter
