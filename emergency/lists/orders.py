"""The stop/limit order (停限产通知单): its per-line items and the one-cell text used in exports.

An order never carries a known error: while any of a firm's lines has an error at the level, its order is
withheld (``Order.withheld`` says why) and the exports leave the firm out of their 停限产企业 sheet.
"""
from dataclasses import dataclass

from emergency.lists.listing import enterprise_rows
from models import LEVEL_LABELS

RESPONSE_LEVELS = {"yellow": "Ⅲ级", "orange": "Ⅱ级", "red": "Ⅰ级"}
WITHHELD_CELL = "措施复核中，暂不下达（另行通知）"


@dataclass(frozen=True)
class OrderItem:
    """One line of an order, ready to print."""

    line_name: str
    process_stage: str
    facilities: str
    measure_label: str
    text: str
    indicators: str
    # Where a rule imposed another measure than the one entered: what was entered, and why.
    entered_label: str = ""
    reason: str = ""
    commitment: str = ""


@dataclass(frozen=True)
class Order:
    """The order for one enterprise at one alert level."""

    level: str
    enterprise_id: int
    enterprise_name: str
    credit_code: str
    county_name: str
    industry: str
    grade_label: str
    items: tuple
    # Chinese reasons the order is not issued (lines with errors); empty for an order that may be printed.
    withheld: tuple = ()

    @property
    def level_label(self):
        return LEVEL_LABELS[self.level]

    @property
    def response_level(self):
        return RESPONSE_LEVELS[self.level]

    @property
    def title(self):
        return f"晋城市重污染天气{self.level_label}预警停限产通知单"


def is_stop_or_limit(row):
    return row.measure.is_stop_or_limit


def has_errors(rows):
    return any(row.measure.is_error for row in rows)


def item_for(row):
    """The printable item of one list row (never called for a row with an error)."""
    m = row.measure
    text = m.text if m.text and m.text not in (m.label, m.full_label) else ""
    return OrderItem(row.line_name, row.process_stage, row.facilities, m.full_label, text, m.indicators,
                     m.entered_label if m.imposed else "", m.reason if m.explains else "", m.commitment)


def withheld_reasons(rows):
    """Why an order of these rows may not be issued: each line with an error and its problem."""
    return tuple(f"{row.line_name}：{row.measure.problem}" for row in rows if row.measure.is_error)


def order_from_rows(level, enterprise, rows):
    """Compose an order from an enterprise and its list rows at ``level``; withheld while any row has an error."""
    withheld = withheld_reasons(rows)
    return Order(level=level, enterprise_id=enterprise.id, enterprise_name=enterprise.name,
                 credit_code=enterprise.credit_code, county_name=enterprise.county.name,
                 industry=enterprise.industry.display_name, grade_label=enterprise.grade_label,
                 items=() if withheld else tuple(item_for(r) for r in rows), withheld=withheld)


def build_order(enterprise, level):
    """The order for one enterprise, computed with the same rules as the list."""
    return order_from_rows(level, enterprise, enterprise_rows(enterprise, level))


def order_text(rows):
    """The order as one multi-line cell: "1. 1#生产线（回转窑）：停产。… 核查指标：用电量" (rows without errors)."""
    parts = []
    for number, row in enumerate(rows, start=1):
        item = item_for(row)
        where = f"（{item.facilities}）" if item.facilities else ""
        part = f"{number}. {item.line_name}{where}：{item.measure_label}"
        if item.text:
            part += f"。{item.text}"
        if item.indicators:
            part += f"。核查指标：{item.indicators}"
        parts.append(part)
    return "\n".join(parts)
