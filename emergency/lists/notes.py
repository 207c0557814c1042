"""The 说明 sheet of a list workbook: who issues it, which list it is, when, for what scope and level.

Notes are (label, value) rows for ``spreadsheets.write_list_workbook(..., notes=...)``. A published version's
notes (``publishing.versions.version_notes``) add its publisher and, when it passed the gate with errors, the
override reason; the live export says that it is not a published list.
"""
from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app

from emergency.baseline.seasons import season_in_force
from models import LEVEL_LABELS
from models.base import utcnow

# Official documents state Beijing time, whatever zone the pages are configured to show.
BEIJING = ZoneInfo("Asia/Shanghai")
LIVE_VERSION = "当前登记数据（未发布）"
LIVE_NOTE = "由当前登记数据生成，未经发布，仅供核对；正式清单以发布的清单版本为准"
NO_SEASON = "未设置（未录入全社会排放量基数）"


def issuing_body():
    """The body that issues the lists (config ``ISSUING_BODY``)."""
    return current_app.config["ISSUING_BODY"]


def beijing_time(value):
    """A naive UTC datetime as "2020-12-01 08:00（北京时间）"."""
    return f"{value.replace(tzinfo=UTC).astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"


def list_notes(level, county, version, at, by="", note="", at_label="发布时间", season=""):
    """The rows every list workbook's 说明 sheet starts with (``season``: the name of the baseline's season)."""
    rows = [("发布单位", issuing_body()), ("清单版本", version), (at_label, beijing_time(at))]
    if by:
        rows.append(("发布人", by))
    return rows + [("季节", season or NO_SEASON), ("范围", county.name if county else "全市"),
                   ("预警级别", f"{LEVEL_LABELS[level]}预警"), ("版本说明", note or "无")]


def live_notes(level, county=None):
    """The 说明 rows of a live (unpublished) list export."""
    season = season_in_force()
    return list_notes(level, county, LIVE_VERSION, utcnow(), note=LIVE_NOTE, at_label="导出时间",
                      season=season.name if season else "")
