"""An enterprise's obligations: during an alert, the measure each line must carry out and how it is checked.

They are read from the published version the alert uses (its current step), never from today's edits. With
no alert running, the enterprise sees its measures at all three levels from the latest published version,
or from the registry when nothing has been published yet. Its printable order is the notice the running alert's
step issued (with its 文号) for the alert's level, and a preview without a number otherwise.
"""
from dataclasses import dataclass

from emergency.lists.listing import enterprise_rows
from emergency.lists.orders import item_for, order_from_rows, withheld_reasons
from emergency.publishing.alerts import active_alert_for_county
from emergency.publishing.frozen import iter_version_rows
from emergency.publishing.notices import issued_notice, preview_official
from emergency.publishing.versions import latest_version
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


@dataclass
class OrderPage:
    """The enterprise's order of one level: the notice issued with the running alert (``issued``, its official
    block carrying the 文号), or else a preview from the version in force, which is no official document."""

    order: object
    version: object
    official: object
    issued: bool


def obligation_order(enterprise, level):
    """The enterprise's notice of ``level``: the one its county's dispatch of the running alert's step issued,
    else a preview from the version in force (the alert's, else the latest)."""
    alert = active_alert_for_county(enterprise.county_id)
    version = alert.current_step.version if alert is not None else latest_version()
    if alert is not None and alert.level == level:
        issued = issued_notice(alert.current_step, enterprise.id, enterprise.county_id)
        if issued is not None:
            return OrderPage(issued.order, version, issued.official, True)
    order = order_from_rows(level, _rows(enterprise, level, version), enterprise)
    return OrderPage(order, version, preview_official(enterprise.county, version), False)
