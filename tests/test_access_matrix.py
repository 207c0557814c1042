"""Every route in the URL map, for every kind of user, against a declared table of expected outcomes.

A route missing from the table fails the test, so a new route cannot slip through unreviewed. GET and POST
are both exercised; a refused request must leave every table exactly as it was.
"""
import io
from datetime import date, datetime

import pytest
from sqlalchemy import text

from emergency.accounts import api_tokens
from emergency.grading import attachments, workflow
from emergency.importing.report import Report, report_to_json
from emergency.platform import jobs
from emergency.publishing.alerts import start_alert
from emergency.publishing.versions import publish_version
from emergency.staggering.notices import issue_notices
from emergency.supervision.inspections import record_inspection
from emergency.supervision.positive import save_entry
from emergency.web.sessions import stamp
from models import County, Industry, MeasureFloor, Notice, StaggerNotice, StaggerRule, db
from tests.baseline_support import make_season

PERSONAS = ("anon", "ent_other", "ent_own", "county_other", "county_own", "city", "admin")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Shorthands: L = redirect to /login, R = redirect elsewhere, numbers are HTTP statuses.
L, R = "login", "redirect"
STAFF_ONLY = dict(anon=L, ent_other=403, ent_own=403, county_other=200, county_own=200, city=200, admin=200)
CITY_ONLY = dict(anon=L, ent_other=403, ent_own=403, county_other=403, county_own=403, city=200, admin=200)
ADMIN_ONLY = dict(anon=L, ent_other=403, ent_own=403, county_other=403, county_own=403, city=403, admin=200)
ANY_USER = dict(anon=L, ent_other=200, ent_own=200, county_other=200, county_own=200, city=200, admin=200)
ENTERPRISE_ONLY = dict(anon=L, ent_other=200, ent_own=200, county_other=403, county_own=403, city=403, admin=403)
OWN_RECORD = dict(anon=L, ent_other=404, ent_own=200, county_other=404, county_own=200, city=200, admin=200)
OWN_RECORD_STAFF_EDIT = dict(anon=L, ent_other=403, ent_own=403, county_other=404, county_own=200, city=200, admin=200)
OWN_COUNTY_FILE = dict(anon=L, ent_other=403, ent_own=403, county_other=404, county_own=200, city=200, admin=200)
JOB_OWNER = dict(anon=L, ent_other=404, ent_own=404, county_other=404, county_own=404, city=200, admin=200)

