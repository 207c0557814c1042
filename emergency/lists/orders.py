"""The stop/limit order (停限产通知单): its per-line items and the one-cell text used in exports."""
from dataclasses import dataclass

from emergency.lists.listing import enterprise_rows
from emergency.registry.measures import LIMIT, STOP
from models import LEVEL_LABELS

RESPONSE_LEVELS = {"yellow": "Ⅲ级", "orange": "Ⅱ级", "red": "Ⅰ级"}


@dataclass(frozen=True)
class OrderItem:
    """One line of an order, ready to print."""

    line_name: str
    process_stage: str
    facilities: str
    measure_label: str
    text: str
    indicators: str
    problem: str


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
    return row.measure.action in (STOP, LIMIT)


def item_for(row):
    """The printable item of one list row."""
    m = row.measure
    text = m.text if m.text and m.text != m.label else ""
    return OrderItem(row.line_name, row.process_stage, row.facilities, m.label, text, m.indicators, m.problem)


def order_from_rows(level, enterprise, rows):
    """Compose an order from an enterprise and its list rows at ``level``."""
    return Order(level=level, enterprise_id=enterprise.id, enterprise_name=enterprise.name,
                 credit_code=enterprise.credit_code, county_name=enterprise.county.name,
                 industry=enterprise.industry.display_name, grade_label=enterprise.grade_label,
                 items=tuple(item_for(r) for r in rows))


def build_order(enterprise, level):
    """The order for one enterprise, computed with the same rules as the list."""
    rows = enterprise_rows(enterprise, level)
    return order_from_rows(level, enterprise, rows)


def order_text(rows):
    """The order as one multi-line cell: "1. 1#生产线（回转窑）：停产。停产；… 核查指标：用电量"."""
    parts = []
    for number, row in enumerate(rows, start=1):
        item = item_for(row)
        where = f"（{item.facilities}）" if item.facilities else ""
        part = f"{number}. {item.line_name}{where}：{item.measure_label}"
        if item.text:
            part += f"。{item.text}"
        if item.indicators:
            part += f"。核查指标：{item.indicators}"
        if item.problem:
            part += f"【错误：{item.problem}】"
        parts.append(part)
    return "\n".join(parts)
