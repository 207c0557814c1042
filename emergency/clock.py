"""Local dates and times: the bureau works in China Standard Time while the database stores naive UTC."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def local_zone():
    """The display time zone (config ``TIMEZONE``, default Asia/Shanghai)."""
    name = current_app.config.get("TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def local_now():
    return datetime.now(local_zone())


def local_today():
    """Today's date in the bureau's time zone: effective dates and batches count in local days."""
    return local_now().date()


def to_local(value):
    """A naive UTC datetime from the database as a local naive datetime; None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(local_zone()).replace(tzinfo=None)


def local_day_start_utc(day):
    """The naive UTC datetime at which local ``day`` begins (for date filters on UTC columns)."""
    start = datetime(day.year, day.month, day.day, tzinfo=local_zone())
    return start.astimezone(UTC).replace(tzinfo=None)