# endpoint -> {"GET": expectations, "POST": expectations}; a POST expectation of "ok" means "not refused".
OK = "ok"
MATRIX = {
    "auth.login": {"GET": dict(anon=200, **{p: R for p in PERSONAS[1:]}), "POST": dict(anon=200, **{p: R for p in PERSONAS[1:]})},
    # Logging out ends at the login page too, so every persona is sent there.
    "auth.logout": {"POST": {p: L for p in PERSONAS}},
    "account.change_password": {"GET": ANY_USER, "POST": ANY_USER},
    "account.user_list": {"GET": ADMIN_ONLY},
    "account.new_user": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "account.reset_password": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "account.set_active": {"POST": {**ADMIN_ONLY, "admin": R}},
    "registry.home": {"GET": dict(anon=L, ent_other=R, ent_own=R, county_other=200, county_own=200, city=200, admin=200)},
    "registry.enterprises": {"GET": dict(STAFF_ONLY, ent_other=R, ent_own=R)},
    "registry.new_enterprise": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    "registry.enterprise": {"GET": OWN_RECORD},
    "registry.edit_enterprise": {"GET": OWN_RECORD_STAFF_EDIT, "POST": OWN_RECORD_STAFF_EDIT},
    "registry.delete_enterprise": {"GET": OWN_RECORD_STAFF_EDIT, "POST": {**OWN_RECORD_STAFF_EDIT, "county_own": R,
                                                                       "city": R, "admin": R}},
    "registry.new_line": {"GET": OWN_RECORD_STAFF_EDIT, "POST": OWN_RECORD_STAFF_EDIT},
    "registry.edit_line": {"GET": OWN_RECORD_STAFF_EDIT, "POST": OWN_RECORD_STAFF_EDIT},
    "registry.delete_line": {"GET": OWN_RECORD_STAFF_EDIT, "POST": {**OWN_RECORD_STAFF_EDIT, "county_own": R,
                                                                 "city": R, "admin": R}},
    "requests.downgrade": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "lists.level_list": {"GET": STAFF_ONLY},
    "lists.export_list": {"GET": STAFF_ONLY},
    "lists.export_counties": {"GET": STAFF_ONLY},
    "lists.export_registry": {"GET": STAFF_ONLY},
    "lists.order": {"GET": OWN_RECORD},
    "lists.check": {"GET": STAFF_ONLY},
    # County users are held to their own county (see test_planning_web for the cross-county refusals).
    "planning.solve": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    "dashboard.index": {"GET": STAFF_ONLY},
    "dashboard.obligations": {"GET": ENTERPRISE_ONLY},
    "dashboard.order": {"GET": ENTERPRISE_ONLY},
    "imports.upload": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    "imports.commit": {"POST": {**STAFF_ONLY, "county_other": OK, "county_own": OK, "city": OK, "admin": OK}},
    "imports.template": {"GET": STAFF_ONLY},
    "imports.history": {"GET": STAFF_ONLY},
    "imports.preview_result": {"GET": dict(JOB_OWNER, ent_other=403, ent_own=403)},
    "jobs.show": {"GET": JOB_OWNER},
    "jobs.download": {"GET": JOB_OWNER},
    "requests.index": {"GET": ANY_USER},
    "requests.new": {"GET": ENTERPRISE_ONLY, "POST": ENTERPRISE_ONLY},
    "requests.detail": {"GET": OWN_RECORD},
    "requests.edit": {"GET": dict(OWN_RECORD, county_other=403, county_own=403, city=403, admin=403, ent_own=OK),
                      "POST": dict(OWN_RECORD, county_other=403, county_own=403, city=403, admin=403, ent_own=OK)},
    "requests.attachment": {"GET": OWN_RECORD},
    "requests.delete_attachment": {"POST": dict(OWN_RECORD, county_other=403, county_own=403, city=403, admin=403,
                                                ent_own=OK)},
    "requests.submit": {"POST": dict(OWN_RECORD, county_other=403, county_own=403, city=403, admin=403, ent_own=OK)},
    "requests.withdraw": {"POST": dict(OWN_RECORD, county_other=403, county_own=403, city=403, admin=403, ent_own=OK)},
    "requests.county_review": {"POST": dict(anon=L, ent_other=403, ent_own=403, county_other=404, county_own=OK,
                                            city=403, admin=403)},
    "requests.city_review": {"POST": dict(CITY_ONLY, city=OK, admin=OK)},
    "audit.index": {"GET": CITY_ONLY},
    "versions.index": {"GET": STAFF_ONLY},
    "versions.publish": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "versions.detail": {"GET": STAFF_ONLY},
    "versions.export": {"GET": STAFF_ONLY},
    "versions.compare": {"GET": STAFF_ONLY},
    "versions.compare_export": {"GET": STAFF_ONLY},
    "alerts.index": {"GET": STAFF_ONLY},
    "alerts.new": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "alerts.detail": {"GET": dict(STAFF_ONLY, county_other=404)},   # the alert does not cover 泽州县
    "alerts.level": {"POST": dict(CITY_ONLY, city=OK, admin=OK)},
    "alerts.end": {"POST": dict(CITY_ONLY, city=OK, admin=OK)},
    "alerts.unsigned_counties": {"GET": CITY_ONLY},
    "alerts.download": {"GET": OWN_COUNTY_FILE},
    "alerts.receipt": {"POST": dict(anon=L, ent_other=403, ent_own=403, county_other=404, county_own=OK, city=403,
                                    admin=403)},
    "notices.batch": {"GET": OWN_COUNTY_FILE},
    "notices.single": {"GET": OWN_RECORD},
    "notices.settings": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "floors.index": {"GET": CITY_ONLY},
    "floors.settings": {"POST": CITY_ONLY},
    "floors.new": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    # The world's floor is an industry-wide row: an allowed deletion is refused with a message (and a redirect).
    "floors.edit": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "floors.delete": {"POST": dict(CITY_ONLY, city=R, admin=R)},
    "floors.export": {"GET": CITY_ONLY},
    "floors.upload": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "floors.commit": {"POST": dict(CITY_ONLY, city=R, admin=R)},
    "api_tokens.index": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "api_tokens.revoke": {"POST": {**ADMIN_ONLY, "admin": R}},
    # The read API takes bearer tokens only: a session, whoever's, is no token (401 JSON). TOKEN_MATRIX below
    # declares what each kind of token gets.
    "api.level_list": {"GET": {p: 401 for p in PERSONAS}},
    "api.enterprise": {"GET": {p: 401 for p in PERSONAS}},
    "baseline.index": {"GET": CITY_ONLY},
    # Staggered production: staff read the firms under the regime (a county user only their own county: ?county=
    # of another is a 404, see test_staggering_web); only city staff edit the rules.
    "staggering.index": {"GET": STAFF_ONLY},
    "staggering.export": {"GET": STAFF_ONLY},
    "staggering.rules": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "staggering.edit": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    # 错峰生产告知书: staff see a season's notices per county (a county user only their own row), only city staff
    # number them; a county's bundle is its own county's file; one notice is its firm's record.
    "stagger_notices.index": {"GET": STAFF_ONLY},
    "stagger_notices.issue": {"POST": dict(CITY_ONLY, city=R, admin=R)},
    "stagger_notices.batch": {"GET": OWN_COUNTY_FILE},
    "stagger_notices.single": {"GET": OWN_RECORD},
    "baseline.new_season": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "baseline.edit_season": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "baseline.season": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "baseline.reductions": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "baseline.export": {"GET": CITY_ONLY},
    "baseline.upload": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "baseline.commit": {"POST": dict(CITY_ONLY, city=R, admin=R)},
    # Power supervision: the world's alert covers 城区 only, so 泽州县's staff do not know it exists.
    "supervision.index": {"GET": STAFF_ONLY},
    "supervision.board": {"GET": dict(STAFF_ONLY, county_other=404)},
    "supervision.clues": {"GET": dict(STAFF_ONLY, county_other=404)},
    "supervision.history": {"GET": OWN_RECORD},
    "supervision.save_account": {"POST": OWN_RECORD_STAFF_EDIT},
    "supervision.upload": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "supervision.commit": {"POST": dict(CITY_ONLY, city=R, admin=R)},
    "inspections.new": {"GET": dict(STAFF_ONLY, county_other=404), "POST": dict(STAFF_ONLY, county_other=404)},
    "inspections.for_firm": {"GET": dict(STAFF_ONLY, county_other=404)},
    "inspections.photo": {"GET": dict(STAFF_ONLY, county_other=404)},
    "inspections.proposals": {"GET": CITY_ONLY},
    "inspections.decide": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "inspections.reject": {"POST": dict(CITY_ONLY, city=R, admin=R)},
    "inspections.positive_list": {"GET": CITY_ONLY, "POST": CITY_ONLY},
    "inspections.remove_positive": {"POST": dict(CITY_ONLY, city=R, admin=R)},
}
PUBLIC = {"static"}


