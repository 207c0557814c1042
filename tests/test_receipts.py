"""Receipts (签收): only after the county has downloaded its file; the counties still to chase, with contacts; the
checksum behind a detail."""
import re

from models import Alert, AuditLog, Dispatch, db
from tests.test_alerts import dispatch_of, start, world  # noqa: F401  (the fixture)


def test_a_county_cannot_sign_for_a_file_it_never_downloaded(world, login):  # noqa: F811
    start(login(world["users"]["city"]), counties=["城区", "泽州县"])
    alert = db.session.query(Alert).one()
    own = dispatch_of(alert, "泽州县")
    client = login(world["users"]["county_zz"])
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "请先下载文件，核对后签收" in page and f"/dispatches/{own.id}/receipt" not in page
    refused = client.post(f"/dispatches/{own.id}/receipt", follow_redirects=True)
    assert refused.status_code == 200 and "请先下载并核对文件，再签收" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Dispatch, own.id).received_at is None
    assert db.session.query(AuditLog).filter_by(entity_type="dispatch", action="update").count() == 0
    # City staff downloading do not count as the county's download.
    assert login(world["users"]["city"]).get(f"/dispatches/{own.id}/download").status_code == 200
    db.session.expire_all()
    assert db.session.get(Dispatch, own.id).downloaded_at is None
    client = login(world["users"]["county_zz"])
    assert client.get(f"/dispatches/{own.id}/download").status_code == 200
    db.session.expire_all()
    assert db.session.get(Dispatch, own.id).downloaded_by == world["users"]["county_zz"].signature
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert f"/dispatches/{own.id}/receipt" in page and "data-confirm=" in page
    assert client.post(f"/dispatches/{own.id}/receipt").status_code == 302
    db.session.expire_all()
    assert db.session.get(Dispatch, own.id).received_at is not None


def test_the_unsigned_list_names_the_counties_to_chase_with_contacts(world, login, make_user):  # noqa: F811
    chaser = make_user("county", username="zz_chen", county_name="泽州县")
    chaser.real_name, chaser.unit, chaser.phone = "陈静", "泽州县生态环境分局", "0356-3999123"
    db.session.commit()
    city = login(world["users"]["city"])
    start(city, counties=["城区", "泽州县"])
    alert = db.session.query(Alert).one()
    cq = dispatch_of(alert, "城区")
    cq.downloaded_at, cq.received_at, cq.received_by = cq.created_at, cq.created_at, "城区某人"
    db.session.commit()
    detail = city.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert f"/alerts/{alert.id}/unsigned" in detail
    assert re.search(r"<details[^>]*><summary>校验码</summary>SHA-256：<code", detail)
    page = city.get(f"/alerts/{alert.id}/unsigned").get_data(as_text=True)
    assert "未签收 1/2" in page and "泽州县" in page and "泽州县生态环境部门" in page
    assert "陈静（zz_chen）" in page and "0356-3999123" in page and "未下载" in page
    assert "城区某人" not in page


def test_the_unsigned_list_is_for_city_staff_only(world, login):  # noqa: F811
    start(login(world["users"]["city"]), counties=["泽州县"])
    alert = db.session.query(Alert).one()
    assert login(world["users"]["county_zz"]).get(f"/alerts/{alert.id}/unsigned").status_code == 403
    assert login(world["users"]["admin"]).get(f"/alerts/{alert.id}/unsigned").status_code == 200
    assert login(world["users"]["city"]).get("/alerts/999999/unsigned").status_code == 404
