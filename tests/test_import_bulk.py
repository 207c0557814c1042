"""The import's bulk writes: new records are audited in the hook's own shape, counts match, all or nothing."""
import json
from datetime import datetime

import pytest

from emergency.audit.trail import acting_as
from emergency.importing import apply as import_apply
from emergency.importing.pipeline import commit_file
from emergency.registry import generation
from models import LEVEL_LABELS, AuditLog, Enterprise, LineMeasure, ProductionLine, db
from tests.conftest import new_credit_code
from tests.import_support import registry_rows, snapshot, xlsx

TABLES = {"enterprise": Enterprise, "line": ProductionLine, "measure": LineMeasure}


def new_firms(count=2, lines=2):
    rows = []
    for i in range(count):
        code = new_credit_code()
        for j in range(lines):
            rows.append({"name": f"批量新建{i}有限公司", "credit_code": code, "county": "泽州县",
                         "industry_name": "水泥（熟料）", "grade": "B", "line_name": f"{j + 1}#窑",
                         "so2_t_yr": 1.5 + j, "capacity": None if j else 2500, "yellow_action": "限产",
                         "yellow_limit_pct": 20, "orange_text": "停产", "red_action": "停产"})
    return xlsx(("企业名录", registry_rows(rows)))


def stored(model, row_id):
    """A stored row as the audit hook writes it: every column, dates as ISO text."""
    row = db.session.execute(model.__table__.select().where(model.id == row_id)).mappings().one()
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def import_as(data, filename, username="clerk"):
    with acting_as(username, f"import:{filename}", user_id=7):
        report = commit_file(data, filename, user_id=7, username=username)
    assert report.committed, report.lines()
    db.session.commit()
    return report


def test_created_rows_are_audited_with_the_file_and_the_hooks_shape(make_enterprise, make_line):
    hooked = make_enterprise(name="表单新建企业")
    make_line(hooked)
    hook_rows = {row.entity_type: json.loads(row.after) for row in db.session.query(AuditLog)}
    report = import_as(new_firms(count=2, lines=2), "批量.xlsx")
    assert report.table() == [("企业", 2, 0, 0), ("生产线", 4, 0, 0), ("减排措施", 12, 0, 0)]
    log = db.session.query(AuditLog).filter(AuditLog.source == "import:批量.xlsx").all()
    assert {(row.username, row.user_id, row.action, row.before) for row in log} == {("clerk", 7, "create", None)}
    assert sorted(row.entity_type for row in log) == ["enterprise"] * 2 + ["line"] * 4 + ["measure"] * 12
    for row in log:
        after = json.loads(row.after)
        assert set(after) == set(hook_rows[row.entity_type])     # the same columns as a web creation logs
        assert after == stored(TABLES[row.entity_type], row.entity_id)
    lines = {line.id: line for line in db.session.query(ProductionLine)}
    for row in log:
        if row.entity_type == "enterprise":
            firm = db.session.get(Enterprise, row.entity_id)
            assert (row.enterprise_id, row.summary) == (firm.id, f"{firm.name}（{firm.credit_code}）")
        elif row.entity_type == "line":
            assert (row.enterprise_id, row.summary) == (lines[row.entity_id].enterprise_id, lines[row.entity_id].name)
        else:
            measure = db.session.get(LineMeasure, row.entity_id)
            assert (row.enterprise_id, row.summary) == (lines[measure.line_id].enterprise_id,
                                                        f"{LEVEL_LABELS[measure.level]}预警措施")


def test_imported_records_read_back_as_the_file_gave_them():
    import_as(new_firms(count=1, lines=2), "一家.xlsx")
    firm = db.session.query(Enterprise).one()
    assert (firm.name, firm.county.name, firm.grade_code, firm.category_code, firm.version) == \
        ("批量新建0有限公司", "泽州县", "B", "GRADED", 1)
    first, second = firm.lines
    assert (first.name, first.capacity, first.so2_t_yr, first.operating_days, first.can_stop_quickly) == \
        ("1#窑", 2500, 1.5, 300, True)
    assert (second.name, second.capacity, second.so2_t_yr) == ("2#窑", None, 2.5)
    yellow, orange = first.measure_for("yellow"), first.measure_for("orange")
    assert (yellow.action, yellow.limit_pct, yellow.other_fraction) == ("limit", 20.0, None)
    assert (orange.action, orange.text) == ("stop", "停产")


def test_new_lines_of_stored_firms_and_changed_lines_are_both_logged(make_enterprise, make_line):
    firm = make_enterprise(name="已有企业", county_name="泽州县", grade="B")
    old = make_line(firm, name="1#窑")
    version = firm.version
    rows = [{"name": "已有企业", "credit_code": firm.credit_code, "line_name": "1#窑", "so2_t_yr": 99},
            {"name": "已有企业", "credit_code": firm.credit_code, "line_name": "3#窑", "red_action": "停产"}]
    report = import_as(xlsx(("表", registry_rows(rows))), "追加.xlsx")
    assert report.table() == [("企业", 0, 0, 1), ("生产线", 1, 1, 0), ("减排措施", 1, 0, 0)]
    log = {(row.entity_type, row.action, row.enterprise_id, row.summary)
           for row in db.session.query(AuditLog).filter(AuditLog.source == "import:追加.xlsx")}
    assert log == {("line", "update", firm.id, "1#窑"), ("line", "create", firm.id, "3#窑"),
                   ("measure", "create", firm.id, "红色预警措施")}
    db.session.expire_all()
    assert db.session.get(ProductionLine, old.id).so2_t_yr == 99
    assert db.session.get(Enterprise, firm.id).version == version


def test_a_bulk_import_renews_the_registry_generation():
    before = generation.current()
    import_as(new_firms(count=1, lines=1), "代.xlsx")
    assert generation.current() not in (None, before)


def test_a_failure_while_writing_leaves_nothing(monkeypatch):
    data = new_firms(count=3, lines=2)
    before = snapshot()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_apply, "_log", broken)
    with pytest.raises(RuntimeError):
        commit_file(data, "坏.xlsx")
    db.session.rollback()
    assert snapshot() == before


def test_many_rounds_of_inserts(monkeypatch):
    """Rounds of a few lines each: ids and owners stay matched across rounds."""
    monkeypatch.setattr(import_apply, "LINES_PER_INSERT", 3)
    report = import_as(new_firms(count=5, lines=2), "多轮.xlsx")
    assert report.table()[1] == ("生产线", 10, 0, 0)
    for firm in db.session.query(Enterprise):
        assert [line.name for line in firm.lines] == ["1#窑", "2#窑"]
        assert all(len(line.measures) == 3 for line in firm.lines)
    assert db.session.query(AuditLog).filter(AuditLog.source == "import:多轮.xlsx").count() == 5 + 10 + 30
