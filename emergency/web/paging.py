"""Pagination that hands templates ready-made prev/next URLs."""
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import func, select

from models import db


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int
    prev_url: str | None
    next_url: str | None


def kept_args(args):
    """The query arguments a page link carries over: not the page, and nothing url_for would take as its own."""
    return {k: v for k, v in args.items() if v and k not in ("page", "endpoint") and not k.startswith("_")}


def page_number(args):
    """The ?page= number, 1 for anything that is not a positive whole number."""
    try:
        return max(int(args.get("page", 1)), 1)
    except (TypeError, ValueError):
        return 1


def paginate(stmt, args, endpoint, per_page=50, **url_values):
    """Run one page of a select (rows keep all their columns) plus one count query."""
    page = page_number(args)
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(page, pages)
    items = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    kept = kept_args(args)

    def link(number):
        return url_for(endpoint, page=number, **kept, **url_values)

    return Page(items=items, page=page, pages=pages, total=total,
                prev_url=link(page - 1) if page > 1 else None,
                next_url=link(page + 1) if page < pages else None)
