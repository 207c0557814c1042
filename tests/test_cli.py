"""CLI contract: seed (idempotent) and create-user."""
from models import Category, County, Grade, Industry, MeasureFloor, TargetRatio, User, db
from tests.conftest import new_credit_code


def _counts():
    return tuple(db.session.query(m).count() for m in (County, Industry, Grade, Category, MeasureFloor, TargetRatio))


def test_seed_is_idempotent_and_loads_reference(runner):
    before = _counts()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0 and "参考数据已加载" in result.output
    assert _counts() == before
    counties = {c.code: c.name for c in db.session.query(County)}
    assert counties == {"140502": "城区", "140521": "沁水县", "140522": "阳城县", "140524": "陵川县",
                        "140525": "泽州县", "140581": "高平市", "1405KF": "开发区"}
    assert db.session.query(Industry).filter_by(is_key=True).count() >= 39
    ratios = {(r.level, r.pollutant): r.ratio for r in db.session.query(TargetRatio)}
    assert ratios[("yellow", "so2")] == 0.10 and ratios[("orange", "vocs")] == 0.20 and ratios[("red", "pm")] == 0.30


def test_clinker_floor_is_verified_and_others_provisional():
    clinker = db.session.query(Industry).filter_by(code="cement_clinker").one()
    floors = {(f.grade_code, f.level): f for f in db.session.query(MeasureFloor).filter_by(industry_id=clinker.id)}
    assert (floors[("B", "orange")].action, floors[("B", "orange")].limit_pct) == ("limit", 20.0)
    assert floors[("C", "yellow")].limit_pct == 50.0 and floors[("D", "yellow")].action == "stop"
    assert not floors[("B", "red")].provisional
    assert db.session.query(MeasureFloor).filter(MeasureFloor.industry_id != clinker.id,
                                                 MeasureFloor.provisional.is_(False)).count() == 0


def test_create_user_roles(runner, make_enterprise):
    enterprise = make_enterprise(credit_code=new_credit_code())
    assert runner.invoke(args=["create-user", "boss", "--role", "city", "--password", "Longpass-2020"]).exit_code == 0
    assert runner.invoke(args=["create-user", "zz", "--role", "county", "--county", "泽州县",
                               "--password", "Longpass-2020"]).exit_code == 0
    code = enterprise.credit_code.lower()
    result = runner.invoke(args=["create-user", "ent", "--role", "enterprise", "--enterprise", code,
                                 "--password", "Longpass-2020"])
    assert result.exit_code == 0, result.output
    users = {u.username: u for u in db.session.query(User)}
    assert users["boss"].role == "city" and users["boss"].check_password("Longpass-2020")
    assert users["zz"].county.name == "泽州县"
    assert users["ent"].enterprise_id == enterprise.id


def test_create_user_bad_input_writes_nothing(runner):
    cases = [
        (["create-user", "x", "--role", "county", "--password", "Longpass-2020"], "须指定所属县"),
        (["create-user", "x", "--role", "county", "--county", "火星县", "--password", "Longpass-2020"], "未找到县"),
        (["create-user", "x", "--role", "enterprise", "--enterprise", "9144030071526726XG",
          "--password", "Longpass-2020"], "未找到统一社会信用代码"),
        (["create-user", "x", "--role", "city", "--password", "short"], "密码至少10位"),
        (["create-user", "x", "--role", "boss", "--password", "Longpass-2020"], "Invalid value"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    assert db.session.query(User).count() == 0


def test_duplicate_username_refused(runner):
    assert runner.invoke(args=["create-user", "boss", "--role", "city", "--password", "Longpass-2020"]).exit_code == 0
    result = runner.invoke(args=["create-user", "boss", "--role", "admin", "--password", "Longpass-2020"])
    assert result.exit_code == 1 and "已存在" in result.output
    assert db.session.query(User).filter_by(username="boss").one().role == "city"
