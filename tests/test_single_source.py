"""One definition per concept: the pieces every path shares, and the line between the domain and HTTP."""
import ast
from pathlib import Path

import pytest
from flask import render_template_string
from flask_login import login_user
from wtforms.validators import Length

from emergency.accounts.access import visible_enterprise
from emergency.accounts.users import create_account
from emergency.cli.core import create_user_command
from emergency.errors import DomainError, Forbidden, NotFound
from emergency.grading import workflow
from emergency.importing.pipeline import inspect_file
from emergency.importing.plan import TEXT_LIMITS
from emergency.limits import text_limit
from emergency.lists.inputs import RuleInputs
from emergency.lists.listing import iter_list_rows
from emergency.publishing.versions import get_version
from emergency.registry.operations import line_rules
from emergency.registry.scan import Judge, scan_firms
from emergency.spreadsheets.writer import XLSX_MIMETYPE
from forms.account import NewUserForm
from forms.enterprise import EnterpriseForm
from forms.line import LineForm, MeasureForm
from models import LEVELS, ROLES, Enterprise, LineMeasure, ProductionLine, Setting, User, db
from seed.load import DEMO_SETTING
from tests.conftest import new_credit_code
from tests.import_support import fullwidth, xlsx
from tests.querycount import count_queries
from tests.test_import_files import SHORT, line_row

EMERGENCY = Path(__file__).resolve().parent.parent / "emergency"


def _line_form(**overrides):
    return {"name": "9#线", "so2_t_yr": "1", "nox_t_yr": "0", "pm_t_yr": "0", "vocs_t_yr": "0",
            "operating_days": "300", "yellow-action": "stop", "orange-action": "stop", "red-action": "stop",
            **{f"{level}-transport": "no_g4" for level in LEVELS}, **overrides}


def _import_messages(**cells):
    report, _ = inspect_file(xlsx(("清单", [SHORT, line_row("单一来源公司", new_credit_code(), **cells)])), "a.xlsx")
    return [p.message for p in report.problems]


@pytest.mark.parametrize("values, cells, form", [
    ({"operating_days": 400}, {"days": 400}, {"operating_days": "400"}),
    ({"so2_t_yr": -1.0}, {"so2": -1}, {"so2_t_yr": "-1"}),
])
def test_the_import_and_the_line_form_refuse_a_line_with_the_same_message(values, cells, form, make_enterprise,
                                                                         make_user, login):
    (message,) = line_rules({"operating_days": 300, **values}).values()
    assert message in _import_messages(**cells)
    client = login(make_user("city"))
    enterprise = make_enterprise()
    response = client.post(f"/enterprises/{enterprise.id}/lines/new", data=_line_form(**form))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.query(ProductionLine).count() == 0


def test_text_limits_are_the_model_columns():
    assert text_limit(Enterprise.name) == Enterprise.__table__.c.name.type.length == 200
    assert text_limit(LineMeasure.text) == 500
    with pytest.raises(TypeError):
        text_limit(ProductionLine.operating_days)
    columns = {"name": Enterprise.name, "town": Enterprise.town, "line_name": ProductionLine.name,
               "facilities": ProductionLine.facilities, "text": LineMeasure.text, "indicators": LineMeasure.indicators}
    for name, column in columns.items():
        assert TEXT_LIMITS[name] == column.type.length, name
    for form, field, column in [(EnterpriseForm, "address", Enterprise.address), (LineForm, "name", ProductionLine.name),
                                (LineForm, "capacity_unit", ProductionLine.capacity_unit),
                                (MeasureForm, "indicators", LineMeasure.indicators), (NewUserForm, "username", User.username)]:
        maxima = [v.max for v in getattr(form, field).kwargs["validators"] if isinstance(v, Length)]
        assert maxima == [column.type.length], (form.__name__, field)


def test_a_line_name_one_character_too_long_is_refused_by_the_import_and_the_form(make_enterprise, make_user, login):
    limit = ProductionLine.__table__.c.name.type.length
    assert f"不超过{limit}字" in _import_messages(line="线" * (limit + 1))
    assert not any("不超过" in m for m in _import_messages(line="线" * limit))
    client = login(make_user("city"))
    enterprise = make_enterprise()
    assert client.post(f"/enterprises/{enterprise.id}/lines/new", data=_line_form(name="线" * (limit + 1))).status_code == 200
    assert client.post(f"/enterprises/{enterprise.id}/lines/new", data=_line_form(name="线" * limit)).status_code == 302
    assert [len(n) for (n,) in db.session.query(ProductionLine.name)] == [limit]


