"""Values every template may print: labels and the demo-data banner flag."""
from models import LEVEL_LABELS, POLLUTANT_LABELS
from seed.load import demo_loaded

from ..inbox import nav_count
from ..measures import ACTION_LABELS


def inject_globals():
    return {
        "demo_data": demo_loaded(),
        "LEVEL_LABELS": LEVEL_LABELS,
        "POLLUTANT_LABELS": POLLUTANT_LABELS,
        "ACTION_LABELS": ACTION_LABELS,
        "inbox_count": nav_count,
    }
