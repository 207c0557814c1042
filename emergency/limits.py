"""Sizes the database sets, read from the models so that forms, imports and checks never restate them."""

MAX_ID = 2**31 - 1   # the id columns are 32-bit integers


def text_limit(column):
    """The length of a String column, e.g. ``text_limit(Enterprise.name) == 200``."""
    length = getattr(column.type, "length", None)
    if length is None:
        raise TypeError(f"{column} has no length")
    return length