def test_roles_are_one_list(app):
    with app.test_request_context("/"):
        assert [choice.value for choice in NewUserForm().role.choices] == ["", *ROLES]   # "" is 请选择
    role = next(p for p in create_user_command.params if p.name == "role")
    assert tuple(role.type.choices) == ROLES
    with pytest.raises(DomainError) as refused:
        create_account("somebody", "boss", "Longpass-2020")
    assert refused.value.errors["role"] == "请选择角色"
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("typed", [str.lower, lambda code: f" {code[:9]} {code[9:]} ", fullwidth],
                         ids=["lower-case", "spaces", "full-width"])
def test_the_admin_form_and_the_command_clean_a_credit_code_alike(typed, make_enterprise, make_user, login, runner):
    enterprise = make_enterprise(credit_code=new_credit_code())
    code = typed(enterprise.credit_code)
    assert code != enterprise.credit_code
    result = runner.invoke(args=["create-user", "cli-ent", "--role", "enterprise", "--enterprise", code,
                                 "--password", "Longpass-2020"])
    assert result.exit_code == 0, result.output
    client = login(make_user("admin"))
    response = client.post("/admin/users/new", data={"username": "web-ent", "role": "enterprise", "enterprise": code,
                                                      "password": "Longpass-2020", "real_name": "王芳",
                                                      "unit": "企业环保部", "phone": "13800000000"})
    assert response.status_code == 302, response.get_data(as_text=True)
    linked = dict(db.session.query(User.username, User.enterprise_id).filter(User.role == "enterprise"))
    assert linked == {"cli-ent": enterprise.id, "web-ent": enterprise.id}


