"""Values every template may print: labels and the demo-data banner flag."""
from emergency.grading.inbox import nav_count
from emergency.registry.measures import ACTION_LABELS
from models import LEVEL_LABELS, POLLUTANT_LABELS
from seed.load import demo_loaded


def inject_globals():
    return {
        "demo_data": demo_loaded(),
        "LEVEL_LABELS": LEVEL_LABELS,
        "POLLUTANT_LABELS": POLLUTANT_LABELS,
        "ACTION_LABELS": ACTION_LABELS,
        "inbox_count": nav_count,
    }
