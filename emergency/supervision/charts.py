"""The board's small charts: each judged day's use as a bar against the baseline and the ceiling, laid out here as
plain numbers and drawn as inline SVG by a macro (no script, no library)."""
from dataclasses import dataclass

WIDTH, HEIGHT, PAD, GAP = 160, 44, 2, 2
STATUS_CSS = {"obeyed": "use-obeyed", "suspect": "use-suspect", "no_data": "use-missing", "not_judged": "use-plain"}


@dataclass(frozen=True)
class UseBar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class UseChart:
    width: int
    height: int
    bars: tuple
    baseline_y: float | None
    ceiling_y: float | None
    title: str


def use_chart(judgement):
    """The chart of one firm's Judgement: bars scaled so the baseline and the tallest bar both fit."""
    days, baseline = judgement.days, judgement.baseline
    top = max([d.kwh or 0.0 for d in days] + [baseline.mean if baseline else 0.0]) or 1.0
    scale = (HEIGHT - 2 * PAD) / top
    width = (WIDTH - 2 * PAD - GAP * max(len(days) - 1, 0)) / max(len(days), 1)
    bars = []
    for n, day in enumerate(days):
        height = (day.kwh or 0.0) * scale
        ratio = f"，为基准的{day.ratio:.0%}" if day.ratio is not None else ""
        use = f"{day.kwh:,.0f} kWh" if day.kwh is not None else "无数据"
        bars.append(UseBar(round(PAD + n * (width + GAP), 2), round(HEIGHT - PAD - height, 2), round(width, 2),
                           round(height, 2), STATUS_CSS[day.status], f"{day.day:%m月%d日}：{use}{ratio}"))
    baseline_y = round(HEIGHT - PAD - baseline.mean * scale, 2) if baseline else None
    share = judgement.share
    ceiling_y = round(HEIGHT - PAD - baseline.mean * share * scale, 2) if baseline and share is not None else None
    title = "每日用电量（柱）与基准（实线）、上限（虚线）"
    return UseChart(WIDTH, HEIGHT, tuple(bars), baseline_y, ceiling_y, title)