def test_every_workbook_download_has_the_one_mimetype(make_user, login):
    client = login(make_user("city"))
    for url in ("/import/template.xlsx", "/lists/red/export.xlsx", "/registry/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == XLSX_MIMETYPE, url
        assert response.data[:2] == b"PK", url


def test_the_scan_the_list_and_the_orm_path_judge_alike(make_enterprise, make_line):
    cases = [("GRADED", "B", "cement_clinker"), ("GRADED", "A", "cement_clinker"), ("GRADED", "C", "cement_clinker"),
             ("GUARANTEED", None, "heating"), ("LIVELIHOOD", None, "life_service"), ("NON_COMPLIANT", None, "coking"),
             ("GENERAL", None, "other"), ("LIVELIHOOD", None, "coking")]
    made = []
    for i, (category, grade, industry) in enumerate(cases):
        enterprise = make_enterprise(name=f"同判{i}", category=category, grade=grade, industry_code=industry,
                                     small_micro=i == 6)
        # The small and micro firm emits 0.9 t/yr in all, under the 2 t/yr threshold.
        small = dict(so2_t_yr=0.2, nox_t_yr=0.15, pm_t_yr=0.1) if i == 6 else {}
        make_line(enterprise, name="1#", measures={"red": ("limit", 10.0, None), "yellow": ("stop", None, None)},
                  **small)
        make_line(enterprise, name="2#", can_stop_quickly=False, measures={}, process_stage="焦炉", coking_hours=20,
                  **small)
        made.append(enterprise)
    db.session.expire_all()
    judge, inputs = Judge(), RuleInputs()
    scanned = {}
    for rows in scan_firms():
        scanned.update({row.line_id: verdicts for row, verdicts in zip(rows, judge.verdicts(rows))})
    lines = {line.id: line for enterprise in made for line in enterprise.lines}
    for index, level in enumerate(LEVELS):
        listed = {row.line_id: row.measure for row in iter_list_rows(level)}
        orm = {line.id: verdict for enterprise in made
               for line, verdict in zip(enterprise.lines, inputs.judge_enterprise(enterprise, level))}
        assert set(listed) == set(scanned) == set(lines) == set(orm)
        for line_id, measure in listed.items():
            verdict = scanned[line_id][index]
            assert (verdict.measure.key if verdict.measure else None, verdict.cut, verdict.status, verdict.rule,
                    [p.code for p in verdict.problems]) == (
                measure.measure.key if measure.measure else None, measure.cut, measure.status, measure.rule,
                [p.code for p in measure.problems]) == (
                orm[line_id].measure.key if orm[line_id].measure else None, orm[line_id].cut, orm[line_id].status,
                orm[line_id].rule, [p.code for p in orm[line_id].problems]), (line_id, level)
    assert {m.rule for verdicts in scanned.values() for m in verdicts} >= {
        "self_managed_grade", "guarantee_measure", "livelihood", "non_compliant", "invalid_classification",
        "small_micro", "entered_measure"}


def test_domain_look_ups_raise_domain_errors_and_the_web_shows_pages(parties, login):
    with pytest.raises(NotFound):
        visible_enterprise(parties["other"].id, parties["county"])
    with pytest.raises(Forbidden):
        visible_enterprise(parties["own"].id, parties["ent"], edit=True)
    with pytest.raises(NotFound):
        get_version(987654)
    assert visible_enterprise(parties["own"].id, parties["county"], edit=True) is parties["own"]
    county = login(parties["county"])
    response = county.get(f"/enterprises/{parties['other'].id}")
    assert response.status_code == 404 and "页面不存在，或您无权查看" in response.get_data(as_text=True)
    response = login(parties["ent"]).get(f"/enterprises/{parties['own'].id}/edit")
    assert response.status_code == 403 and "您没有权限执行此操作" in response.get_data(as_text=True)


def test_only_the_web_package_speaks_http():
    """abort, request, redirect and friends are imported from flask only under emergency/web (and the factory)."""
    http = {"abort", "request", "redirect", "make_response", "send_file", "url_for", "flash", "Response"}
    checked = []
    for path in EMERGENCY.rglob("*.py"):
        relative = path.relative_to(EMERGENCY).as_posix()
        if relative.startswith("web/") or relative == "setup.py":
            continue
        checked.append(relative)
        source = path.read_text(encoding="utf-8")
        assert source.startswith('"""'), relative   # every module says what it owns
        assert "abort(" not in source, relative
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("flask", "werkzeug"):
                assert not http & {alias.name for alias in node.names}, (relative, node.module)
    assert {"accounts/access.py", "grading/queries.py", "publishing/alerts.py", "lists/listing.py"} <= set(checked)


def test_app_wide_hooks_and_filters_are_the_factorys(app):
    ours = [f"{f.__module__}.{f.__name__}" for f in app.before_request_funcs[None]]
    assert ours == ["emergency.web.security.assign_request_id", "emergency.web.input_guard.refuse_nul",
                    "emergency.web.sessions.enforce_timeouts", "flask_wtf.csrf.csrf_protect",
                    "emergency.web.hooks.apply_due_grades"]
    assert set(app.before_request_funcs) == {None}
    assert {"local_time", "local_dt"} <= set(app.jinja_env.filters)
    assert "emergency.web.context.inject_globals" in [f"{f.__module__}.{f.__name__}"
                                                      for f in app.template_context_processors[None]]


def _awaiting(parties):
    """One request submitted by the 城区 firm (the county's inbox) and one waiting for the city."""
    first = workflow.save_request(parties["own"], {"target": "GRADED:B", "reason": "改造", "evidence": "报告"}, [],
                                  parties["ent"], submit=True)
    second = workflow.save_request(parties["other"], {"target": "GRADED:B", "reason": "改造", "evidence": "报告"}, [],
                                   parties["ent_other"], submit=True)
    workflow.county_review(second, parties["county_other"], "county_pass", note="")
    db.session.add(Setting(key=DEMO_SETTING, value="1"))
    db.session.commit()
    return first


@pytest.mark.parametrize("party", ["county", "city", "ent"])
def test_the_navigation_badge_and_the_demo_banner_cost_one_query(app, parties, party):
    _awaiting(parties)
    user = parties[party]
    expected = {"county": 1, "city": 1, "ent": 0}[party]
    with app.test_request_context("/"):
        login_user(user)
        with count_queries() as statements:
            html = render_template_string('{% include "_nav.html" %}{% if demo_data %}演示数据{% endif %}')
    assert len(statements) == 1, statements
    assert "演示数据" in html and ("我的申请" if party == "ent" else "调级审核") in html
    assert (f'<span class="badge" title="待处理">{expected}</span>' in html) == bool(expected)


def test_a_page_reads_the_navigation_figures_once(parties, login):
    _awaiting(parties)
    client = login(parties["county"])
    client.get("/account/password")
    with count_queries() as statements:
        response = client.get("/account/password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "演示数据" in html and '<span class="badge" title="待处理">1</span>' in html
    nav = [s for s in statements if "grade_request" in s or "setting" in s]
    assert len(nav) == 1, nav
