"""One page of the list on screen: totals over the whole scope, rows for one page of enterprises found by the
search and filters."""
from dataclasses import dataclass

from flask import current_app

from emergency.dashboard.figures import level_summary
from emergency.lists.inputs import RuleInputs
from emergency.lists.listing import count_without_lines, enterprise_ids, iter_list_rows
from emergency.lists.orders import is_stop_or_limit
from emergency.lists.verdicts import STATUS_ERROR, STATUS_WARNING
from emergency.registry import generation
from emergency.registry.queries import enterprise_conditions
from models import LEVELS

PAGE_SIZES = (50, 100, 200)
# The status filter: what a line's verdict says about it.
STATUSES = {"error": "措施有误", "warning": "有警告", "imposed": "按规则调整了填报措施", "ok": "无问题"}
# The registry's status filter: the problems only ("no problem at any level" says little about a firm).
REGISTRY_STATUSES = {code: STATUSES[code] for code in ("error", "warning", "imposed")}


@dataclass(frozen=True)
class ListFilters:
    """The list page's search and filters, as kept in its URL."""

    q: str = ""
    industry: int | None = None
    grade: str = ""
    measure: str = ""
    status: str = ""

    @property
    def any(self):
        return bool(self.q or self.industry or self.grade or self.measure or self.status)

    @property
    def by_line(self):
        """Whether the filter needs the rules' verdicts (the measure on the list and its problems)."""
        return bool(self.measure or self.status)

    def where(self):
        return enterprise_conditions(self.q, None, self.industry, self.grade)

    def keeps(self, row):
        """Whether a judged list row passes the measure-type and status filters."""
        m = row.measure
        if self.measure and m.action != self.measure:
            return False
        if self.status == "imposed":
            return m.imposed
        if self.status == "ok":
            return not m.problems
        return not self.status or m.status == {"error": STATUS_ERROR, "warning": STATUS_WARNING}.get(self.status)


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


def _matching_ids(level, county_id, filters):
    """Ids of the enterprises in list order that have a line passing the measure and status filters: the rules
    judge every firm the other filters leave, as the export does."""
    found = []
    for row in iter_list_rows(level, county_id, where=filters.where()):
        if filters.keeps(row) and (not found or found[-1] != row.enterprise_id):
            found.append(row.enterprise_id)
    return found


def enterprises_matching(county_id, filters):
    """Ids of the enterprises with a line passing the measure-type and status filters at any level: the registry's
    filters, judged by the same rules as the level lists."""
    found = set()
    for level in LEVELS:
        found.update(row.enterprise_id for row in iter_list_rows(level, county_id) if filters.keeps(row))
    return found


def listed_ids(county_id):
    """(ids of the scope's enterprises with lines in list order, how many have no line), kept per generation.

    Read once per committed change of the list's order in each worker, not on every request: at 50,000 firms the
    sorted read takes about 0.4 s, where the rest of the page reads only its own firms. Keyed by the "order"
    generation, which every committed addition, deletion, renaming or move of a firm, addition or deletion of a
    line and change of a county renews (``emergency.registry.generation``), so an added, renamed or deleted firm
    is placed correctly on the next request, and an edit of a phone number or a measure reads nothing again.
    Before the first generation token there is nothing to key on, and the ids are read each time.
    """
    token = generation.current("order")
    memory = current_app.extensions.setdefault("listed_ids", {})
    kept = memory.get(county_id)
    if token is None or kept is None or kept[0] != token:
        kept = (token, enterprise_ids(county_id), count_without_lines(county_id))
        if token is not None:
            memory[county_id] = kept
    return kept[1], kept[2]


def build_list_page(level, county=None, page=1, per_page=50, filters=ListFilters()):
    """The rows of page ``page`` (1-based) of the enterprises ``filters`` find, and the totals over the whole scope.

    The totals come from the dashboard's generation-keyed figures, shared by all workers and computed once
    per committed edit with the same rows, rules and accounting; only the page's enterprises are read here.
    With a measure or status filter only the lines passing it are shown.
    """
    county_id = county.id if county else None
    without_lines = None
    if filters.by_line:
        ids = _matching_ids(level, county_id, filters)
    elif filters.any:
        ids = enterprise_ids(county_id, where=filters.where())
    else:
        ids, without_lines = listed_ids(county_id)
    pages = max((len(ids) + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    shown = ids[(page - 1) * per_page:page * per_page]
    summary, updating = level_summary(county_id, level)
    rows = list(iter_list_rows(level, county_id, enterprise_ids=shown, inputs=RuleInputs.shared())) if shown else []
    if filters.by_line:
        rows = [row for row in rows if filters.keeps(row)]
    return ListPage(summary=summary, groups=group_rows(rows), page=page, pages=pages, total=len(ids),
                    without_lines=count_without_lines(county_id) if without_lines is None else without_lines,
                    updating=updating)
