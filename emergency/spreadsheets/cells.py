"""Cell texts shared by the list sheets: the 减排措施 cell and amounts with their units."""
from emergency.lists.orders import WITHHELD_CELL


def measure_cell(measure):
    """The 减排措施 cell: the measure (with its transport rule), its text and verification indicators.

    A line with an error carries no measure: it is under review and its firm gets no order until it is fixed.
    Where a rule imposed a measure, the entered one and the rule's reason follow it.
    """
    if measure.is_error:
        return WITHHELD_CELL
    parts = [measure.full_label]
    if measure.text and measure.text not in (measure.label, measure.full_label):
        parts.append(measure.text)
    text = "。".join(parts)
    if measure.imposed:
        text += f"（填报：{measure.entered_label}；{measure.reason}）"
    elif measure.explains:
        text += f"（{measure.reason}）"
    if measure.commitment:
        text += f"（企业承诺：{measure.commitment}）"
    if measure.indicators:
        text += f"（核查指标：{measure.indicators}）"
    return text


def amount_cell(value, unit):
    """An amount with its unit, e.g. "120万吨/年"; blank when there is no amount."""
    if value is None:
        return None
    return f"{value:g}{unit or ''}"
