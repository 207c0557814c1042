"""An enterprise's obligations: during an alert, the measure each line must carry out and how it is checked.

They are read from the published version the alert uses (its current step), never from today's edits. With
no alert running, the enterprise sees its measures at all three levels from the latest published version,
or from the registry when nothing has been published yet.
"""
from dataclasses import dataclass

from emergency.lists.listing import enterprise_rows
from emergency.lists.orders import Order, item_for, withheld_reasons
from emergency.publishing.alerts import active_alert_for_county
from emergency.publishing.versions import iter_version_rows, latest_version
from models import LEVEL_LABELS, LEVELS

ALERT, VERSION, LIVE = "alert", "version", "live"


@dataclass
class LevelObligations:
    """The printable items (``orders.OrderItem``) of one level."""

    level: str
    items: list
    withheld: tuple = ()

    @property
    def level_label(self):
        return LEVEL_LABELS[self.level]


@dataclass
class Obligations:
    """What the enterprise's home page shows; ``source`` says where the measures come from."""

    enterprise: object
    alert: object
    version: object
    source: str
    levels: list


def _rows(enterprise, level, version):
    if version is None:
        return enterprise_rows(enterprise, level)
    return list(iter_version_rows(version.id, level, enterprise_id=enterprise.id))


def obligations_for(enterprise):
    """The obligations of ``enterprise`` now: the running alert's level, or all three levels."""
    alert = active_alert_for_county(enterprise.county_id)
    if alert is not None:
        version = alert.current_step.version
        levels = [alert.level]
        source = ALERT
    else:
        version = latest_version()
        levels = list(LEVELS)
        source = VERSION if version else LIVE
    found = []
    for level in levels:
        rows = _rows(enterprise, level, version)
        withheld = withheld_reasons(rows)
        found.append(LevelObligations(level, [] if withheld else [item_for(row) for row in rows], withheld))
    return Obligations(enterprise, alert, version, source, found)


def obligation_order(enterprise, level):
    """The stop/limit order of ``level``, from the version in force (the alert's, else the latest)."""
    alert = active_alert_for_county(enterprise.county_id)
    version = alert.current_step.version if alert is not None else latest_version()
    rows = _rows(enterprise, level, version)
    # Names and grade as published; the registry's own values only when the version does not list it.
    first = rows[0] if rows else None
    withheld = withheld_reasons(rows)
    return Order(level=level, enterprise_id=enterprise.id, withheld=withheld,
                 enterprise_name=first.enterprise_name if first else enterprise.name,
                 credit_code=first.credit_code if first else enterprise.credit_code,
                 county_name=first.county_name if first else enterprise.county.name,
                 industry=first.industry if first else enterprise.industry.display_name,
                 grade_label=first.grade_label if first else enterprise.grade_label,
                 items=() if withheld else tuple(item_for(row) for row in rows)), version