def _build_world(make_enterprise, make_line, make_user, tmp_path, app, monkeypatch):
    own = make_enterprise(name="矩阵甲水泥有限公司", county_name="城区", grade="C")
    other = make_enterprise(name="矩阵乙水泥有限公司", county_name="泽州县", grade="C")
    # Measures that meet the clinker C floors (停产, trucks banned), so the list has no errors to gate on.
    stops = {level: ("stop", None, None, "no_g4") for level in ("yellow", "orange", "red")}
    line = make_line(own, measures=stops)
    make_line(other, measures=stops)
    users = {
        "ent_own": make_user("enterprise", enterprise=own), "ent_other": make_user("enterprise", enterprise=other),
        "county_own": make_user("county", county_name="城区"), "county_other": make_user("county", county_name="泽州县"),
        "city": make_user("city"), "admin": make_user("admin"), "target": make_user("city"),
    }
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))
    upload, _ = attachments.check_file("监测报告.png", io.BytesIO(PNG))
    req = workflow.save_request(own, {"target": "GRADED:B", "reason": "完成深度治理", "evidence": "监测报告"},
                                [upload], users["ent_own"], submit=True)
    first = publish_version("矩阵测试初版", "", users["city"])
    version = publish_version("矩阵测试版", "", users["city"])
    alert = start_alert({"level": "orange", "all_counties": False,
                         "county_ids": [db.session.query(County).filter_by(name="城区").one().id],
                         "started_at": datetime(2026, 11, 28, 8, 0), "note": ""}, users["city"])
    job = jobs.submit("export_list", "导出测试", {"level": "red"}, users["city"])
    job_file = tmp_path / "job.out"
    job_file.write_bytes(b"PK")
    job.status, job.path, job.filename = "done", str(job_file), "x.xlsx"
    preview = jobs.submit("import_preview", "预览测试", {"token": "t" * 43, "sha256": "0" * 64}, users["city"])
    preview_file = tmp_path / "preview.out"
    preview_file.write_text(report_to_json(Report("清单.xlsx", 1, "0" * 64)), encoding="utf-8")
    preview.status, preview.path = "done", str(preview_file)
    api_token = api_tokens.create_token("矩阵测试平台").token
    season = make_season()
    stagger_rule = StaggerRule(season_id=season.id, grade_code="C", regime="limit", limit_pct=30.0)
    db.session.add(stagger_rule)
    db.session.flush()
    issue_notices(season, users["city"])
    photo, _ = attachments.check_file("现场.png", io.BytesIO(PNG))
    inspection = record_inspection(own, alert, {"visited_at": datetime(2026, 11, 29, 1, 0), "inspectors": "张三",
                                                "finding": "not_implemented"}, [photo], users["city"])
    entry = save_entry({"enterprise": own, "reason": "无违法记录", "added_on": date(2026, 1, 1),
                        "expires_on": date(2027, 1, 1)}, users["city"])
    db.session.commit()
    values = {"enterprise_id": own.id, "line_id": line.id, "request_id": req.id,
              "attachment_id": req.attachments[0].id, "version_id": version.id, "alert_id": alert.id,
              "dispatch_id": alert.steps[0].dispatches[0].id, "job_id": job.id, "preview_id": preview.id, "user_id": users["target"].id,
              "level": "red", "active": 0, "floor_id": _floor_id(), "credit_code": own.credit_code,
              "token_id": api_token.id, "season_id": season.id, "inspection_id": inspection.id,
              "photo_id": inspection.photos[0].id, "entry_id": entry.id,
              "notice_id": db.session.query(Notice.id).filter_by(enterprise_id=own.id).scalar(),
              "rule_id": stagger_rule.id, "county_id": own.county_id,
              "stagger_notice_id": db.session.query(StaggerNotice.id).filter_by(enterprise_id=own.id).scalar()}
    return users, values, {"old": first.id, "new": version.id}


