"""HTML assertions shared by tests."""
import re

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def has_inline_script(body):
    """True when the page carries script the Content-Security-Policy forbids: inline <script>, on*= handlers."""
    return bool(INLINE_SCRIPT.search(body))


def loads_external(body):
    """True when the page loads anything from another host (no CDN on the intranet)."""
    return bool(EXTERNAL.search(body))
