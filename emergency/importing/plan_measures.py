"""One alert level's measure cells of an imported line, turned into the measure to store.

The type comes from the 措施类型 cell, else from the 减排措施 text, else from the stored measure. Its parameter
comes from its own column (限产/停产比例, 延长后结焦时间, 负荷上限, 其他措施削减比例), else from the words, else
from the stored measure of the same type. The transport rule comes from the 运输管控 column, else from the words
when they name one, else from the stored measure (none for a new one). Then ``measures.validate_parts``, the web
form's own check, decides. See README, "Importing".
"""
from emergency.importing.measure_text import MeasureReader, SaidMeasure
from emergency.importing.values import cell_text, is_blank, parse_fraction, parse_number, parse_percent
from emergency.registry.measures import (
    NO_TRANSPORT_RULE,
    NONE,
    PARAM_FIELDS,
    TRANSPORT_LABELS,
    TRANSPORTS,
    validate_parts,
)

# Each parameter column and how its cells read: a percentage ("30%", 30 or a cell formatted as % holding 0.3),
# hours, or a fraction (0.1 or "10%").
PARAM_PARSERS = {"limit_pct": parse_percent, "hours": parse_number, "cap_pct": parse_percent,
                 "other_fraction": parse_fraction}

UNREADABLE_TEXT = ("无法识别的减排措施：应写明停产、停产保温、停产X%（以生产线计）、限产X%、延长结焦时间至N小时、"
                   "以热定产或以量定产（负荷不超过X%）、自主减排、不停限产或“其他”措施（并填写削减比例）")


class MeasureCells:
    """Reads measure cells for ``plan.Planner``; problems go to the line's row in ``report``."""

    def __init__(self, types, report):
        self.types, self.report = types, report
        self.reader = MeasureReader(types)

    def values(self, line, level, cells, stored):
        """The measure's column values, or None when the level has no value or its cells have problems."""
        if not cells or all(is_blank(v) for v in cells.values()):
            return None
        before = len(self.report.problems)
        said, source = self._said(line, level, cells, stored)
        if said is None:
            return None
        values = {name: None for name in PARAM_FIELDS.values()}
        values["action"] = said.action
        params, unreadable = {}, set()
        for name in PARAM_FIELDS.values():
            params[name] = self._param(line, level, cells, name, unreadable)
        field = self.types[said.action].param_field
        if field:
            values[field] = next((v for v in (params[field], said.param(field)) if v is not None), None)
            if values[field] is None and stored is not None and stored["action"] == said.action:
                values[field] = stored[field]
        values["transport"] = self._transport(line, level, cells, said, stored)
        for part in ("text", "indicators"):
            values[part] = cell_text(cells[part]) if part in cells else (stored[part] if stored else "")
        for part, message in validate_parts(values, self.types).items():
            if part not in unreadable:      # already reported: 不是有效的数字
                line.problem(self.report, f"{level}_{part if part in cells else source or 'action'}", message)
        return values if len(self.report.problems) == before else None

    def _said(self, line, level, cells, stored):
        """(SaidMeasure, source column) from the 措施类型 cell, else the 减排措施 text, else the stored measure;
        (None, None) after reporting words that say no measure, or a new measure without a type."""
        said, source = None, None
        for part in ("action", "text"):
            if not is_blank(cells.get(part)):
                said, source = self.reader.measure(cells[part]), part
                if said is not None:
                    break
                if part == "action":
                    labels = "、".join(self.types.labels.values())
                    line.problem(self.report, f"{level}_action", f"无法识别的措施类型，应为：{labels}")
                    return None, None
        if said is None and source == "text":
            line.problem(self.report, f"{level}_text", UNREADABLE_TEXT)
            return None, None
        if said is None and stored is None:
            line.problem(self.report, f"{level}_action", "未填写措施类型")
            return None, None
        if said is None:
            return self._stored(stored), None
        if said.action is None:
            said = said._replace(action=NONE)     # words naming only a transport rule: 不停限产 with that rule
        if source == "action" and not is_blank(cells.get("text")) and self._leaves_to_words(said, cells):
            said = self._completed(said, self.reader.measure(cells["text"]))
        return said, source

    def _leaves_to_words(self, said, cells):
        """Whether the 措施类型 cell and the parameter and 运输管控 columns leave something for the text to say
        (the registry export's rows leave nothing: their texts are not read, which keeps large imports fast)."""
        field = self.types[said.action].param_field
        return bool(field and said.param(field) is None and is_blank(cells.get(field))) or (
            said.transport is None and is_blank(cells.get("transport")))

    @staticmethod
    def _stored(stored):
        return SaidMeasure(stored["action"], **{name: stored[name] for name in PARAM_FIELDS.values()})

    def _completed(self, said, text_said):
        """The 措施类型 cell's measure, with the parameter and transport rule the text gives where it gives none
        (措施类型 限产 with the text 限产30%，国四禁运)."""
        if text_said is None:
            return said
        field = self.types[said.action].param_field
        changes = {}
        if field and said.param(field) is None and text_said.param(field) is not None:
            changes[field] = text_said.param(field)
        if said.transport is None and text_said.transport is not None:
            changes["transport"] = text_said.transport
        return said._replace(**changes)

    def _param(self, line, level, cells, name, unreadable):
        if is_blank(cells.get(name)):
            return None
        number, message = PARAM_PARSERS[name](cells[name])
        if message:
            line.problem(self.report, f"{level}_{name}", message)
            unreadable.add(name)
        return number

    def _transport(self, line, level, cells, said, stored):
        value = cells.get("transport")
        if cell_text(value):
            found = self.reader.transport(value)
            if found is not None:
                return found
            if not is_blank(value):
                labels = "、".join(TRANSPORT_LABELS[code] for code in TRANSPORTS)
                line.problem(self.report, f"{level}_transport", f"无法识别的运输管控，应为：{labels}")
                return NO_TRANSPORT_RULE
        if said.transport is not None:
            return said.transport
        return stored["transport"] if stored else NO_TRANSPORT_RULE
