"""Counties (县（市、区）): the list's distribution unit."""
from .base import db


class County(db.Model):
    """A county-level unit of Jincheng, identified by its GB/T 2260 code."""

    __tablename__ = "county"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(12), nullable=False, unique=True)
    name = db.Column(db.String(40), nullable=False, unique=True)
    sort_order = db.Column(db.Integer, nullable=False, default=0)

    def __repr__(self):
        return f"<County {self.code} {self.name}>"
