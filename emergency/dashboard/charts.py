"""The dashboard's bar charts: laid out on the server as plain numbers, drawn as inline SVG by a macro."""
from dataclasses import dataclass

from models import POLLUTANT_LABELS, POLLUTANTS

# Chart geometry (SVG user units): label column, plot width, room for the value text, bar and gaps.
LABEL_WIDTH, PLOT_WIDTH, TEXT_WIDTH, BAR_HEIGHT, BAR_GAP, GROUP_GAP, TOP = 96, 300, 130, 14, 3, 10, 6


@dataclass(frozen=True)
class Bar:
    """One bar with its position and its printed value."""

    series: str
    x: float
    y: float
    width: float
    height: float
    css: str
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarGroup:
    """A labelled group of bars (e.g. one pollutant: its reduction and its target)."""

    label: str
    label_y: float
    bars: tuple


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart, drawn as inline SVG from these numbers."""

    title: str
    groups: tuple
    width: float
    height: float
    axis_x: float = LABEL_WIDTH
    legend: tuple = ()


def bar_chart(title, groups, fmt, legend=()):
    """Lay out ``groups`` [(label, [(series, value or None, css)])] as bars scaled to the largest value."""
    values = [v for _, series in groups for _, v, _ in series if v]
    largest = max(values) if values else 1.0
    laid_out, y = [], TOP
    for label, series in groups:
        top, bars = y, []
        for name, value, css in series:
            width = PLOT_WIDTH * (value or 0.0) / largest
            bars.append(Bar(name, LABEL_WIDTH, y, round(width, 2), BAR_HEIGHT, css,
                            fmt(value) if value is not None else "—", round(LABEL_WIDTH + width + 4, 2),
                            y + BAR_HEIGHT - 3))
            y += BAR_HEIGHT + BAR_GAP
        laid_out.append(BarGroup(label, (top + y - BAR_GAP) / 2 + 4, tuple(bars)))
        y += GROUP_GAP
    return BarChart(title, tuple(laid_out), LABEL_WIDTH + PLOT_WIDTH + TEXT_WIDTH, max(y, TOP * 2),
                    legend=tuple(legend))


def _tpd(value):
    return f"{value:.3f} 吨/日"


def level_chart(level_label, totals):
    """Reduction against target for each pollutant of one level's totals."""
    groups = []
    for p in POLLUTANTS:
        check = totals.checks[p]
        state = "unknown" if check.met is None else ("met" if check.met else "unmet")
        groups.append((POLLUTANT_LABELS[p], [("减排量", check.reduction, f"bar-reduction {state}"),
                                             ("目标", check.target, "bar-target")]))
    legend = (("bar-reduction met", "减排量（达标）"), ("bar-reduction unmet", "减排量（未达标）"),
              ("bar-target", "目标减排量"))
    return bar_chart(f"{level_label}预警：各污染物减排量与目标", groups, _tpd, legend)


def count_chart(title, rows):
    return bar_chart(title, [(label, [("企业数", n, "bar-count")]) for label, n in rows], lambda n: f"{n:g} 家")
