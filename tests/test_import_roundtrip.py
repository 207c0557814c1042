"""Round trip (export-registry, then import: all unchanged), updates with exact counts, audit and scope."""
import io

import pytest
from openpyxl import load_workbook

from emergency.audit.trail import acting_as
from emergency.importing.pipeline import commit_file, inspect_file
from emergency.lists.exports import export_registry
from emergency.registry.grades import check_category_reason, check_classification
from emergency.registry.operations import measure_types
from models import AuditLog, Enterprise, ImportBatch, LineMeasure, ProductionLine, db
from seed.demo import load_demo
from tests.conftest import new_credit_code
from tests.import_support import REGISTRY_KEYS, problems, registry_rows, registry_values, snapshot, xlsx

ALL = {"yellow": ("other", None, 0.15), "orange": ("limit", 20.0, None), "red": ("stop", None, None)}


def exported():
    buffer = io.BytesIO()
    export_registry(buffer)
    return buffer.getvalue()


def counts():
    return (db.session.query(Enterprise).count(), db.session.query(ProductionLine).count(),
            db.session.query(LineMeasure).count())


def assert_all_unchanged(data, expected=None):
    """The file reads back without a problem and changes nothing; ``expected`` (enterprises, lines, measures)
    unchanged, by default the whole registry."""
    enterprises, lines, measures = expected or counts()
    report, _ = inspect_file(data, "名录.xlsx")
    assert report.clean, report.lines()
    assert report.table() == [("企业", 0, 0, enterprises), ("生产线", 0, 0, lines), ("减排措施", 0, 0, measures)]
    return report


@pytest.fixture
def fixtures(make_enterprise, make_line):
    """Hand-made registry with the awkward cases of the issue."""
    def build():
        b_minus = make_enterprise(name="晋城市=HYPERLINK(\"x\")水泥（集团）有限公司", grade="B-",
                                  contact_phone="13912345678", address="+86 城区某路", longitude=112.851234567,
                                  latitude=35.4912, permit_number="91140500MA0GXXXX1P001P",
                                  transport_mode="铁路运输、公路运输", heavy_trucks_per_day=120, access_control=True)
        make_line(b_minus, name="1#窑", measures=ALL, so2_t_yr=0.1 + 0.2, capacity=None, main_products="熟料",
                  output=1.5e6 + 0.1, output_unit="吨/年", treatment_facilities="SCR脱硝、布袋除尘、=湿法脱硫")
        make_line(b_minus, name="001", measures={"red": ("stop", None, None)}, can_stop_quickly=False)
        guarantee = make_enterprise(name="保障类水泥", category="GUARANTEED", grade="A", county_name="泽州县",
                                    contact_phone="0356-1234567", category_reason="保障城市正常运转")
        make_line(guarantee, measures={k: ("other", None, 0.1) for k in ALL})
        heating = make_enterprise(name="供热站", industry_code="heating", category="GUARANTEED", grade=None,
                                  category_reason="保障民生")
        make_line(heating, name="1#锅炉", nox_t_yr=12.345678901, measures={
            "yellow": {"action": "heat_led", "cap_pct": 90.0},
            "orange": {"action": "heat_led", "cap_pct": 80.0, "transport": "no_g4"},
            "red": {"action": "order_led", "cap_pct": 70.0, "transport": "no_road"}})
        coking = make_enterprise(name="焦化企业", industry_code="coking", grade="B")
        make_line(coking, name="1#焦炉", can_stop_quickly=False, coking_hours=24.5, measures={
            "yellow": {"action": "coking_time", "hours": 30.0, "transport": "no_g4"},
            "orange": {"action": "coking_time", "hours": 36.0, "transport": "no_g4"},
            "red": {"action": "hot_standby", "transport": "no_road"}})
        make_line(make_enterprise(name="熟料C", grade="C"), name="2#窑", measures={
            "yellow": {"action": "line_share", "limit_pct": 50.0, "transport": "no_g4"},
            "orange": ("limit", 30.0, None, "no_g4"), "red": ("stop", None, None, "no_road")})
        make_line(make_enterprise(name="一般管控锅炉", industry_code="boiler", category="GENERAL", grade=None),
                  name="2#锅炉", measures={"red": ("limit", 30.0, None)})
        make_enterprise(name="无生产线企业", industry_code="other", category="GENERAL", grade=None, town="北石店镇")
        general_line = make_enterprise(name="其他行业企业", industry_code="plastics", category="GENERAL", grade=None)
        make_line(general_line, measures={"orange": ("self", None, None), "red": ("none", None, None)})
        make_line(make_enterprise(name="不纳入企业", category="NON_COMPLIANT", grade=None, violation_prev_year=True,
                                  category_reason="不能稳定达标排放"), measures={})
        make_line(make_enterprise(name="民生企业", industry_code="life_service", category="LIVELIHOOD", grade=None,
                                  small_micro=True), measures={})
        make_line(make_enterprise(name="粉磨站引领", industry_code="cement_grinding", grade="LEADING"),
                  measures={k: ("self", None, None) for k in ALL})
    return build


