"""Shared form helpers."""
from wtforms import SelectChoice


def options(pairs):
    """Turn (value, label) pairs into WTForms SelectChoice objects (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice("" if value is None else value, label) for value, label in pairs]
