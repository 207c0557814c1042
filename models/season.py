"""Seasons (季节, e.g. 2020–2021年秋冬季): the period that reference figures such as the whole-society baseline
belong to. General on purpose: staggered production (错峰生产) plans are per season too."""
from .base import db


class Season(db.Model):
    """A named period with its first and last day (Beijing dates) and a note on where its figures come from."""

    __tablename__ = "season"
    __table_args__ = (db.CheckConstraint("ends_on >= starts_on", name="dates"),)

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(40), nullable=False, unique=True)
    starts_on = db.Column(db.Date, nullable=False)
    ends_on = db.Column(db.Date, nullable=False)
    note = db.Column(db.String(300), nullable=False, default="")

    def contains(self, day):
        return self.starts_on <= day <= self.ends_on

    def __repr__(self):
        return f"<Season {self.name}>"
