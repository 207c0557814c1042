"""Every HTML page of the access matrix that a signed-in user can reach reads at 1024 and 1440 px: no page wider
than the window, no figure split across lines, no action label stacked a character a line (Playwright driving
Debian's chromium). test_widths.py holds the busier fixtures; this one walks the whole URL map."""
import pytest

from tests.e2e.layout_checks import overflowing, split_figures
from tests.test_access_matrix import MATRIX, _build_world, _requests

pytestmark = pytest.mark.e2e

WIDTHS = (1024, 1440)
# Each persona walks the pages it may open (200 in the matrix); together they reach every GET page.
PERSONAS = ("city", "county_own", "ent_own", "admin")


def _html(page, url):
    """True when ``url`` answers 200 with an HTML page (downloads and redirects are left to other tests)."""
    response = page.request.get(url, max_redirects=0)
    return response.status == 200 and response.headers.get("content-type", "").startswith("text/html")


def test_every_reachable_page_fits_at_both_widths(app, make_enterprise, make_line, make_user, tmp_path,
                                                  monkeypatch, sign_in, live_server, page):
    users, values, query = _build_world(make_enterprise, make_line, make_user, tmp_path, app, monkeypatch)
    walked, problems = set(), {}
    for persona in PERSONAS:
        page.context.clear_cookies()
        sign_in(users[persona].username)
        for method, url, endpoint in _requests(app, values, query):
            if method != "GET" or endpoint in walked or endpoint.startswith("api.") or endpoint == "auth.logout":
                continue
            if MATRIX[endpoint]["GET"][persona] != 200 or not _html(page, live_server + url):
                continue
            walked.add(endpoint)
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            page.goto(live_server + url)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                found = overflowing(page) + split_figures(page)
                if found:
                    problems[f"{width} {url}"] = found
    # The walk must have reached the pages of every kind of user, not silently skipped them.
    assert {"lists.level_list", "registry.enterprise", "dashboard.obligations", "account.user_list"} <= walked, walked
    assert len(walked) > 60, len(walked)
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())
