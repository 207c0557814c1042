"""The stored registry rows an import compares against, loaded for a chunk of credit codes in a few queries."""
from sqlalchemy import select

from emergency.registry.operations import LINE_FIELDS, MEASURE_FIELDS
from models import Enterprise, LineMeasure, ProductionLine, db

CHUNK = 500


class Existing:
    """Stored enterprises, lines and measures for some of the file's credit codes, loaded in a few queries.

    Lines and measures are kept as tuples (a 100,000-line registry as dicts costs hundreds of MB) and
    handed out as dicts one at a time. The planner loads one per chunk of enterprises, so memory stays flat.
    """

    LINE_KEYS = ("id",) + LINE_FIELDS + ("version",)
    MEASURE_KEYS = ("id",) + MEASURE_FIELDS

    def __init__(self, codes):
        self.enterprises, self._lines, self._measures = {}, {}, {}
        codes = sorted(codes)
        for start in range(0, len(codes), CHUNK):
            stmt = select(Enterprise.__table__).where(Enterprise.credit_code.in_(codes[start:start + CHUNK]))
            for row in db.session.execute(stmt).mappings():
                self.enterprises[row["credit_code"]] = dict(row)
        ids = sorted(e["id"] for e in self.enterprises.values())
        line_columns = [getattr(ProductionLine, k) for k in self.LINE_KEYS]
        measure_columns = [getattr(LineMeasure, k) for k in self.MEASURE_KEYS]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            stmt = select(ProductionLine.enterprise_id, *line_columns).where(ProductionLine.enterprise_id.in_(chunk))
            for enterprise_id, *row in db.session.execute(stmt):
                self._lines[(enterprise_id, row[1])] = tuple(row)
            stmt = (select(LineMeasure.line_id, LineMeasure.level, *measure_columns)
                    .join(ProductionLine, LineMeasure.line_id == ProductionLine.id)
                    .where(ProductionLine.enterprise_id.in_(chunk)))
            for line_id, level, *row in db.session.execute(stmt):
                self._measures[(line_id, level)] = tuple(row)

    def line(self, enterprise_id, name):
        row = self._lines.get((enterprise_id, name))
        return dict(zip(self.LINE_KEYS, row)) if row else None

    def measure(self, line_id, level):
        row = self._measures.get((line_id, level))
        return dict(zip(self.MEASURE_KEYS, row)) if row else None

    def stamps(self):
        """{credit code: [enterprise version, line id, line version, …]} of every stored enterprise loaded.

        A web edit of an enterprise, a line or its measures moves one of these counters (the line row is
        touched when its measures change), so equal stamps mean nothing was edited in between.
        """
        lines = {}
        for (enterprise_id, _), row in sorted(self._lines.items(), key=lambda item: item[1][0]):
            lines.setdefault(enterprise_id, []).extend((row[0], row[-1]))
        return {code: [row["version"], *lines.get(row["id"], ())] for code, row in self.enterprises.items()}

    def line_names(self, enterprise_id):
        """{line id: name} of an enterprise's stored lines."""
        return {row[0]: name for (owner, name), row in self._lines.items() if owner == enterprise_id}