def _floor_id():
    clinker = db.session.query(Industry).filter_by(code="cement_clinker").one()
    return db.session.query(MeasureFloor.id).filter_by(industry_id=clinker.id, grade_code="B", level="red",
                                                       process="").scalar()


def _url(app, rule, values, query):
    with app.test_request_context():
        from flask import url_for
        args = {name: values[name] for name in rule.arguments}
        if rule.endpoint.startswith("versions.compare"):
            args.update(query)
        return url_for(rule.endpoint, **args)


def _snapshot():
    """Every row of every table (the audit log included), for 'a refusal changes nothing'."""
    with db.engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{t.name}"'))))
                for t in db.metadata.sorted_tables if t.name not in ("login_throttle",)}


def _outcome(response):
    if response.status_code in (301, 302, 303):
        return L if "/login" in response.headers["Location"] else R
    return response.status_code


def _matches(expected, got, method):
    # An allowed POST with an empty form may re-render with errors (200/400) or save nothing new (redirect).
    if expected == OK or (method == "POST" and expected == 200):
        return got not in (L, 403, 404, 405, 500)
    return expected == got


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()} - PUBLIC
    missing = endpoints - MATRIX.keys()
    stale = MATRIX.keys() - endpoints
    assert not missing, f"routes without declared access: {sorted(missing)}"
    assert not stale, f"declared routes that no longer exist: {sorted(stale)}"
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods == set(MATRIX[rule.endpoint]), (rule.endpoint, methods)


# Allowed POSTs of these endpoints destroy what later requests use, so they run last, in this order.
LAST = ["requests.delete_attachment", "requests.withdraw", "registry.delete_line", "registry.delete_enterprise",
        "auth.logout"]


