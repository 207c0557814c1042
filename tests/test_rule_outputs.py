"""What the rules decide reaches every output the same way: the list page, the order and the workbook state why
a firm is not graded or takes a lighter measure, and show entered → imposed where a rule replaced a measure."""
import io

from openpyxl import load_workbook

from emergency.lists.exports import export_list

STOP_ROAD = {level: ("stop", None, None, "no_road") for level in ("yellow", "orange", "red")}


def _list_cell(level="red"):
    buffer = io.BytesIO()
    export_list(buffer, level)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["清单"]
    headers = [c.value for c in sheet[2]]
    return [dict(zip(headers, (c.value for c in row))) for row in sheet.iter_rows(min_row=3)]


def test_a_non_compliant_firm_reads_why_on_the_list_the_order_and_the_workbook(make_enterprise, make_line,
                                                                                make_user, login):
    firm = make_enterprise(name="不达标企业", category="NON_COMPLIANT", grade=None,
                           category_reason="不能稳定达标排放")
    make_line(firm, measures=STOP_ROAD)
    client = login(make_user("city"))
    reason = "不纳入绩效分级（不能稳定达标排放）"
    assert reason in client.get("/lists/red").get_data(as_text=True)
    order = client.get(f"/lists/red/orders/{firm.id}").get_data(as_text=True)
    assert reason in order and "停产；停止公路运输" in order
    [row] = _list_cell()
    assert row["减排措施"].startswith("停产；停止公路运输") and reason in row["减排措施"]


def test_an_imposed_measure_shows_entered_and_imposed_everywhere(make_enterprise, make_line, make_user, login):
    firm = make_enterprise(name="不达标限产企业", category="NON_COMPLIANT", grade=None,
                           category_reason="未达到排污许可管理要求")
    make_line(firm, measures={**STOP_ROAD, "red": ("limit", 30.0, None)})
    client = login(make_user("city"))
    page = client.get("/lists/red").get_data(as_text=True)
    assert "填报：限产30% → 执行：停产" in page and "依据：不纳入绩效分级（未达到排污许可管理要求）" in page
    order = client.get(f"/lists/red/orders/{firm.id}").get_data(as_text=True)
    assert "（填报：限产30%；不纳入绩效分级（未达到排污许可管理要求））" in order
    [row] = _list_cell()
    assert "（填报：限产30%；不纳入绩效分级（未达到排污许可管理要求））" in row["减排措施"]
    assert row["措施类型"] == "停产"


def test_a_small_and_micro_firm_is_shown_as_such(make_enterprise, make_line, make_user, login):
    firm = make_enterprise(name="小微喷涂企业", category="GENERAL", grade=None, industry_code="other",
                           small_micro=True)
    # The small-micro floor: 不停限产, with the truck ban at red.
    make_line(firm, measures={"yellow": ("none", None, None), "orange": ("none", None, None),
                              "red": ("none", None, None, "no_g4")},
              so2_t_yr=0.1, nox_t_yr=0.2, pm_t_yr=0.3, vocs_t_yr=0.5)
    page = login(make_user("city")).get("/lists/red").get_data(as_text=True)
    assert "小微涉气企业（年排放量1.1吨，不超过2吨），视情减少管控措施" in page
    [row] = _list_cell()
    assert row["减排措施"].startswith("不停限产") and "小微涉气企业" in row["减排措施"]
