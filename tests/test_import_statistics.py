"""A bulk import refreshes the planner's statistics of the tables it wrote (PostgreSQL), in its own transaction."""
import pytest

from emergency.importing.pipeline import commit_file
from emergency.platform.statistics import analyze
from models import LineMeasure, ProductionLine, db
from tests.conftest import new_credit_code
from tests.database import postgres_base
from tests.import_support import registry_rows, xlsx

on_postgres = pytest.mark.skipif(postgres_base() is None, reason="PostgreSQL planner statistics")


def workbook(firms):
    return xlsx(("企业名录", registry_rows([
        {"name": f"统计企业{i}", "credit_code": new_credit_code(), "county": "泽州县", "industry_name": "焦化",
         "grade": "C级", "line_name": "1#焦炉", "red_text": "停产"} for i in range(firms)])))


def estimated(table):
    return db.session.execute(db.text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}).scalar()


@on_postgres
@pytest.mark.parametrize("threshold, analysed", [(4, True), (5, False)])
def test_an_import_of_at_least_the_threshold_rows_analyses_the_tables(app, monkeypatch, threshold, analysed):
    monkeypatch.setitem(app.config, "ANALYZE_AFTER_ROWS", threshold)
    assert analyze()
    db.session.commit()
    before = estimated("line_measure")     # the empty tables' statistics
    report = commit_file(workbook(4), "名录.xlsx", username="tester")
    assert report.committed, report.lines()
    db.session.commit()
    assert (db.session.query(ProductionLine).count(), db.session.query(LineMeasure).count()) == (4, 4)
    assert before != 4
    assert estimated("line_measure") == (4 if analysed else before)
    assert (estimated("production_line") == 4) is analysed


def test_analyze_runs_only_on_postgresql():
    assert analyze() is (postgres_base() is not None)
