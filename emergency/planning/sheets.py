"""A target-solver proposal as text lines (the CLI) and as a workbook (through emergency/spreadsheets)."""
from emergency.spreadsheets.writer import write_table_workbook
from models import LEVEL_LABELS, POLLUTANT_LABELS, POLLUTANTS

CHANGE_HEADERS = ("县（市、区）", "企业名称", "行业类别", "绩效等级", "生产线", "现措施", "调整为",
                  *(f"新增{POLLUTANT_LABELS[p]}减排量(吨/日)" for p in POLLUTANTS), "损失产值", "产值依据",
                  "调整原因")
TOTAL_HEADERS = ("县（市、区）", "污染物", "调整前减排量(吨/日)", "调整后减排量(吨/日)", "目标(吨/日)", "调整前",
                 "调整后")


def _round(value):
    return None if value is None else round(value, 6)


def change_rows(proposal):
    return [(c.county_name, c.enterprise_name, c.industry, c.grade_label, c.line_name, c.before, c.after,
             *(_round(c.added[p]) for p in POLLUTANTS), _round(c.cost), c.basis_label, c.reason)
            for c in proposal.changes]


def total_rows(proposal):
    return [(t.name, POLLUTANT_LABELS[p], _round(before), _round(after), _round(target), status_before, status_after)
            for t in proposal.totals for p, before, after, target, status_before, status_after in t.rows]


def scope_name(proposal):
    return proposal.county.name if proposal.county else "全市"


def write_proposal(fh, proposal):
    """Write sheets 调整方案 and 减排量对比."""
    title = f"{LEVEL_LABELS[proposal.level]}预警减排测算方案（{scope_name(proposal)}）"
    write_table_workbook(fh, [
        ("调整方案", CHANGE_HEADERS, [12, 30, 16, 8, 14, 30, 30, 12, 12, 12, 12, 12, 16, 24], title,
         change_rows(proposal)),
        ("减排量对比", TOTAL_HEADERS, [14, 10, 16, 16, 14, 10, 10], f"{title}：调整前后减排量与目标",
         total_rows(proposal)),
    ])


def summary_lines(proposal):
    """The proposal as the CLI prints it."""
    lines = [f"{LEVEL_LABELS[proposal.level]}预警减排测算方案（{scope_name(proposal)}）："
             f"调整 {len(proposal.changes)} 条生产线，损失产值合计 {proposal.cost:.4g} {proposal.cost_unit}"]
    if proposal.status_note:
        lines.append(f"注意：{proposal.status_note}")
    for c in proposal.changes:
        lines.append(f"  {c.county_name} {c.enterprise_name} {c.line_name}：{c.before} → {c.after}"
                     f"（损失产值 {c.cost:.4g}）")
    for t in proposal.totals:
        for p, before, after, target, _, status in t.rows:
            target_text = "—" if target is None else f"{target:.4f}"
            lines.append(f"  {t.name} {POLLUTANT_LABELS[p]}：{before:.4f} → {after:.4f} 吨/日，目标 {target_text}，"
                         f"{status}")
    for name, p, amount in proposal.unreachable:
        lines.append(f"无法补足：{name} {POLLUTANT_LABELS[p]} 仍差 {amount:.4f} 吨/日")
    if proposal.equal_weight:
        lines.append("说明：本范围内企业均未填报年产值，损失产值按每条生产线等权计算（生产线当量）。")
    elif proposal.fallback_lines:
        lines.append(f"说明：{proposal.fallback_lines} 条生产线所属企业未填报年产值，按行业（或全部企业）中位数估算。")
    return lines
