"""Line records: one list line with its rows at every level and the registry details a provincial list carries.

The list workbook is written from a stream of records: the workbook's level feeds 汇总 / 清单 / 停限产企业, and
all three levels side by side feed the national-layout sheet (全国格式清单) and 企业基本信息. Live exports zip
one streamed query, judged at the three levels, with one details query (both in list order); published versions
read the same values back from their frozen rows (``publishing.frozen.iter_version_records``).
"""
import json
from dataclasses import dataclass

from sqlalchemy import select

from emergency.lists.listing import BATCH_SIZE, iter_level_rows, line_order
from models import LEVELS, POLLUTANTS, Category, County, Enterprise, ProductionLine, db

# The registry fields of a record's details: (key, model, column). Enterprise ones first, then the line's.
ENTERPRISE_DETAILS = ("town", "address", "contact_person", "contact_phone", "category_reason", "small_micro",
                      "longitude", "latitude", "permit_number", "transport_mode", "heavy_trucks_per_day",
                      "access_control")
LINE_DETAILS = ("treatment_facilities", "capacity", "capacity_unit", "main_products", "output", "output_unit",
                "operating_days", *(f"{p}_t_yr" for p in POLLUTANTS))
DETAIL_KEYS = ("category",) + ENTERPRISE_DETAILS + LINE_DETAILS


@dataclass(frozen=True)
class LineRecord:
    """One line of the list: ``rows`` {level: ListRow} at every level, ``details`` {key: registry value}."""

    rows: dict
    details: dict

    @property
    def first(self):
        return self.rows[LEVELS[0]]


def details_json(details):
    """The details as stored in a version row (plain JSON, so a version never reads the live registry)."""
    return json.dumps({key: details.get(key) for key in DETAIL_KEYS}, ensure_ascii=False)


def details_from_json(text):
    """The stored details; a version frozen before details were kept has none (blank cells)."""
    return json.loads(text or "{}")


def _details_select(county_id, enterprise_ids=None):
    """The details of every line in list order (the order of ``listing._list_select``)."""
    stmt = (
        select(ProductionLine.id, Category.label, *(getattr(Enterprise, k) for k in ENTERPRISE_DETAILS),
               *(getattr(ProductionLine, k) for k in LINE_DETAILS))
        .select_from(ProductionLine).join(Enterprise, ProductionLine.enterprise_id == Enterprise.id)
        .join(County, Enterprise.county_id == County.id)
        .join(Category, Enterprise.category_code == Category.code)
        .order_by(*line_order())
    )
    if county_id is not None:
        stmt = stmt.where(Enterprise.county_id == county_id)
    if enterprise_ids is not None:
        stmt = stmt.where(Enterprise.id.in_(enterprise_ids))
    return stmt


def iter_line_records(county_id=None, enterprise_ids=None):
    """Yield a ``LineRecord`` per line of the city (or one county), in list order, judged at every level."""
    details = db.session.execute(_details_select(county_id, enterprise_ids).execution_options(yield_per=BATCH_SIZE))
    levels = iter_level_rows(LEVELS, county_id, enterprise_ids)
    for found, judged in zip(details, levels, strict=True):
        line_id, rows = found[0], dict(zip(LEVELS, judged))
        # The queries share one ORDER BY; a line edited between them would shift every later row.
        if any(row.line_id != line_id for row in rows.values()):
            raise RuntimeError("list queries disagree on the order of lines")
        yield LineRecord(rows, dict(zip(DETAIL_KEYS, found[1:])))
