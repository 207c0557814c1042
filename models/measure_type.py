"""Measure types (措施类型): reference data saying how each kind of measure counts.

The rows are seeded from ``seed/data/measure_types.csv``; ``emergency.registry.measures`` reads them. The closed
vocabularies below are what code gives meaning to (how a parameter becomes a cut fraction, what notice a line
gets, the road-transport rules), so the database holds them with CHECKs.
"""
from .base import db, in_range, one_of

# How a type's parameter gives its cut fraction: "" a fixed fraction; pct X% → X/100; hours (extended coking
# time N) → 1 − normal ÷ N; cap (load capped at X%) → 1 − X/100; fraction as stated.
PARAM_KINDS = ("", "pct", "hours", "cap", "fraction")
# What a line with this measure gets: a stop or limit order, a capped-load notice, voluntary, or nothing.
ORDER_KINDS = ("stop", "limit", "capped", "self", "none")
# Road-transport rules, weakest first.
TRANSPORTS = ("none", "no_g4", "no_road")
MAX_COKING_HOURS = 240


class MeasureType(db.Model):
    """One measure type: label, parameter kind, fixed cut fraction, and how orders treat it."""

    __tablename__ = "measure_type"
    __table_args__ = (one_of("param", PARAM_KINDS), one_of("order_kind", ORDER_KINDS), in_range("fraction", 0, 1))

    code = db.Column(db.String(20), primary_key=True)
    label = db.Column(db.String(40), nullable=False, unique=True)
    param = db.Column(db.String(10), nullable=False, default="")
    fraction = db.Column(db.Float, nullable=False, default=0.0)
    # Counts as a stopped line where a floor asks for a share of lines to stop (停产, 停产保温).
    stops_line = db.Column(db.Boolean, nullable=False, default=False)
    order_kind = db.Column(db.String(10), nullable=False, default="none")
    # The short label with its parameter, e.g. "限产{value}%"; empty for types without one.
    template = db.Column(db.String(60), nullable=False, default="")
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    provisional = db.Column(db.Boolean, nullable=False, default=False)
    note = db.Column(db.String(300), nullable=False, default="")


def measure_param_checks():
    """The CHECKs of every table holding typed measures (lines, floors): parameter ranges and transport."""
    return (in_range("limit_pct", 0, 100), in_range("other_fraction", 0, 1), in_range("hours", 0, MAX_COKING_HOURS),
            in_range("cap_pct", 0, 100), one_of("transport", TRANSPORTS))
