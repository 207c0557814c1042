"""The append-only audit trail (written from every session flush) and its Chinese reading view."""
