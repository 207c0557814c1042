"""The password policy, shared by the CLI, the admin pages and the change-password page."""
from flask import current_app, has_app_context

MIN_LENGTH = 10


def policy_error(password, username=""):
    """Return a Chinese message when ``password`` breaks the policy, else None."""
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", MIN_LENGTH) if has_app_context() else MIN_LENGTH
    if not password or len(password) < minimum:
        return f"密码至少{minimum}位"
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "密码须同时包含字母和数字"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名"
    if len(set(password)) < 4:
        return "密码过于简单，请勿使用重复字符"
    return None
