"""The demo's power data: a demo alert whose board finds exactly the planted firms."""
from datetime import date

from emergency.supervision.board import build_board
from emergency.supervision.judgement import NO_DATA, NOT_JUDGED, OBEYED, SUSPECT
from models import PowerReading, db
from seed.demo import load_demo
from seed.demo_power import DEMO_NOTE, load_demo_power

TODAY = date(2026, 12, 1)


def test_the_demo_board_finds_the_planted_firms(make_user):
    load_demo(n=80)
    summary = load_demo_power(today=TODAY)
    db.session.commit()
    alert = summary["alert"]
    assert alert.note == DEMO_NOTE and len(summary["ignoring"]) == 5 and len(summary["silent"]) == 5
    board = build_board(alert, make_user("city"), TODAY)
    status = {f.enterprise_id: f.judgement.status for f in board.firms}
    assert {eid for eid, s in status.items() if s == SUSPECT} == set(summary["ignoring"])
    assert {eid for eid, s in status.items() if s == NO_DATA} == set(summary["silent"])
    assert set(status.values()) == {SUSPECT, NO_DATA, OBEYED, NOT_JUDGED}
    assert [f.enterprise_id for f in board.firms[:5]] != [] and board.firms[0].judgement.status == SUSPECT
    days = {d for (d,) in db.session.query(PowerReading.day).distinct()}
    assert min(days) == date(2026, 9, 24) and max(days) == date(2026, 11, 28)
    assert {s for (s,) in db.session.query(PowerReading.source).distinct()} == {"demo"}
    again = load_demo_power(today=TODAY)
    assert again["alert"].id == alert.id and again["readings"] == 0