def planted_defects():
    """{credit code: [message]} for the demo firms the web form's own checks refuse (民生 outside its industries,
    a 保障类 without its reason...): the demo may plant some on purpose, and the import must refuse them too."""
    found = {}
    for firm in db.session.query(Enterprise):
        errors = {**check_classification(firm.industry, firm.category, firm.grade),
                  **check_category_reason(firm.category, firm.category_reason)}
        if errors:
            found[firm.credit_code] = sorted(errors.values())
    return found


def test_demo_registry_round_trips_unchanged():
    load_demo(n=200)
    db.session.commit()
    data = exported()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    code = REGISTRY_KEYS.index("credit_code")
    planted = planted_defects()
    report, _ = inspect_file(data, "名录.xlsx")
    assert sorted((rows[p.row - 1][code], p.message) for p in report.problems) == \
        sorted((firm, message) for firm, messages in planted.items() for message in messages)
    # Without the refused firms the export imports, and changes nothing.
    data = xlsx(("企业名录", [rows[0]] + [row for row in rows[1:] if row[code] not in planted]))
    kept = [firm for firm in db.session.query(Enterprise) if firm.credit_code not in planted]
    expected = (len(kept), sum(len(f.lines) for f in kept), sum(len(line.measures) for f in kept for line in f.lines))
    assert_all_unchanged(data, expected)
    before = snapshot()
    report = commit_file(data, "名录.xlsx", username="tester")
    db.session.commit()
    assert report.committed and report.changes == 0
    after = snapshot()
    assert after[:4] == before[:4]     # registry and audit log untouched
    batch = db.session.query(ImportBatch).one()
    assert (batch.status, batch.enterprises_unchanged, batch.lines_unchanged, batch.username) == \
        ("no_changes", *expected[:2], "tester")


def test_hand_made_fixtures_round_trip_unchanged(fixtures):
    fixtures()
    assert_all_unchanged(exported())


