"""Tables read at 1024 and 1440 px: no page wider than the window, no figure split across lines, no action label
stacked a character a line (Playwright driving Debian's chromium). Screenshots go to test-output/screenshots."""
from datetime import datetime

import pytest

from emergency.grading import workflow
from emergency.publishing.alerts import start_alert
from emergency.publishing.versions import publish_version
from models import ImportBatch, db
from tests.baseline_support import make_season
from tests.e2e.layout_checks import overflowing, split_figures

pytestmark = pytest.mark.e2e

WIDTHS = (1024, 1440)
FIRMS = [("晋城宏达钢铁集团有限公司", "城区", "B", 1499.5, 2424.43, 822.45),
         ("国投晋城热电有限公司", "泽州县", "A", 424.43, 1499.0, 22.45),
         ("大唐阳城发电有限责任公司", "阳城县", "C", 14990.25, 8424.5, 1022.4),
         ("山西兰花焦化有限公司", "高平市", "B-", 314.15, 92.65, 35.89)]


@pytest.fixture
def bureau(make_enterprise, make_line, make_user):
    """Four firms in four counties with four-digit emissions, a version, an alert, a request and an import."""
    firms = []
    for name, county, grade, so2, nox, pm in FIRMS:
        firm = make_enterprise(name=name, county_name=county, grade=grade, contact_phone="0356-2021499")
        for n in range(1, 3):
            make_line(firm, name=f"{n}#熟料生产线", so2_t_yr=so2 * n, nox_t_yr=nox, pm_t_yr=pm, vocs_t_yr=12.5)
        firms.append(firm)
    users = {"city": make_user("city", username="width_city"),
             "county": make_user("county", username="width_county", county_name="泽州县"),
             "firm": make_user("enterprise", username="width_firm", enterprise=firms[1]),
             "admin": make_user("admin", username="width_admin")}
    version = publish_version("2026年12月动态调整", "", users["city"], override_reason="演示")
    request = workflow.save_request(firms[0], {"target": "GRADED:A", "reason": "已完成超低排放改造", "evidence": ""},
                                    [], make_user("enterprise", enterprise=firms[0]),
                                    submit=True)
    alert = start_alert({"level": "orange", "all_counties": True, "county_ids": [], "note": "晋环发〔2026〕1499号",
                         "started_at": datetime(2026, 12, 1, 8, 0), "override_reason": "演示"}, users["city"])
    db.session.add(ImportBatch(username="width_city", source="web", filename="2026年名录.xlsx", size=1499224,
                               sha256="0" * 64, rows=1499, status="no_changes"))
    season = make_season("2026-2027年秋冬季")
    db.session.commit()
    return {"firms": firms, "version": version, "request": request, "alert": alert, "season": season}


def _check(page, url, live_server):
    response = page.goto(live_server + url)
    assert response.status == 200, url
    return overflowing(page), split_figures(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_pages_fit_and_keep_figures_whole(bureau, sign_in, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    firm, version, alert = bureau["firms"][0], bureau["version"], bureau["alert"]
    urls = ["/", "/enterprises", f"/enterprises/{firm.id}", f"/enterprises/{firm.id}/edit",
            f"/enterprises/{firm.id}/lines/{firm.lines[0].id}/edit", "/lists/yellow", "/lists/orange", "/lists/red",
            f"/lists/red/orders/{firm.id}", "/lists/check", "/versions", f"/versions/{version.id}", "/audit",
            "/import", "/import/history", "/requests?state=", f"/requests/{bureau['request'].id}", "/alerts",
            f"/alerts/{alert.id}", "/versions/new", "/alerts/new", "/floors", "/baseline/",
            f"/baseline/seasons/{bureau['season'].id}", f"/baseline/seasons/{bureau['season'].id}/reductions/red",
            "/notices/settings", "/supervision/", f"/supervision/alerts/{alert.id}", "/supervision/positive",
            "/supervision/proposals", "/supervision/power/import", f"/alerts/{alert.id}/unsigned",
            "/lists/red/solve?county=城区", "/staggering/"]
    sign_in("width_city")
    problems = {}
    for url in urls:
        found = [item for items in _check(page, url, live_server) for item in items]
        if found:
            problems[url] = found
    page.goto(f"{live_server}/lists/red")
    page.screenshot(path=_shot(f"40-red-list-{width}"), full_page=True)
    page.goto(f"{live_server}/enterprises/{firm.id}")
    page.screenshot(path=_shot(f"41-enterprise-{width}"), full_page=True)
    page.goto(f"{live_server}/")
    page.screenshot(path=_shot(f"42-dashboard-{width}"), full_page=True)
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


@pytest.mark.parametrize("width", WIDTHS)
def test_county_enterprise_and_admin_pages_fit(bureau, sign_in, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems = {}
    for user, urls in (("width_county", ["/", "/lists/red", f"/alerts/{bureau['alert'].id}", "/lists/check"]),
                       ("width_firm", ["/obligations", "/obligations/order/orange", "/requests"]),
                       ("width_admin", ["/admin/users", "/admin/api-tokens"])):
        page.context.clear_cookies()
        sign_in(user)
        for url in urls:
            found = [item for items in _check(page, url, live_server) for item in items]
            if found:
                problems[url] = found
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


def _shot(name):
    from tests.e2e.conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return str(SHOTS / f"{name}.png")
