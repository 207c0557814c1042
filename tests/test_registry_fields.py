"""The registry fields a provincial list needs (经纬度, 排污许可证编号, 运输方式, 日均重型车车次, 门禁系统; 主要产品,
产量, 污染治理设施): the forms, the enterprise page, the import with its synonyms and rules, and the registry
workbook, whose export reads back exactly."""
import io
import re

import pytest
from openpyxl import load_workbook

from emergency.importing.layout import column_letter
from emergency.importing.pipeline import commit_file, inspect_file
from emergency.lists.exports import export_registry
from emergency.registry.operations import ENTERPRISE_FIELDS, LINE_FIELDS
from emergency.spreadsheets.registry import REGISTRY_HEADERS
from models import AuditLog, Enterprise, db
from tests.conftest import new_credit_code
from tests.import_support import problems, registry_rows, snapshot, xlsx

ENTERPRISE_VALUES = {"longitude": 112.851234567, "latitude": 35.4912, "permit_number": "91140500MA0GXXXX1P001P",
                     "transport_mode": "铁路运输、公路运输", "heavy_trucks_per_day": 120, "access_control": True}
LINE_VALUES = {"main_products": "熟料、水泥", "output": 1500000.25, "output_unit": "吨/年",
               "treatment_facilities": "SCR脱硝、布袋除尘"}


