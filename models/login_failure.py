"""Failed login attempts, kept in the database so throttling holds across gunicorn workers."""
from .base import db, utcnow


class LoginFailure(db.Model):
    __tablename__ = "login_failure"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(60), nullable=False, index=True)
    address = db.Column(db.String(64), nullable=False, index=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
