"""One page of the list on screen: totals over the whole scope, rows for one page of enterprises."""
from dataclasses import dataclass

from emergency.dashboard.figures import level_summary
from emergency.lists.listing import count_without_lines, enterprise_ids, iter_list_rows
from emergency.lists.orders import is_stop_or_limit


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
    updating: bool = False


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
    """The rows of page ``page`` (1-based) and the totals over the whole scope.

    The totals come from the dashboard's generation-keyed figures, shared by all workers and computed once
    per committed edit with the same rows, rules and accounting; only the page's enterprises are read here.
    """
    county_id = county.id if county else None
    ids = enterprise_ids(county_id)
    pages = max((len(ids) + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    shown = ids[(page - 1) * per_page:page * per_page]
    summary, updating = level_summary(county_id, level)
    rows = list(iter_list_rows(level, county_id, enterprise_ids=shown)) if shown else []
    return ListPage(summary=summary, groups=group_rows(rows), page=page, pages=pages, total=len(ids),
                    without_lines=count_without_lines(county_id), updating=updating)
