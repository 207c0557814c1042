"""Text normalisation shared by forms, imports and codes."""
import unicodedata


def fold(value):
    """Fold full-width letters, digits and spaces to half-width and trim; None stays None."""
    if value is None:
        return None
    return unicodedata.normalize("NFKC", str(value)).strip()