def _requests(app, values, query):
    """(method, url, endpoint) for every route: all GETs first, then POSTs with the destructive ones last."""
    plan = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in PUBLIC:
            continue
        for method in MATRIX[rule.endpoint]:
            plan.append((method, _url(app, rule, values, query), rule.endpoint))
    rank = {endpoint: i for i, endpoint in enumerate(LAST)}
    return sorted(plan, key=lambda item: (item[0] == "POST", rank.get(item[2], -1)))


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(persona, app, make_enterprise, make_line, make_user, tmp_path, monkeypatch):
    users, values, query = _build_world(make_enterprise, make_line, make_user, tmp_path, app, monkeypatch)
    client = app.test_client()
    failures = []
    for method, url, endpoint in _requests(app, values, query):
        if persona != "anon":
            with client.session_transaction() as session:   # log in again: an allowed logout must not leak on
                stamp(session, users[persona])
        expected = MATRIX[endpoint][method][persona]
        # Logout's redirect to the login page is its success, which ends the user's sessions (a write).
        refused = expected in (L, 403, 404) and (endpoint != "auth.logout" or persona == "anon")
        before = _snapshot() if refused and method == "POST" else None
        response = client.open(url, method=method, data={})
        got = _outcome(response)
        response.close()
        if not _matches(expected, got, method):
            failures.append(f"{method} {url} ({endpoint}): expected {expected}, got {got}")
        if before is not None and _snapshot() != before:
            failures.append(f"{method} {url}: refused but data changed")
        db.session.expire_all()
    assert not failures, "\n".join(failures)


# The API's personas are bearer tokens: none, a revoked one, the city's, and county tokens of 城区 (where the
# world's firm is) and of 泽州县. Every API route in the URL map must be declared here as well as in MATRIX.
TOKEN_PERSONAS = ("none", "revoked", "city", "county_own", "county_other")
TOKEN_MATRIX = {
    # Asked with ?county=城区: another county's token is told it may not read that county (county names are public).
    "api.level_list": dict(none=401, revoked=401, city=200, county_own=200, county_other=403),
    # 城区's firm: to another county's token it does not exist, as for a code nobody has.
    "api.enterprise": dict(none=401, revoked=401, city=200, county_own=200, county_other=404),
}
TOKEN_QUERY = {"api.level_list": "?county=城区"}


def test_every_api_route_is_in_the_token_matrix(app):
    assert {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")} == set(TOKEN_MATRIX)


def _tokens():
    county_id = {c.name: c.id for c in db.session.query(County)}
    plain = {"none": None, "city": api_tokens.create_token("市级平台").plain,
             "county_own": api_tokens.create_token("城区系统", county_id["城区"]).plain,
             "county_other": api_tokens.create_token("泽州县系统", county_id["泽州县"]).plain}
    revoked = api_tokens.create_token("已吊销平台")
    api_tokens.revoke_token(revoked.token)
    plain["revoked"] = revoked.plain
    db.session.commit()
    return plain


def test_token_matrix(app, make_enterprise, make_line):
    own = make_enterprise(name="矩阵甲水泥有限公司", county_name="城区", grade="C")
    make_line(own, measures={level: ("stop", None, None, "no_g4") for level in ("yellow", "orange", "red")})
    values = {"level": "red", "credit_code": own.credit_code}
    tokens, client, failures = _tokens(), app.test_client(), []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in TOKEN_MATRIX:
            continue
        url = _url(app, rule, values, {}) + TOKEN_QUERY.get(rule.endpoint, "")
        for persona in TOKEN_PERSONAS:
            headers = {"Authorization": f"Bearer {tokens[persona]}"} if tokens[persona] else {}
            before = _snapshot()
            response = client.get(url, headers=headers)
            expected, body = TOKEN_MATRIX[rule.endpoint][persona], response.get_json(silent=True)
            if response.status_code != expected or body is None:
                failures.append(f"{persona} GET {url}: expected {expected} JSON, got {response.status_code}")
            elif expected != 200 and body["error"]["status"] != expected:
                failures.append(f"{persona} GET {url}: refusal body {body}")
            if expected == 401 and _snapshot() != before:
                failures.append(f"{persona} GET {url}: refused but data changed")
    assert not failures, "\n".join(failures)