def text(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def exported():
    buffer = io.BytesIO()
    export_registry(buffer)
    return buffer.getvalue()


@pytest.fixture
def city(make_user, login):
    return login(make_user("city"))


def enterprise_form(enterprise, **changes):
    data = {"name": enterprise.name, "credit_code": enterprise.credit_code, "county_id": enterprise.county_id,
            "industry_id": enterprise.industry_id, "category_code": enterprise.category_code,
            "grade_code": enterprise.grade_code or "", "version": enterprise.version}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_the_enterprise_form_saves_the_new_fields_and_the_page_shows_them(city, make_enterprise, make_line):
    firm = make_enterprise(name="字段水泥")
    make_line(firm, name="1#窑", **LINE_VALUES)
    response = city.post(f"/enterprises/{firm.id}/edit", data=enterprise_form(
        firm, longitude="112.851234567", latitude="35.4912", permit_number=" 91140500MA0GXXXX1P001P ",
        transport_mode="铁路运输、公路运输", heavy_trucks_per_day="120", access_control="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert {name: getattr(firm, name) for name in ENTERPRISE_VALUES} == ENTERPRISE_VALUES
    page = text(city.get(f"/enterprises/{firm.id}"))
    for shown in ("东经 112.851234567，北纬 35.4912", "91140500MA0GXXXX1P001P", "铁路运输、公路运输", "日均重型车车次</dt><dd>120",
                  "门禁系统</dt><dd>有", "产品：熟料、水泥", "产量：1500000.25 吨/年", "治理：SCR脱硝、布袋除尘"):
        assert shown in page, shown
    form = text(city.get(f"/enterprises/{firm.id}/edit"))
    assert "排污许可证编号" in form and 'value="112.851234567"' in form


@pytest.mark.parametrize("changes, message", [
    ({"longitude": "200"}, "经度应在73到136度之间（十进制度，如 112.85）"),
    ({"longitude": "35.49", "latitude": "112.85"}, "经度应在73到136度之间"),
    ({"latitude": "2.5"}, "纬度应在3到54度之间"),
    ({"heavy_trucks_per_day": "-1"}, "日均重型车车次应为0到100000之间的整数"),
    ({"heavy_trucks_per_day": "12.5"}, "请填写整数"),
    ({"heavy_trucks_per_day": "99999999999999999999"}, "日均重型车车次应为0到100000之间的整数"),
    ({"longitude": "abc"}, "请填写数字"),
    ({"permit_number": "证" * 41}, "字段长度不能超过 40 个字符。"),
])
def test_bad_enterprise_fields_are_refused_in_chinese_and_nothing_is_written(city, make_enterprise, changes, message):
    firm = make_enterprise(name="字段水泥")
    logged = db.session.query(AuditLog).count()
    response = city.post(f"/enterprises/{firm.id}/edit", data=enterprise_form(firm, **changes))
    body = text(response)
    assert response.status_code == 200
    assert message in body and "未保存任何内容" in body
    db.session.expire_all()
    assert (firm.longitude, firm.latitude, firm.heavy_trucks_per_day, firm.permit_number) == (None, None, None, "")
    assert db.session.query(AuditLog).count() == logged


def test_the_line_form_saves_products_output_and_treatment_and_refuses_a_negative_output(city, make_enterprise,
                                                                                        make_line):
    firm = make_enterprise(name="字段水泥", grade="C")
    line = make_line(firm, name="1#窑")
    page = text(city.get(f"/enterprises/{firm.id}/lines/{line.id}/edit"))
    assert "主要产品" in page and "污染治理设施" in page and "产量单位" in page
    data = {"name": "1#窑", "operating_days": "300", "so2_t_yr": "30", "version": line.version,
            "main_products": "熟料", "output": "-3", "output_unit": "吨/年", "treatment_facilities": "布袋除尘"}
    for level in ("yellow", "orange", "red"):
        data.update({f"{level}-action": "stop", f"{level}-transport": "no_g4"})
    response = city.post(f"/enterprises/{firm.id}/lines/{line.id}/edit", data=data)
    assert response.status_code == 200 and "不能为负数" in text(response)
    db.session.expire_all()
    assert (line.main_products, line.output) == ("", None)
    data["output"] = "1200000"
    response = city.post(f"/enterprises/{firm.id}/lines/{line.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert (line.main_products, line.output, line.output_unit, line.treatment_facilities) == (
        "熟料", 1200000.0, "吨/年", "布袋除尘")


def test_the_registry_workbook_carries_every_field_and_reads_back_into_an_empty_registry(make_enterprise, make_line):
    firm = make_enterprise(name="字段水泥", town="北石店镇", address="城区某路1号", contact_person="张三",
                           small_micro=False, **ENTERPRISE_VALUES)
    make_line(firm, name="1#窑", coking_hours=None, **LINE_VALUES)
    data = exported()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert list(rows[0]) == list(REGISTRY_HEADERS)
    row = dict(zip(rows[0], rows[1]))
    assert (row["经度"], row["纬度"], row["排污许可证编号"], row["运输方式"], row["日均重型车车次"], row["门禁系统"]) == (
        112.851234567, 35.4912, "91140500MA0GXXXX1P001P", "铁路运输、公路运输", 120, "是")
    assert (row["主要产品"], row["产量"], row["产量单位"], row["污染治理设施"]) == (
        "熟料、水泥", 1500000.25, "吨/年", "SCR脱硝、布袋除尘")
    # Already in the database and exported: 乡镇/街道, 地址, 联系人, 工序, 产能, emissions, operating days, 类别, 小微.
    for header in ("乡镇（街道）", "详细地址", "联系人", "工序", "产能", "SO2(吨/年)", "年运行天数", "管控类别", "小微企业"):
        assert header in row
    stored_firm = {name: getattr(firm, name) for name in ENTERPRISE_FIELDS}
    stored_line = {name: getattr(firm.lines[0], name) for name in LINE_FIELDS}
    db.session.delete(firm)
    db.session.commit()
    report = commit_file(data, "名录.xlsx", username="tester")
    assert report.committed, report.lines()
    db.session.commit()
    again = db.session.query(Enterprise).one()
    assert {name: getattr(again, name) for name in ENTERPRISE_FIELDS} == {**stored_firm, "county_id": again.county_id}
    assert {name: getattr(again.lines[0], name) for name in LINE_FIELDS} == stored_line


def test_the_import_reads_other_spellings_of_the_new_headers(make_enterprise):
    code = new_credit_code()
    rows = [["企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级", "东经", "北纬", "排污许可证号",
             "主要运输方式", "日均运输车次", "是否安装门禁系统", "生产线", "产品", "年产量", "年产量单位", "治理设施",
             "颗粒物排放量（吨/年）"],
            ["拼写水泥", code, "城区", "水泥（熟料）", "C", "112.9", "35.5", "P-001", "公路", "35", "否", "1#窑", "熟料",
             "800000", "吨/年", "布袋除尘", "6.5"]]
    report = commit_file(xlsx(("表", rows)), "拼写.xlsx", username="tester")
    assert report.committed, report.lines()
    db.session.commit()
    firm = db.session.query(Enterprise).filter_by(credit_code=code).one()
    assert (firm.longitude, firm.latitude, firm.permit_number, firm.transport_mode, firm.heavy_trucks_per_day,
            firm.access_control) == (112.9, 35.5, "P-001", "公路", 35, False)
    line = firm.lines[0]
    assert (line.main_products, line.output, line.output_unit, line.treatment_facilities, line.pm_t_yr) == (
        "熟料", 800000.0, "吨/年", "布袋除尘", 6.5)


def test_bad_new_fields_in_an_import_are_problems_by_cell_and_nothing_is_written(make_enterprise):
    base = {"name": "坏字段水泥", "county": "城区", "industry_name": "水泥（熟料）", "grade": "C"}
    records = [
        {**base, "credit_code": new_credit_code(), "longitude": 200},
        {**base, "name": "坏字段二", "credit_code": new_credit_code(), "latitude": "北纬35"},
        {**base, "name": "坏字段三", "credit_code": new_credit_code(), "heavy_trucks_per_day": 12.5},
        {**base, "name": "坏字段四", "credit_code": new_credit_code(), "heavy_trucks_per_day": -3},
        {**base, "name": "坏字段五", "credit_code": new_credit_code(), "access_control": "也许"},
        {**base, "name": "坏字段六", "credit_code": new_credit_code(), "line_name": "1#窑", "output": -1},
        {**base, "name": "坏字段七", "credit_code": new_credit_code(), "permit_number": "证" * 41},
    ]
    before = snapshot()
    report, _ = inspect_file(xlsx(("表", registry_rows(records))), "坏.xlsx")
    assert [(row, message) for _, row, _, message in problems(report)] == [
        (2, "经度应在73到136度之间（十进制度，如 112.85）"),
        (3, "不是有效的数字"),
        (4, "日均重型车车次应为0到100000之间的整数"),
        (5, "日均重型车车次应为0到100000之间的整数"),
        (6, "应填写“是”或“否”"),
        (7, "不能为负数"),
        (8, "不超过40字"),
    ]
    columns = {header: i for i, header in enumerate(REGISTRY_HEADERS)}
    letters = [column for _, _, column, _ in problems(report)]
    assert (letters[0], letters[5]) == (column_letter(columns["经度"]), column_letter(columns["产量"]))
    assert not commit_file(xlsx(("表", registry_rows(records))), "坏.xlsx").committed
    db.session.rollback()
    assert snapshot() == before
