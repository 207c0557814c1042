"""Bearer tokens of the read API's machine clients (the provincial platform, the grid company, county systems)."""
from .base import db, utcnow


class ApiToken(db.Model):
    """One client's token: scoped to one county, or to the whole city when ``county_id`` is NULL.

    Only a SHA-256 digest of the token is kept; the token itself is shown once, when it is created. ``key`` is
    the token's public part, which finds the row (and names the token on the admin page); revoking sets
    ``revoked_at``, and a revoked token is refused from then on.
    """

    __tablename__ = "api_token"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), nullable=False)
    key = db.Column(db.String(16), nullable=False, unique=True)
    secret_hash = db.Column(db.String(64), nullable=False)
    county_id = db.Column(db.Integer, db.ForeignKey("county.id"), index=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime)
    revoked_at = db.Column(db.DateTime)
    revoked_by_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))

    county = db.relationship("County")
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    revoked_by = db.relationship("User", foreign_keys=[revoked_by_id])

    @property
    def revoked(self):
        return self.revoked_at is not None

    @property
    def scope_name(self):
        return self.county.name if self.county else "全市"

    def __repr__(self):
        return f"<ApiToken {self.key} {self.name}>"
