"""The order of one firm at one level: its per-line items, its kind, and the one-cell text used in exports.

Only a firm with a line that must stop or limit (``EffectiveMeasure.is_stop_or_limit``) gets a 停限产通知单; any
other firm on the list (A/引领性 自主减排, 民生, 保障类 under a load cap, a firm with no stop or limit line) gets a
告知书 that states what it must do instead, and never tells it to wait for the alert's end to resume production.

An order never carries a known error: while any of a firm's lines has an error at the level, its order is
withheld (``Order.withheld`` says why) and the exports leave the firm out of their 停限产企业 sheet.
"""
from dataclasses import dataclass

from emergency.lists.listing import enterprise_rows
from emergency.lists.rules import Guaranteed, Livelihood, SelfManagedGrade
from models import LEVEL_LABELS
from models.notice import NOTICE_KINDS

RESPONSE_LEVELS = {"yellow": "Ⅲ级", "orange": "Ⅱ级", "red": "Ⅰ级"}
WITHHELD_CELL = "措施复核中，暂不下达（另行通知）"
STOP_ORDER, NOTICE = NOTICE_KINDS
KIND_LABELS = {STOP_ORDER: "停限产通知单", NOTICE: "告知书"}
# What a 告知书 says, by the rule that decided the firm's lines (the measures themselves are in its table).
SELF_MANAGED = ("你单位绩效等级为“{grade}”，预警期间不列入停限产范围，鼓励结合实际自主采取减排措施"
                "{commitment}。")
COMMITTED = "，并落实你单位的自主减排承诺（见上表“企业承诺”）"
LIVELIHOOD = "你单位列入民生类清单，预警期间不停产、不限产。"
GUARANTEED = ("你单位列入保障类清单，预警期间仅可承担保障任务（见上表“依据”），生产负荷不得超过上表所列上限"
              "（{caps}）；超出保障任务组织生产的，移出保障类清单。")
NO_STOP = "你单位预警期间不列入停限产范围，须落实上表所列措施（含运输管控要求）。"
EVERY_NOTICE = "预警期间须确保污染治理设施正常运行、稳定达标排放，并保存生产、用电、用气等台账，接受核查。"


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
    # The rule's reason, whether or not the order shows it next to the measure (a 告知书 states it as 依据).
    basis: str = ""

    def details(self, with_basis=False):
        """The lines of the 具体要求 cell: the measure's text, what was entered or why, the commitment."""
        lines = [self.text] if self.text else []
        if self.entered_label:
            lines.append(f"（填报：{self.entered_label}；{self.reason}）")
        elif self.reason:
            lines.append(f"（{self.reason}）")
        elif with_basis and self.basis:
            lines.append(f"依据：{self.basis}")
        if self.commitment:
            lines.append(f"企业承诺：{self.commitment}")
        return lines


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
    kind: str = STOP_ORDER
    # For a 告知书: the sentences stating the firm's actual obligation.
    statements: tuple = ()

    @property
    def level_label(self):
        return LEVEL_LABELS[self.level]

    @property
    def response_level(self):
        return RESPONSE_LEVELS[self.level]

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def is_stop_order(self):
        return self.kind == STOP_ORDER

    @property
    def title(self):
        if self.is_stop_order:
            return f"晋城市重污染天气{self.level_label}预警停限产通知单"
        return f"晋城市重污染天气{self.level_label}预警应急减排告知书"


def is_stop_or_limit(row):
    return row.measure.is_stop_or_limit


def notice_kind(rows):
    """停限产通知单 when any line must stop or limit, else 告知书."""
    return STOP_ORDER if any(is_stop_or_limit(row) for row in rows) else NOTICE


def statements(kind, grade_label, rows):
    """What a 告知书 states about the firm's obligation, by the rules that decided its lines; () for an order."""
    if kind == STOP_ORDER:
        return ()
    rules = {row.measure.rule for row in rows}
    found = []
    if SelfManagedGrade.name in rules:
        committed = COMMITTED if any(row.measure.commitment for row in rows) else ""
        found.append(SELF_MANAGED.format(grade=grade_label, commitment=committed))
    if Livelihood.name in rules:
        found.append(LIVELIHOOD)
    if Guaranteed.name in rules:
        caps = dict.fromkeys(row.measure.label for row in rows if row.measure.rule == Guaranteed.name)
        found.append(GUARANTEED.format(caps="、".join(caps)))
    return tuple(found or [NO_STOP]) + (EVERY_NOTICE,)


def has_errors(rows):
    return any(row.measure.is_error for row in rows)


def item_for(row):
    """The printable item of one list row (never called for a row with an error)."""
    m = row.measure
    text = m.text if m.text and m.text not in (m.label, m.full_label) else ""
    return OrderItem(row.line_name, row.process_stage, row.facilities, m.full_label, text, m.indicators,
                     m.entered_label if m.imposed else "", m.reason if m.explains else "", m.commitment, m.reason)


def withheld_reasons(rows):
    """Why an order of these rows may not be issued: each line with an error and its problem."""
    return tuple(f"{row.line_name}：{row.measure.problem}" for row in rows if row.measure.is_error)


def order_from_rows(level, rows, enterprise=None):
    """Compose the order of one firm from its list rows at ``level``; withheld while any row has an error.

    The firm's name, code, county, industry and grade are the rows' (as listed, or as published); the ORM
    ``enterprise`` stands in only when it has no rows.
    """
    rows = list(rows)
    first = rows[0] if rows else None
    withheld = withheld_reasons(rows)
    grade_label = first.grade_label if first else enterprise.grade_label
    kind = notice_kind(rows)
    return Order(level=level, enterprise_id=first.enterprise_id if first else enterprise.id,
                 enterprise_name=first.enterprise_name if first else enterprise.name,
                 credit_code=first.credit_code if first else enterprise.credit_code,
                 county_name=first.county_name if first else enterprise.county.name,
                 industry=first.industry if first else enterprise.industry.display_name,
                 grade_label=grade_label, items=() if withheld else tuple(item_for(r) for r in rows),
                 withheld=withheld, kind=kind, statements=() if withheld else statements(kind, grade_label, rows))


def build_order(enterprise, level):
    """The order for one enterprise, computed with the same rules as the list."""
    return order_from_rows(level, enterprise_rows(enterprise, level), enterprise)


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
