"""One page of the list on screen: totals over the whole scope, rows for one page of enterprises."""
from dataclasses import dataclass

from .accounting import accumulator_for
from .listing import count_without_lines, counties, enterprise_ids, iter_list_rows
from .orders import is_stop_or_limit


@dataclass
class EnterpriseGroup:
    """An enterprise and its rows, as shown together on the page."""

    rows: list

    @property
    def first(self):
        return self.rows[0]

    @property
    def has_order(self):
        return any(is_stop_or_limit(r) for r in self.rows)


@dataclass
class ListPage:
    summary: object
    groups: list
    page: int
    pages: int
    total: int
    without_lines: int


def group_rows(rows):
    """[(county name, [EnterpriseGroup, ...]), ...] from rows already in list order."""
    groups = []
    for row in rows:
        if not groups or groups[-1][0] != row.county_name:
            groups.append((row.county_name, []))
        enterprises = groups[-1][1]
        if not enterprises or enterprises[-1].first.enterprise_id != row.enterprise_id:
            enterprises.append(EnterpriseGroup([]))
        enterprises[-1].rows.append(row)
    return groups


def build_list_page(level, county=None, page=1, per_page=50):
    """Compute the totals in one pass over every row and keep the rows of page ``page`` (1-based)."""
    county_id = county.id if county else None
    ids = enterprise_ids(county_id)
    pages = max((len(ids) + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    shown = set(ids[(page - 1) * per_page:page * per_page])
    accumulator = accumulator_for(level, counties(county_id))
    kept = []
    for row in iter_list_rows(level, county_id):
        accumulator.add(row)
        if row.enterprise_id in shown:
            kept.append(row)
    return ListPage(summary=accumulator.result(), groups=group_rows(kept), page=page, pages=pages,
                    total=len(ids), without_lines=count_without_lines(county_id))
