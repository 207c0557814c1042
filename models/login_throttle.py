"""Login attempt counters, kept in the database so throttling holds across gunicorn workers.

One row per counter: ``scope`` "pair" counts the attempts on one username from one address, "user" those on one
username from every address. A counter is claimed by a conditional UPDATE (``count < limit``), so parallel
attempts cannot pass the limit.
"""
from .base import db, in_range, one_of, utcnow

SCOPES = ("pair", "user")


class LoginThrottle(db.Model):
    __tablename__ = "login_throttle"
    __table_args__ = (one_of("scope", SCOPES), db.UniqueConstraint("scope", "key"),
                      in_range("count", 0))

    id = db.Column(db.Integer, primary_key=True)
    scope = db.Column(db.String(8), nullable=False)
    # "<address> <username>" for a pair, the username for a user counter
    key = db.Column(db.String(130), nullable=False)
    count = db.Column(db.Integer, nullable=False, default=0)
    window_start = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
