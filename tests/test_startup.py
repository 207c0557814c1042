"""Start-up that fails in one Chinese line: bad DATABASE_URL, missing driver, unreachable database, old Python."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from emergency.platform.startup import StartupError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("uri, expected", [
    ("foo://x", "类型不受支持"),
    ("not a url", "格式不正确"),
    ("postgresql+psycopg2://u:secret@localhost/x", "缺少数据库驱动 psycopg2"),
    ("postgresql+psycopg://postgres:secret@127.0.0.1:1/x", "连接被拒绝"),
    ("sqlite:////nonexistent-dir/emergency.sqlite", "无法打开 SQLite 数据库"),
])
def test_a_bad_database_stops_the_app_in_one_chinese_line(uri, expected):
    with pytest.raises(StartupError) as raised:
        create_app({"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True})
    message = str(raised.value)
    assert expected in message and "\n" not in message and "secret" not in message   # the password is hidden


def test_a_flask_command_with_a_bad_database_url_prints_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = "postgresql+psycopg://postgres@127.0.0.1:1/emergency"
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "current"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("无法连接数据库") and "请确认数据库服务已启动" in lines[0]
    assert result.stdout == "" and result.stderr.startswith("无法连接数据库") and "Traceback" not in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_refuses_an_old_python_before_pip(tmp_path):
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    old = tmp_path / "python-old"
    old.write_text('#!/bin/sh\nif [ "$1" = "-V" ]; then echo "Python 3.10.12"; exit 0; fi\nexit 1\n')
    old.chmod(0o755)
    # Under `make test` the outer make's variables would make this one print "Entering directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(["make", "--no-print-directory", f"PYTHON={old}", "install"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode != 0
    assert result.stdout.strip() == (f"需要 Python 3.11 或更高版本（{old}：Python 3.10.12）："
                                     "请安装后运行 make PYTHON=python3.11 install")
    assert not (tmp_path / ".venv").exists()


def test_a_sqlite_database_file_is_not_readable_by_other_users(tmp_path):
    path = tmp_path / "emergency.sqlite"
    old = os.umask(0o022)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    finally:
        os.umask(old)
    from models import db
    with app.app_context():
        db.engine.dispose()
    assert oct(path.stat().st_mode & 0o777) == "0o640"


def test_gunicorn_writes_the_pid_file_restore_looks_for(app, tmp_path, monkeypatch):
    import importlib.util

    from emergency.platform import restore_checks
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.PID_FILE == Path(app.instance_path) / restore_checks.PID_FILE
    monkeypatch.setattr(conf, "PID_FILE", tmp_path / "instance" / "server.pid")
    conf.when_ready(None)
    assert conf.PID_FILE.read_text() == str(os.getpid())
    conf.on_exit(None)
    assert not conf.PID_FILE.exists() and conf.PID_FILE.parent.is_dir()
