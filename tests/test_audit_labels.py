"""The audit log in Chinese: one dictionary (seed/data/audit_labels.csv) names every audited field, values read as
before → after pairs (no JSON), levels as 黄色/橙色/红色, times in Beijing time, and people by their names."""
import re
from datetime import datetime

import pytest
from sqlalchemy import inspect

from emergency.audit.trail import AUDITED, NOISE, TYPE_LABELS
from emergency.audit.view import HIDDEN, field_label
from emergency.publishing.alerts import start_alert
from emergency.publishing.versions import publish_version
from models import db


def test_every_audited_field_has_a_chinese_name():
    """Fails as soon as an audited model gains a column that the dictionary does not name."""
    missing = [f"{entity_type}.{column.key}" for cls, (entity_type, *_) in AUDITED.items()
               for column in inspect(cls).column_attrs
               if column.key not in HIDDEN | NOISE and not field_label(entity_type, column.key)]
    assert missing == []
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in TYPE_LABELS.values())


def test_a_field_without_a_name_is_caught(monkeypatch):
    from emergency.audit import view

    labels = dict(view._labels())
    del labels[("", "published_by_id")]
    monkeypatch.setattr(view, "_labels", lambda: labels)
    assert view.field_label("list_version", "published_by_id") is None


@pytest.fixture
def logged(make_enterprise, make_line, make_user):
    firm = make_enterprise(name="审计中文水泥有限公司")
    make_line(firm)
    city = make_user("city", username="county_zz")
    city.real_name, city.unit = "张明", "市生态环境局大气科"
    db.session.commit()
    publish_version("2026年12月版", "", city)
    # Started at 08:00 Beijing time, stored as 00:00 UTC.
    start_alert({"level": "red", "all_counties": True, "county_ids": [], "note": "",
                 "started_at": datetime(2026, 12, 1, 0, 0), "override_reason": ""}, city)
    db.session.commit()
    return city


def test_audit_page_reads_in_chinese(logged, login):
    page = login(logged).get("/audit?type=").get_data(as_text=True)
    # The fixture's measure texts ("red措施") are data a user typed, not the log's own words.
    text = re.sub(r"(yellow|orange|red)措施", "", re.sub(r"<[^>]+>", " ", page))
    log = text.split("审计日志", 1)[1]
    for english in ("published_by_id", "enterprises", "alert_id", "version_id", "started_at", "red", "orange",
                    "yellow", "UTC", "{", "}", '"'):
        assert english not in log, english
    assert "发布人" in log and "张明（county_zz）" in log and "红色" in log
    assert "2026-12-01 08:00:00" in log
    assert "红色预警措施" in log


@pytest.mark.parametrize("url", ["/audit", "/import/history", "/versions", "/alerts"])
def test_no_utc_on_pages(logged, login, url):
    page = login(logged).get(url).get_data(as_text=True)
    assert "UTC" not in page and "张明" in page
