"""Bearer tokens of the read API: create (the token is shown once), revoke, authenticate, and what a token may read.

A token reads ``jc_<key>_<secret>``. The key is public: it finds the row and names the token on the admin page.
Only the SHA-256 digest of the whole token is stored, and a presented token is compared with it in constant
time. Operations flush, never commit.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update

from emergency.audit import trail as audit
from emergency.errors import DomainError, Forbidden, NotFound
from emergency.limits import text_limit
from models import ApiToken, County, db
from models.base import utcnow

PREFIX = "jc"
KEY_BYTES, SECRET_BYTES = 6, 32        # a 12-character hex key; 256 random bits of secret
# The last-used time is written at most this often per token, so reading the API is not a write per request.
TOUCH_EVERY = timedelta(minutes=1)
# Compared against when the key matches no token, so an unknown key costs the same comparison as a known one.
_NO_DIGEST = "0" * 64

audit.register(ApiToken, "api_token", "接口令牌", lambda obj, conn: None, lambda obj: f"{obj.name}（{obj.key}）")


@dataclass(frozen=True)
class IssuedToken:
    """A new token's row and the token itself, which exists only here: it is never stored nor shown again."""

    token: ApiToken
    plain: str


def digest(plain):
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(name, county_id=None, created_by_id=None):
    """Create a token for the client ``name``, scoped to ``county_id`` (None: the whole city)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写令牌名称（调用方）"
    elif len(name) > text_limit(ApiToken.name):
        errors["name"] = f"令牌名称不超过{text_limit(ApiToken.name)}字"
    if county_id is not None and db.session.get(County, county_id) is None:
        errors["county_id"] = "未找到该县（市、区）"
    if errors:
        raise DomainError(errors)
    key = secrets.token_hex(KEY_BYTES)
    plain = f"{PREFIX}_{key}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken(name=name, key=key, secret_hash=digest(plain), county_id=county_id, created_by_id=created_by_id)
    db.session.add(token)
    db.session.flush()
    return IssuedToken(token, plain)


def revoke_token(token, revoked_by_id=None):
    """Revoke ``token``: from now on every request that presents it is refused."""
    if token.revoked:
        raise DomainError({"token": f"令牌“{token.name}”已于此前吊销"})
    token.revoked_at = utcnow()
    token.revoked_by_id = revoked_by_id
    db.session.flush()
    return token


def find_token(reference):
    """A token by id (digits) or key; NotFound otherwise."""
    reference = (reference or "").strip()
    query = db.session.query(ApiToken)
    if reference.isascii() and reference.isdigit() and len(reference) < 10:
        token = query.filter_by(id=int(reference)).one_or_none()
    else:
        token = query.filter_by(key=reference).one_or_none()
    if token is None:
        raise NotFound(f"api token {reference}")
    return token


def authenticate(plain):
    """The live token ``plain`` is, or None (unknown, malformed, wrong secret or revoked)."""
    parts = (plain or "").split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 2 * KEY_BYTES or not parts[1].isascii():
        return None
    token = db.session.query(ApiToken).filter_by(key=parts[1]).one_or_none()
    matches = hmac.compare_digest(digest(plain), token.secret_hash if token is not None else _NO_DIGEST)
    if token is None or not matches or token.revoked:
        return None
    return token


def touch(token, now=None):
    """Note that ``token`` was used; True when the time was written (at most once per ``TOUCH_EVERY``).

    A plain UPDATE, not an ORM change: a read is not an edit, so it is not in the audit trail.
    """
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return True


def readable_county(token, county=None):
    """The county a request of ``token`` reads: ``county`` when asked for (None: the token's own scope).

    Forbidden for another county than a county token's own: county names are public, so saying so leaks nothing.
    """
    if county is None:
        return token.county
    if token.county_id is not None and county.id != token.county_id:
        raise Forbidden(f"api token {token.key}: county {county.id}")
    return county


def check_enterprise(token, enterprise):
    """NotFound for an enterprise outside the token's county, as for one that does not exist (codes do not leak)."""
    if enterprise is None or (token.county_id is not None and enterprise.county_id != token.county_id):
        raise NotFound("enterprise")
    return enterprise


def tokens_page():
    """Every token, live ones first, newest first."""
    return (db.session.query(ApiToken)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()).all())
