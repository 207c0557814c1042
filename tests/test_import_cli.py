"""flask import-list FILE [--dry-run]: the same report as the web, exit 0 when clean, 1 (writing nothing) otherwise."""
from models import AuditLog, Enterprise, ImportBatch, db
from tests.conftest import new_credit_code
from tests.import_support import csv_bytes, registry_rows, snapshot, xlsx


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def good_rows(code, county="泽州县"):
    return registry_rows([{"name": "命令行水泥有限公司", "credit_code": code, "county": county,
                           "industry_name": "水泥", "industry_sub_type": "熟料", "grade": "B-级",
                           "line_name": "1#窑", "red_action": "停产", "orange_text": "限产20%"}])


def test_dry_run_reports_and_writes_nothing(runner, tmp_path):
    path = write(tmp_path, "清单.xlsx", xlsx(("表", good_rows(new_credit_code()))))
    before = snapshot()
    result = runner.invoke(args=["import-list", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "企业：新增 1，修改 0，不变 0" in result.output and "减排措施：新增 2，修改 0，不变 0" in result.output
    assert "检查通过（试运行，未写入任何数据）" in result.output
    assert snapshot() == before


def test_import_commits_with_audit_and_batch(runner, tmp_path):
    code = new_credit_code()
    path = write(tmp_path, "县报清单.xlsx", xlsx(("表", good_rows(code))))
    result = runner.invoke(args=["import-list", path])
    assert result.exit_code == 0, result.output
    assert "已导入（导入批次" in result.output
    enterprise = db.session.query(Enterprise).filter_by(credit_code=code).one()
    assert (enterprise.grade_code, enterprise.county.name, enterprise.industry.code) == \
        ("B-", "泽州县", "cement_clinker")
    batch = db.session.query(ImportBatch).one()
    assert (batch.source, batch.filename, batch.enterprises_created, batch.measures_created) == \
        ("cli", "县报清单.xlsx", 1, 2)
    assert batch.username.startswith("cli:")
    log = db.session.query(AuditLog).filter(AuditLog.enterprise_id == enterprise.id).all()
    assert len(log) == 4 and {row.source for row in log} == {"import:县报清单.xlsx"}
    again = runner.invoke(args=["import-list", path])
    assert again.exit_code == 0 and "企业：新增 0，修改 0，不变 1" in again.output


def test_problems_exit_1_and_write_nothing(runner, tmp_path):
    rows = good_rows(new_credit_code()) + good_rows("91140525MA00000011")[1:]
    path = write(tmp_path, "坏.xlsx", xlsx(("表", rows)))
    before = snapshot()
    for args in (["import-list", path], ["import-list", path, "--dry-run"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert "发现问题 1 项（未导入任何数据）" in result.output
        assert "工作表“表” 第3行 B列（统一社会信用代码）“91140525MA00000011”：统一社会信用代码校验位错误" in result.output
        assert snapshot() == before


def test_bad_file_exits_1_without_a_traceback(runner, tmp_path, app, monkeypatch):
    path = write(tmp_path, "清单.xlsx", b"this is not a workbook")
    result = runner.invoke(args=["import-list", path])
    assert result.exit_code == 1 and "无法导入：文件扩展名为 .xlsx，但内容是文本文件" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 10)
    result = runner.invoke(args=["import-list", path])
    assert result.exit_code == 1 and "超过上限" in result.output
    assert db.session.query(ImportBatch).count() == 0


def test_gbk_and_utf8_bom_csv_import(runner, tmp_path):
    for name, data in (("gbk.csv", csv_bytes(good_rows(new_credit_code()), "gbk")),
                       ("bom.csv", b"\xef\xbb\xbf" + csv_bytes(good_rows(new_credit_code(), "高平市"), "utf-8"))):
        result = runner.invoke(args=["import-list", write(tmp_path, name, data)])
        assert result.exit_code == 0, result.output
    assert sorted(e.county.name for e in db.session.query(Enterprise)) == ["泽州县", "高平市"]


def test_export_registry_then_import_list_is_all_unchanged(runner, tmp_path, make_enterprise, make_line):
    firm = make_enterprise(name="往返企业", grade="B-")
    make_line(firm, measures={"yellow": ("other", None, 0.05), "orange": ("limit", 35.0, None),
                              "red": ("stop", None, None)})
    make_enterprise(name="无线企业", industry_code="other", category="GENERAL", grade=None)
    out = str(tmp_path / "名录.xlsx")
    assert runner.invoke(args=["export-registry", "--out", out]).exit_code == 0
    result = runner.invoke(args=["import-list", out])
    assert result.exit_code == 0, result.output
    assert "企业：新增 0，修改 0，不变 2" in result.output
    assert "生产线：新增 0，修改 0，不变 1" in result.output
    assert "减排措施：新增 0，修改 0，不变 3" in result.output
    assert db.session.query(ImportBatch).one().status == "no_changes"
