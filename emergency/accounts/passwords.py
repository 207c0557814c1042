"""The password policy, shared by the CLI, the admin pages and the change-password page.

Beyond length and character rules, a password must not be easy to guess. That is judged by zxcvbn (the
Python port of Dropbox's estimator, MIT licence): its 30,000 most common passwords and its English word, name
and keyboard-pattern lists, with l33t substitutions, repeats and dates. The username and the city's own names
(``seed/data/password_words.csv``: 晋城, Jincheng, the counties' names in pinyin ...) are added to its
dictionaries, so ``Jincheng2020`` or ``Zezhou2021x`` is refused like ``Password123``.
"""
from functools import cache

from flask import current_app, has_app_context
from zxcvbn import zxcvbn

from seed.load import read_csv

MIN_LENGTH = 10
# zxcvbn's score runs 0-4; 3 is "safely unguessable: moderate protection from offline slow-hash attacks".
MIN_SCORE = 3
# zxcvbn's cost grows with the length; what is past this many characters is not judged (it only adds strength).
JUDGED_LENGTH = 64


@cache
def local_words():
    """The city's words a password must not be built from."""
    return tuple(row["word"].strip().lower() for row in read_csv("password_words.csv") if row["word"].strip())


def _setting(name, default):
    return current_app.config.get(name, default) if has_app_context() else default


def guessable(password, username=""):
    """A Chinese reason when zxcvbn finds ``password`` easy to guess, else None."""
    inputs = [username.lower()] if username else []
    result = zxcvbn(password[:JUDGED_LENGTH], user_inputs=inputs + list(local_words()))
    if result["score"] >= _setting("PASSWORD_MIN_SCORE", MIN_SCORE):
        return None
    if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
        return "密码不能由用户名或本市地名（如 Jincheng、Zezhou）加数字构成，请换一个更难猜的密码"
    return "密码过于常见或容易猜到（常用密码、英文单词、键盘顺序、年份等），请换一个更难猜的密码"


def policy_error(password, username=""):
    """Return a Chinese message when ``password`` breaks the policy, else None."""
    minimum = _setting("PASSWORD_MIN_LENGTH", MIN_LENGTH)
    if not password or len(password) < minimum:
        return f"密码至少{minimum}位"
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "密码须同时包含字母和数字"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名"
    if len(set(password)) < 4:
        return "密码过于简单，请勿使用重复字符"
    return guessable(password, username)
