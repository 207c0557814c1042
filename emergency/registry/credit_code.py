"""Unified social credit code (统一社会信用代码, GB 32100-2015): normalise and check."""
import re

from emergency.text import fold

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalise(code):
    """Trim, fold full-width characters, drop inner spaces and upper-case."""
    if code is None:
        return ""
    return re.sub(r"\s+", "", fold(code)).upper()


def check_digit(first17):
    """Return the MOD 31 check character for the first 17 characters."""
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code):
    """Return a Chinese error message for an invalid code, or None when the normalised code is valid."""
    if not code:
        return "统一社会信用代码不能为空"
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位"
    if not PATTERN.match(code):
        return "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z；第3–8位为行政区划数字）"
    expected = check_digit(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（应为{expected}）"
    return None


def is_valid(code):
    return validate(normalise(code)) is None


def make(prefix17):
    """Complete a 17-character prefix with its check character (used by the demo generator and tests)."""
    return prefix17 + check_digit(prefix17)
