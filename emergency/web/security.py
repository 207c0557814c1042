"""Hardening wired into every app: secret key, cookies, the client's address behind proxies, security headers
(HSTS over HTTPS; ``Cache-Control: no-store`` on every logged-in response), request ids and error logging.

``emergency.setup`` registers the two request hooks below with the app's other hooks."""
import logging
import secrets
import uuid
from pathlib import Path

from flask import current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

DEV_SECRET = "dev-only-change-me"
# No inline script anywhere; styles may be inline (SVG charts carry style attributes).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
HSTS_MAX_AGE = 31536000   # one year, the value the HSTS preload list asks for


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS (or the config says so)."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))


class RequestIdFilter(logging.Filter):
    """Put the request id on every log record, so a user's error page can be matched to the log."""

    def filter(self, record):
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def _secret_key(app):
    """Use the configured key; for a development install, a random key kept in the instance folder."""
    if app.config.get("SECRET_KEY") not in (None, "", DEV_SECRET) or app.testing:
        return app.config["SECRET_KEY"]
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def init_app(app):
    app.config["SECRET_KEY"] = _secret_key(app)
    if not app.testing and not app.config.get("WTF_CSRF_ENABLED", True):
        raise RuntimeError("CSRF protection may only be disabled in a TESTING configuration")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.session_interface = SessionInterface()
    # Behind the bureau's reverse proxy, the client's address and scheme come from X-Forwarded-For/-Proto,
    # which only the TRUSTED_PROXIES nearest hops may set (0: none, the address is the socket's).
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    app.logger.addHandler(handler)
    app.logger.setLevel(logging.INFO)


def assign_request_id():
    """Before each request: the id that error pages show and every log line carries."""
    g.request_id = uuid.uuid4().hex[:12]


def security_headers(response):
    """After each request: the security headers, and the request id.

    A logged-in response (page or download) and every API answer is ``no-store``: a shared or public computer's
    cache keeps no copy of the registry. It reads the session, never the database, so error pages get it too.
    """
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        max_age = current_app.config.get("HSTS_MAX_AGE", HSTS_MAX_AGE)
        response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")
    if request.endpoint != "static" and ("_user_id" in session or request.path.startswith("/api/")):
        response.headers["Cache-Control"] = "no-store"
    response.headers["X-Request-Id"] = g.get("request_id", "")
    return response
