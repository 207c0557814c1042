"""The measure vocabulary: actions, their strength order and their cut fraction."""
from dataclasses import dataclass

from models.line import ACTIONS, LIMIT, NONE, OTHER, SELF, STOP  # defined beside the CHECKs that hold them

ACTION_LABELS = {STOP: "停产", LIMIT: "限产", OTHER: "其他", SELF: "自主减排", NONE: "不停限产"}
# Strength order from the list rules: 停产 > 限产 (higher % stronger) > 其他 > 自主减排 > 不停限产.
ACTION_RANK = {STOP: 4, LIMIT: 3, OTHER: 2, SELF: 1, NONE: 0}


@dataclass(frozen=True)
class Measure:
    """A plain measure value: what the rules compare and the accounting multiplies."""

    action: str
    limit_pct: float | None = None
    other_fraction: float | None = None
    text: str = ""
    indicators: str = ""

    @classmethod
    def of(cls, row):
        """Build from any object with action/limit_pct/other_fraction/text attributes (a measure or floor)."""
        return cls(
            action=row.action,
            limit_pct=row.limit_pct,
            other_fraction=row.other_fraction,
            text=getattr(row, "text", "") or "",
            indicators=getattr(row, "indicators", "") or "",
        )

    @property
    def cut_fraction(self):
        return cut_fraction(self.action, self.limit_pct, self.other_fraction)

    @property
    def strength(self):
        """A sortable strength key: rank first, then the cut within the rank."""
        return (ACTION_RANK[self.action], self.cut_fraction)

    @property
    def label(self):
        return describe(self.action, self.limit_pct, self.other_fraction)


def cut_fraction(action, limit_pct=None, other_fraction=None):
    """停产 = 1, 限产 X% = X/100, 其他 = its stated fraction, everything else 0."""
    if action == STOP:
        return 1.0
    if action == LIMIT:
        return (limit_pct or 0.0) / 100.0
    if action == OTHER:
        return other_fraction or 0.0
    return 0.0


def describe(action, limit_pct=None, other_fraction=None):
    """A short Chinese label such as 停产, 限产30%, 其他（削减10%）."""
    label = ACTION_LABELS.get(action, action)
    if action == LIMIT and limit_pct is not None:
        return f"{label}{limit_pct:g}%"
    if action == OTHER and other_fraction:
        return f"{label}（削减{other_fraction * 100:g}%）"
    return label


def validate_parts(action, limit_pct, other_fraction):
    """Return {field: Chinese message} for an inconsistent action/percentage/fraction triple."""
    errors = {}
    if action not in ACTIONS:
        errors["action"] = "请选择措施类型"
    elif action == LIMIT:
        if limit_pct is None:
            errors["limit_pct"] = "限产须填写限产比例（%）"
        elif not 0 < limit_pct < 100:
            errors["limit_pct"] = "限产比例应大于0且小于100（100%请选择停产）"
    elif action == OTHER:
        if other_fraction is None:
            errors["other_fraction"] = "“其他”措施须填写削减比例（0–1）"
        elif not 0 <= other_fraction <= 1:
            errors["other_fraction"] = "削减比例应在0到1之间"
    return errors