def test_updates_are_counted_exactly_audited_and_blank_cells_keep_values(fixtures):
    fixtures()
    firm = db.session.query(Enterprise).filter_by(name="保障类水泥").one()
    line = firm.lines[0]
    labels = measure_types().labels
    records = [registry_values(firm, line, labels)]
    records[0].update({"grade": "B", "contact_phone": None, "orange_limit_pct": None, "orange_action": "限产30%",
                       "orange_text": "限产30%"})
    new_line = {**registry_values(firm, None, labels), "grade": None, "contact_phone": None, "line_name": "2#窑",
                "so2_t_yr": 1.5, "red_action": "停产"}
    new_code, logged = new_credit_code(), db.session.query(AuditLog).count()
    new_firm = {"name": "新企业", "credit_code": new_code, "county": "泽州县", "industry_name": "焦化",
                "grade": "C级", "line_name": "1#焦炉", "red_text": "停产"}
    with acting_as("clerk", "import:更新.xlsx"):
        report = commit_file(xlsx(("表", registry_rows(records + [new_line, new_firm]))), "更新.xlsx",
                             username="clerk")
    assert report.committed, report.lines()
    db.session.commit()
    assert report.table() == [("企业", 1, 1, 0), ("生产线", 2, 0, 1), ("减排措施", 2, 1, 2)]
    db.session.expire_all()
    firm = db.session.get(Enterprise, firm.id)
    assert (firm.grade_code, firm.category_code, firm.contact_phone) == ("B", "GUARANTEED", "0356-1234567")
    orange = firm.lines[0].measure_for("orange")
    assert (orange.action, orange.limit_pct, orange.text) == ("limit", 30.0, "限产30%")
    assert firm.lines[0].measure_for("yellow").other_fraction == 0.1
    second = firm.lines[1]
    assert (second.name, second.so2_t_yr, second.operating_days, second.measure_for("red").action) == \
        ("2#窑", 1.5, 300, "stop")
    created = db.session.query(Enterprise).filter_by(credit_code=new_code).one()
    assert (created.grade_code, created.county.name) == ("C", "泽州县")
    log = db.session.query(AuditLog).filter(AuditLog.source == "import:更新.xlsx").all()
    assert sorted((row.entity_type, row.action) for row in log) == [
        ("enterprise", "create"), ("enterprise", "update"), ("line", "create"), ("line", "create"),
        ("measure", "create"), ("measure", "create"), ("measure", "update")]
    assert db.session.query(AuditLog).count() == logged + len(log)
    assert {row.username for row in log} == {"clerk"}
    batch = db.session.query(ImportBatch).one()
    assert (batch.filename, batch.status, batch.enterprises_created, batch.measures_updated) == \
        ("更新.xlsx", "committed", 1, 1)
    assert_all_unchanged(exported())


def test_county_staff_import_only_their_own_county(make_enterprise, county):
    other = make_enterprise(name="泽州企业", county_name="泽州县")
    own = county("城区")
    rows = [{"name": "城区新企业", "credit_code": new_credit_code(), "county": "城区", "industry_name": "焦化",
             "grade": "B"},
            {"name": "泽州新企业", "credit_code": new_credit_code(), "county": "泽州县", "industry_name": "焦化",
             "grade": "B"},
            {"name": "泽州企业", "credit_code": other.credit_code, "county": "城区", "industry_name": "水泥（熟料）",
             "grade": "B"}]
    report, _ = inspect_file(xlsx(("表", registry_rows(rows))), "a.xlsx", county_id=own.id)
    assert problems(report) == [
        ("表", 3, "C", "不属于您所在的县（市、区）（城区），无权导入"),
        ("表", 4, "B", "该企业登记在其他县（市、区），您无权导入或修改"),
    ]
    report, _ = inspect_file(xlsx(("表", registry_rows(rows))), "a.xlsx")
    assert report.clean and report.table()[0] == ("企业", 2, 1, 0)


@pytest.mark.mutates_reference
def test_commit_refuses_a_file_that_became_invalid(make_enterprise, make_line):
    """The commit re-checks against the database: a line deleted meanwhile is simply created again, but a
    grade the scheme no longer allows is refused and nothing is written."""
    firm = make_enterprise(name="甲", grade="B-")
    make_line(firm)
    data = exported()
    assert inspect_file(data, "a.xlsx")[0].clean
    firm.industry.allows_b_minus = False
    db.session.flush()
    before = snapshot()
    report = commit_file(data, "a.xlsx")
    assert not report.committed
    assert problems(report) == [("企业名录", 2, "K", "“水泥（熟料）”的分级方案不允许“B-”，可选：A、B、C、D")]
    db.session.rollback()
    assert snapshot()[:3] == before[:3]
