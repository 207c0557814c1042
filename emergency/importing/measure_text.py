"""Measures written in words, as county files write them: 措施类型 and 减排措施 cells, and 运输管控 cells.

The phrases are data (``seed/data/measure_synonyms.csv``). A row maps a phrase either to a measure type, with
an optional fixed parameter, or to a road-transport rule. ``exact`` rows match the whole cell; ``percent`` rows
match a phrase in a text that also holds a percentage; ``contains`` rows match a phrase anywhere. The first
type row that matches, in file order, gives the type. The strongest transport phrase found gives the transport
rule. The labels and codes of the ``measure_type`` table and the transport labels are exact phrases as well,
so whatever the registry export writes reads back.
"""
import re
from functools import lru_cache
from typing import NamedTuple

from emergency.importing.values import cell_text, is_blank, key
from emergency.registry.measures import (
    CAP,
    FRACTION,
    HOURS,
    PCT,
    STOP,
    TRANSPORT_LABELS,
    TRANSPORT_RANK,
    MeasureTypes,
)
from seed.load import read_csv

EXACT, PERCENT_MATCH, CONTAINS = "exact", "percent", "contains"
PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")
# "削减20%" said of a capped load (以热定产) is the cut, not the cap: the cap is then 80%.
CUT_PERCENT = re.compile(r"(?:削减|减少|降低|压减)(?:约)?(\d+(?:\.\d+)?)%")
HOURS_TEXT = re.compile(r"(\d+(?:\.\d+)?)(?:个)?(?:小时|H)")
TRAILING = "。.;；，,"


class Phrase(NamedTuple):
    action: str = ""            # a measure type code, or "" for a transport phrase
    param: float | None = None  # a fixed parameter, in the unit of the type's column (% for 限产)
    transport: str = ""         # a transport rule code, or ""


class SaidMeasure(NamedTuple):
    """A measure as words say it: its type (None when the words name only a transport rule), the parameter the
    words give (in the type's own column, the others None) and the transport rule they name (None: none named)."""

    action: str | None
    limit_pct: float | None = None
    other_fraction: float | None = None
    hours: float | None = None
    cap_pct: float | None = None
    transport: str | None = None

    def param(self, name):
        return getattr(self, name)


@lru_cache(maxsize=1)
def phrases():
    """(exact {key: Phrase}, [(match, key, Phrase)] in file order) from measure_synonyms.csv."""
    exact, ordered = {}, []
    for row in read_csv("measure_synonyms.csv"):
        param = (row.get("param") or "").strip()
        phrase = Phrase(row["action"].strip(), float(param) if param else None, row["transport"].strip())
        if row["match"] == EXACT:
            exact[key(row["phrase"])] = phrase
        else:
            ordered.append((row["match"], key(row["phrase"]), phrase))
    return exact, tuple(ordered)


class MeasureReader:
    """Reads measure and transport cells against the measure types of the database (or of the seed)."""

    def __init__(self, types):
        self.types = types
        exact, self.ordered = phrases()
        self.exact = {**{key(label): Phrase(transport=code) for code, label in TRANSPORT_LABELS.items()}, **exact}
        for kind in types.by_code.values():
            self.exact[key(kind.label)] = self.exact[key(kind.code)] = Phrase(kind.code)
        # A large file repeats a few measure texts over thousands of lines; what a cell says depends on it alone.
        self.measure = lru_cache(maxsize=1 << 12, typed=True)(self.measure)
        self.transport = lru_cache(maxsize=1 << 12, typed=True)(self.transport)

    def measure(self, value):
        """The SaidMeasure a 措施类型 or 减排措施 cell says, or None when it says no measure.

        Words naming only a transport rule (国四禁运) give a SaidMeasure without a type.
        """
        if is_blank(value):
            return None
        text = key(cell_text(value))
        exact = self._exact(text)
        if exact is not None and exact.action:
            return self._said(text, exact, None)
        found, transport = None, exact.transport if exact is not None else None
        has_percent = PERCENT.search(text) is not None
        for match, phrase, row in self.ordered:
            if phrase not in text or (match == PERCENT_MATCH and not has_percent):
                continue
            if row.action and found is None:
                found = row
            if row.transport:
                transport = _stronger(transport, row.transport)
        if found is None:
            return None if transport is None else SaidMeasure(None, transport=transport)
        return self._said(text, found, transport)

    def transport(self, value):
        """The transport rule a 运输管控 cell names ("无" is none), or None when it names none."""
        text = key(cell_text(value))
        exact = self._exact(text) if text else None
        if exact is not None:
            return exact.transport or None
        found = None
        for _, phrase, row in self.ordered:
            if row.transport and phrase in text:
                found = _stronger(found, row.transport)
        return found

    def _exact(self, text):
        return self.exact.get(text) or self.exact.get(text.rstrip(TRAILING))

    def _said(self, text, phrase, transport):
        kind = self.types[phrase.action]
        value = phrase.param if phrase.param is not None else _param(kind.param, text)
        if kind.param == PCT and value is not None and value >= 100:
            return SaidMeasure(STOP, transport=transport)     # 限产100%, 停产100%: a full stop
        params = {kind.param_field: value} if kind.param_field else {}
        return SaidMeasure(phrase.action, transport=transport, **params)


def _stronger(current, other):
    return other if current is None or TRANSPORT_RANK[other] > TRANSPORT_RANK[current] else current


def _number(pattern, text):
    found = pattern.search(text)
    return float(found.group(1)) if found else None


def _param(kind, text):
    """The parameter of a type of parameter ``kind`` that ``text`` gives, or None."""
    if kind == HOURS:
        return _number(HOURS_TEXT, text)
    pct = _number(PERCENT, text)
    if kind == CAP:
        cut = _number(CUT_PERCENT, text)
        return 100 - cut if cut is not None else pct
    if kind == FRACTION:
        return None if pct is None else pct / 100
    return pct if kind == PCT else None


@lru_cache(maxsize=1)
def _seeded_reader():
    return MeasureReader(MeasureTypes.seeded())


def parse_measure_text(value, types=None):
    """Read a measure written in words: a SaidMeasure, or None when the words say no measure.

    停产 → stop; 停产保窑 → hot_standby; 停产50%，以生产线计 / 停产50% → line_share 50; 限产30% → limit 30;
    延长结焦时间至36小时 → coking_time 36; 以热定产，负荷不超过70% → heat_led cap 70; 以量定产 → order_led;
    其他，削减10% → other 0.1; 国四 / 停止公路运输 in the words → transport no_g4 / no_road.
    :param types: the MeasureTypes to read labels of (the seeded types when None).
    """
    return (MeasureReader(types) if types is not None else _seeded_reader()).measure(value)
