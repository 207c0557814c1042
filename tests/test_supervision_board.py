"""The supervision board of an alert: the firms judged from the dispatched version, scoped by user."""
import pytest

from emergency.supervision.board import alert_days, build_board
from emergency.supervision.judgement import NO_DATA, OBEYED, SUSPECT
from tests.supervision_support import DAYS, TODAY, make_world


@pytest.fixture
def world(make_enterprise, make_line, make_user):
    return make_world(make_enterprise, make_line, make_user)


def summary(board):
    return [(f.name, f.judgement.status, f.judgement.peak_ratio, f.measure_label) for f in board.firms]


def test_the_city_sees_every_firm_ranked(world):
    firms, users, alert = world
    first, days = alert_days(alert, TODAY)
    assert days == DAYS
    board = build_board(alert, users["city"], TODAY)
    assert summary(board) == [("城区违规水泥", SUSPECT, 0.95, "停产"), ("泽州乙水泥", SUSPECT, 0.8, "停产"),
                              ("城区无数据水泥", NO_DATA, None, "停产"), ("城区守规水泥", OBEYED, 0.2, "停产")]
    ignores = board.firms[0].judgement
    assert [d.status for d in ignores.days] == [SUSPECT, SUSPECT, OBEYED]
    assert ignores.excess == 700.0 + 650.0
    assert board.counts() == {SUSPECT: 2, NO_DATA: 1, OBEYED: 1}


def test_a_county_sees_its_county_and_a_firm_itself(world):
    firms, users, alert = world
    assert {f.name for f in build_board(alert, users["county"], TODAY).firms} == {"城区违规水泥", "城区无数据水泥",
                                                                                 "城区守规水泥"}
    assert [f.name for f in build_board(alert, users["county_other"], TODAY).firms] == ["泽州乙水泥"]
    assert [f.name for f in build_board(alert, users["ent"], TODAY).firms] == ["城区违规水泥"]


def test_an_alert_without_a_full_day_lists_its_firms_without_data(world):
    firms, users, alert = world
    first, days = alert_days(alert, DAYS[0])        # seen on the day after it started
    assert days == []
    board = build_board(alert, users["city"], DAYS[0])
    assert {f.judgement.status for f in board.firms} == {NO_DATA} and len(board.firms) == 4


def test_the_board_page_sends_as_many_statements_for_many_firms_as_for_few(make_enterprise, make_line, make_user,
                                                                           login):
    from datetime import datetime

    from emergency.publishing.alerts import end_alert, local_to_utc, start_alert
    from emergency.publishing.versions import publish_version
    from models import County, db
    from tests.querycount import count_queries
    from tests.supervision_support import STOPS, add_use, baseline_days

    city = make_user("city")
    county_ids = [db.session.query(County).filter_by(name="城区").one().id]

    def alert_with(names, day):
        for name in names:
            firm = make_enterprise(name=name, grade="C")
            make_line(firm, measures=STOPS)
            add_use(firm, baseline_days(1000.0) | {d: 900.0 for d in DAYS})
        publish_version(f"版本{day}", "", city)
        alert = start_alert({"level": "red", "all_counties": False, "county_ids": county_ids,
                             "started_at": local_to_utc(datetime(2026, 11, day, 8)), "note": ""}, city)
        end_alert(alert, local_to_utc(datetime(2026, 11, day + 4, 8)), city)
        db.session.commit()
        return alert

    few = alert_with(["甲厂", "乙厂"], 1)
    many = alert_with([f"第{n}厂" for n in range(6)], 20)
    client, counts = login(city), []
    for alert, firms in ((few, 2), (many, 8)):
        client.get(f"/supervision/alerts/{alert.id}")
        with count_queries() as statements:
            body = client.get(f"/supervision/alerts/{alert.id}").get_data(as_text=True)
        assert body.count('<svg class="use-chart"') == firms
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_cached_judgement_is_reused_until_readings_change(world, app, monkeypatch):
    from datetime import date as day

    from emergency.supervision import board as boards
    from emergency.supervision.positive import save_entry
    from emergency.supervision.power_import import commit_power
    from models import PowerAccount, db

    firms, users, alert = world
    monkeypatch.setitem(app.config, "SUPERVISION_CACHE", True)
    monkeypatch.setitem(app.extensions, "supervision_boards", {})
    calls = []
    judge_alert = boards.judge_alert
    monkeypatch.setattr(boards, "judge_alert", lambda *a, **k: calls.append(a) or judge_alert(*a, **k))

    def statuses(user="city"):
        return {f.name: (f.judgement.status, f.positive) for f in build_board(alert, users[user], TODAY).firms}

    first = statuses()
    assert statuses() == first and statuses("county")["城区违规水泥"] == (SUSPECT, False) and len(calls) == 1
    save_entry({"enterprise": firms["obeys"], "reason": "无违法记录", "added_on": day(2026, 1, 1),
                "expires_on": day(2027, 1, 1)}, users["city"])
    db.session.commit()
    assert statuses()["城区守规水泥"] == (OBEYED, True) and len(calls) == 1      # read afresh, not judged again
    data = "".join(f"A{firms['silent'].id},,{d},100\n" for d in ("2026-11-21", "2026-11-22", "2026-11-23"))
    data += "".join(f"A{firms['silent'].id},,2026-11-{n:02d},1000\n" for n in range(6, 20))
    db.session.add(PowerAccount(number=f"A{firms['silent'].id}", enterprise_id=firms["silent"].id))
    db.session.commit()
    assert commit_power(("户号,户名,日期,有功电量\n" + data).encode(), "p.csv", today=TODAY).committed
    db.session.commit()
    assert statuses()["城区无数据水泥"] == (OBEYED, False) and len(calls) == 2
