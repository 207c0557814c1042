"""Text normalisation shared by forms, searches, imports and codes: one ``fold`` for all of them."""

# Chinese punctuation that names and measure texts are stored with stays full-width, so a search or an
# import matches what a clerk typed: （集团） is not (集团).
KEPT = {ord(c) for c in "（），：；！？"}
# Every other full-width ASCII form (digits, letters, ％, －, ．...) folds to ASCII, the ideographic space
# to a space.
FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if code not in KEPT}
FOLD[0x3000] = 0x20
FOLD[0] = None   # NUL, left by some .xls and CSV writers, is dropped: PostgreSQL cannot store it


def fold(value):
    """Fold full-width ASCII forms and spaces to half-width, keep Chinese punctuation, trim; None stays None."""
    if value is None:
        return None
    return str(value).translate(FOLD).strip()
