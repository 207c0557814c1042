"""The level and county a list-like page is about: the level from its URL, the county from ?county=."""
from flask import abort, request
from flask_login import current_user

from emergency.lists.listing import find_county
from models import LEVELS

LEVEL = f"<any({', '.join(LEVELS)}):level>"   # the level part of a route: yellow, orange or red


def scope_county():
    """The county in ?county= (id or name); county users always get theirs, and 404 for any other."""
    raw = (request.args.get("county") or "").strip()
    county = find_county(raw) if raw else None
    if raw and county is None:
        abort(404)
    if current_user.role == "county":
        if county is not None and county.id != current_user.county_id:
            abort(404)
        return current_user.county
    return county
