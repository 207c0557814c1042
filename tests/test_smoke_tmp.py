def test_list(make_enterprise, make_line, make_user, login):
    e = make_enterprise()
    make_line(e)
    c = login(make_user("city"))
    r = c.get("/enterprises")
    assert r.status_code == 200, r.data
    assert "测试企业有限公司" in r.get_data(as_text=True)
    r = c.get(f"/enterprises/{e.id}")
    assert r.status_code == 200
    r = c.get(f"/enterprises/{e.id}/lines/{e.lines[0].id}/edit")
    assert r.status_code == 200, r.data
    r = c.get(f"/enterprises/{e.id}/edit")
    assert r.status_code == 200
