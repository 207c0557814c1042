"""Irreversible actions ask first: a <dialog> from static/js/confirm.js states what will happen; 取消 sends nothing."""
import pytest

from models import Alert, County, ListVersion, db

pytestmark = pytest.mark.e2e


@pytest.fixture
def clerk(make_enterprise, make_line, make_user):
    firm = make_enterprise(name="确认测试水泥有限公司", county_name="泽州县", grade="B")
    make_line(firm)
    make_user("city", username="confirm_city")
    return firm


def _dialog_text(page):
    page.wait_for_selector("dialog.confirm-dialog[open]")
    return page.inner_text("dialog.confirm-dialog")


def test_publish_start_change_and_end_each_ask_first(clerk, sign_in, live_server, shot):
    page = sign_in("confirm_city")
    page.goto(f"{live_server}/versions/new")
    page.fill("#name", "确认测试版本")
    page.click("button:has-text('发布')")
    assert "发布后不能撤回" in _dialog_text(page)
    page.click("dialog.confirm-dialog button:has-text('取消')")
    assert page.locator("dialog.confirm-dialog").count() == 0
    db.session.expire_all()
    assert db.session.query(ListVersion).count() == 0
    page.click("button:has-text('发布')")
    page.click("dialog.confirm-dialog button:has-text('确定')")
    page.wait_for_url(lambda url: "/versions/new" not in url)
    assert db.session.query(ListVersion).count() == 1

    counties = db.session.query(County).count()
    page.goto(f"{live_server}/alerts/new")
    page.select_option("#level", "red")
    page.click("button:has-text('启动并下发')")
    assert f"将向 {counties} 个县（市、区）下发红色预警清单" in _dialog_text(page)
    shot("30-confirm-start-alert")
    page.click("dialog.confirm-dialog button:has-text('取消')")
    db.session.expire_all()
    assert db.session.query(Alert).count() == 0
    page.check("input[name=scope][value=some]")
    page.locator("input[name=county_ids]").nth(0).check()
    page.locator("input[name=county_ids]").nth(1).check()
    page.click("button:has-text('启动并下发')")
    assert "将向 2 个县（市、区）下发红色预警清单" in _dialog_text(page)
    page.click("dialog.confirm-dialog button:has-text('确定')")
    page.wait_for_url(lambda url: "/alerts/new" not in url)
    alert = db.session.query(Alert).one()
    assert len(alert.counties) == 2

    page.select_option("select[name=level]", "orange")
    page.click("button:has-text('调整级别并重新下发')")
    assert "重新下发橙色预警清单" in _dialog_text(page)
    page.click("dialog.confirm-dialog button:has-text('取消')")
    page.click("button:has-text('记录解除')")
    assert "解除" in _dialog_text(page) and "2 个县（市、区）" in _dialog_text(page)
    page.keyboard.press("Escape")
    db.session.expire_all()
    alert = db.session.get(Alert, alert.id)
    assert alert.level == "red" and alert.ended_at is None
    page.click("button:has-text('记录解除')")
    page.click("dialog.confirm-dialog button:has-text('确定')")
    page.wait_for_selector("text=已记录预警解除时间")
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).ended_at is not None
