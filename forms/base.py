"""Shared form helpers."""
import math

from wtforms import SelectChoice, ValidationError

from emergency.limits import MAX_ID


def options(pairs):
    """Turn (value, label) pairs into WTForms SelectChoice objects (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice("" if value is None else value, label) for value, label in pairs]


def int_or_none(value):
    """An id from a select or hidden field; None for anything else, including numbers no column can hold."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -MAX_ID <= number <= MAX_ID else None


def finite(form, field):
    """Refuse "inf", "nan" and overflowing numbers such as 1e400, which parse as floats but mean nothing."""
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError("请填写有效的数字")
