"""An approved grade tells the firm whether the running alert already enforces it: the alert's version froze each
firm's grade when published, so a grade approved later waits for a newer version to be dispatched."""
from datetime import datetime

from emergency.grading.in_effect import approved_grade_note
from emergency.publishing.alerts import start_alert
from emergency.publishing.versions import publish_version
from models import County, db
from tests.test_workflow import advance

STOPS = {level: ("stop", None, None, "no_g4") for level in ("yellow", "orange", "red")}


def _alert(city):
    county = db.session.query(County).filter_by(name="城区").one()
    start_alert({"level": "orange", "all_counties": False, "county_ids": [county.id],
                 "started_at": datetime(2026, 11, 28, 8, 0), "note": ""}, city)
    db.session.commit()


def _page(login, parties, req):
    response = login(parties["ent"]).get(f"/requests/{req.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_without_a_running_alert_the_firm_is_told_so(parties, login, make_line):
    make_line(parties["own"], measures=STOPS)
    req = advance(parties, "approved")
    kind, message = approved_grade_note(req)
    assert kind == "ok" and "没有正在执行的预警" in message
    assert "没有正在执行的预警" in _page(login, parties, req)


def test_a_grade_approved_after_the_running_version_is_not_yet_in_effect(parties, login, make_line):
    make_line(parties["own"], measures=STOPS)
    publish_version("调级前版本", "", parties["city"], "测试：另一家企业尚无生产线")
    _alert(parties["city"])
    req = advance(parties, "approved")
    kind, message = approved_grade_note(req)
    assert kind == "pending"
    assert "正在执行的橙色预警所用清单（版本“调级前版本”）中贵企业仍为“C”" in message
    assert "新等级“B”已批准" in message
    page = _page(login, parties, req)
    assert "flash-warning grade-in-effect" in page and "请仍按已下达的措施执行" in page


def test_a_grade_in_the_running_version_is_said_to_be_in_effect(parties, login, make_line):
    make_line(parties["own"], measures=STOPS)
    req = advance(parties, "approved")
    publish_version("调级后版本", "", parties["city"], "测试：另一家企业尚无生产线")
    _alert(parties["city"])
    assert approved_grade_note(req) == ("ok", "正在执行的橙色预警所用清单（版本“调级后版本”）已按新等级“B”执行。")
    assert "已按新等级“B”执行" in _page(login, parties, req)


def test_other_states_say_nothing(parties, login):
    req = advance(parties, "submitted")
    assert approved_grade_note(req) is None
    page = _page(login, parties, req)
    assert f"第{req.id}号调级申请" in page and "grade-in-effect" not in page
