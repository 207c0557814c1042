"""The 问题线索清单 for inspectors: the board's suspect and no-data firms as a printable workbook."""
from emergency.clock import to_local
from emergency.spreadsheets.writer import write_table_workbook
from emergency.supervision.judgement import NO_DATA, SUSPECT
from models import LEVEL_LABELS

HEADERS = ("序号", "县（市、区）", "企业名称", "统一社会信用代码", "行业", "绩效等级", "预警措施", "研判结果",
           "最高用电比值", "用电基准（kWh/日）", "基准来源", "超出上限电量（kWh）", "逐日用电（kWh）", "正面清单",
           "现场检查次数")
WIDTHS = (6, 12, 30, 22, 16, 10, 16, 12, 12, 14, 24, 14, 40, 10, 10)


def clue_rows(board):
    """The rows: every suspect firm (ranked), then every firm without data."""
    rows = []
    for firm in board.firms:
        judgement = firm.judgement
        if judgement.status not in (SUSPECT, NO_DATA):
            continue
        baseline = judgement.baseline
        days = "；".join(f"{d.day:%m-%d} {d.kwh:,.0f}" if d.kwh is not None else f"{d.day:%m-%d} 无数据"
                        for d in judgement.days)
        rows.append((len(rows) + 1, firm.county_name, firm.name, firm.credit_code, firm.industry, firm.grade_label,
                     firm.measure_label, judgement.status_label,
                     round(judgement.peak_ratio, 3) if judgement.peak_ratio is not None else "—",
                     round(baseline.mean, 1) if baseline else "—", baseline.label(board.window) if baseline else "无",
                     round(judgement.excess, 1), days or "—", "是" if firm.positive else "", firm.inspections))
    return rows


def clues_title(board):
    alert = board.alert
    return (f"{to_local(alert.started_at):%Y年%m月%d日}启动的{LEVEL_LABELS[alert.level]}预警："
            "用电监管问题线索清单（研判标准为暂定值）")


def write_clues(fh, board):
    """Write the workbook; return the number of firms in it."""
    rows = clue_rows(board)
    write_table_workbook(fh, [("问题线索清单", HEADERS, WIDTHS, clues_title(board), rows)])
    return len(rows)


def clues_filename(board):
    return f"问题线索清单_{to_local(board.alert.started_at):%Y%m%d}_{LEVEL_LABELS[board.alert.level]}预警.xlsx"
