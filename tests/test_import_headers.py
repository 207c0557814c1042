"""Emission headers are recognised by their parts (pollutant + 排放量 + a yearly unit), and an unrecognised column
that names kept data is a problem, not a note: no emission is silently dropped."""
import pytest

from emergency.importing.layout import emission_field, looks_like_data, match_header
from emergency.importing.pipeline import commit_file
from models import Enterprise, db
from tests.conftest import new_credit_code
from tests.import_support import REGISTRY_HEADER, csv_bytes, registry_rows, snapshot

POLLUTANT_WORDS = {"so2_t_yr": ("SO2", "二氧化硫", "SO₂"), "nox_t_yr": ("NOx", "氮氧化物", "NOX"),
                   "pm_t_yr": ("颗粒物", "烟粉尘", "PM"), "vocs_t_yr": ("VOCs", "挥发性有机物", "VOC")}
SPELLINGS = ("{}年排放量(吨/年)", "{}（t/a）", "{}排放量（吨/年）", "{}年排放量（t/a）", "{}(吨/年)",
             "{} 年排放量 (吨)", "【{}】排放量(t/a)", "{}排放量：吨/年", "{}年排放量", "{}排放量(t/年)")


@pytest.mark.parametrize("field", POLLUTANT_WORDS)
def test_at_least_eight_spellings_per_pollutant(field):
    headers = [spelling.format(word) for word in POLLUTANT_WORDS[field] for spelling in SPELLINGS]
    assert len(headers) >= 8
    assert {header: match_header(header) for header in headers} == {header: field for header in headers}


@pytest.mark.parametrize("header", ["SO2减排量(吨/日)", "SO2排放浓度(mg/m3)", "NOx(吨/日)", "颗粒物日排放量",
                                    "VOCs削减比例"])
def test_other_figures_of_a_pollutant_are_not_annual_emissions(header):
    assert emission_field(header.lower()) is None and looks_like_data(header)


def _registry_csv(headers, encoding="gbk", **record):
    rows = registry_rows([record])
    rows[0] = [headers.get(key, label) for key, label in REGISTRY_HEADER.items()]
    return csv_bytes(rows, encoding)


RECORD = dict(name="晋城部门表水泥有限公司", county="泽州县", industry_name="水泥（熟料）", grade="B", line_name="1#窑",
              so2_t_yr="12.5", nox_t_yr="30", pm_t_yr="4.25", vocs_t_yr="1", operating_days="300")
BUREAU = {"so2_t_yr": "SO2年排放量(吨/年)", "nox_t_yr": "NOx年排放量(吨/年)", "pm_t_yr": "颗粒物排放量（吨/年）",
          "vocs_t_yr": "挥发性有机物（t/a）"}


def test_a_gbk_csv_with_bureau_headers_imports_its_emissions():
    code = new_credit_code()
    report = commit_file(_registry_csv(BUREAU, credit_code=code, **RECORD), "部门清单.csv")
    assert report.clean and report.committed, report.lines()
    db.session.commit()
    [line] = db.session.query(Enterprise).filter_by(credit_code=code).one().lines
    assert (line.so2_t_yr, line.nox_t_yr, line.pm_t_yr, line.vocs_t_yr) == (12.5, 30.0, 4.25, 1.0)


def test_an_unrecognised_column_naming_kept_data_is_a_problem_and_nothing_is_written():
    before = snapshot()
    headers = {**BUREAU, "so2_t_yr": "SO2日排放量(吨/日)"}
    report = commit_file(_registry_csv(headers, credit_code=new_credit_code(), **RECORD), "部门清单.csv")
    assert not report.committed
    assert any("无法识别的列“SO2日排放量(吨/日)”" in p.message for p in report.problems), report.lines()
    assert snapshot() == before
