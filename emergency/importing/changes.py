"""What the import preview lists: the first enterprises the file creates or changes, and what changes in each."""
from emergency.importing.plan import CREATE, UPDATE, same
from emergency.registry.operations import ENTERPRISE_FIELDS
from emergency.spreadsheets.registry import REGISTRY_COLUMNS

PREVIEW_LIMIT = 200
ACTION_LABELS = {CREATE: "新增", UPDATE: "修改"}
# Stored enterprise field → the import column whose header names it.
COLUMN_OF = {"county_id": "county", "industry_id": "industry_name", "category_code": "category",
             "grade_code": "grade"}
LABELS = dict(REGISTRY_COLUMNS)


def changed_fields(stored, values):
    """Headers of the enterprise fields whose stored value the plan changes."""
    return [LABELS[COLUMN_OF.get(name, name)] for name in ENTERPRISE_FIELDS
            if name != "credit_code" and not same(values[name], stored[name])]


def describe(plan, stored):
    """One listed enterprise: {code, name, action, what} with ``what`` in words."""
    what = []
    if plan.action == UPDATE:
        what.append("修改：" + "、".join(changed_fields(stored, plan.values)))
    for action, label in ACTION_LABELS.items():
        names = [line.name for line in plan.lines if line.action == action]
        if names:
            what.append(f"{label}生产线：{'、'.join(names)}")
    measures = plan.counts["measure"]
    if measures[CREATE] or measures[UPDATE]:
        what.append(f"减排措施：新增 {measures[CREATE]}，修改 {measures[UPDATE]}")
    action = "新增" if plan.action == CREATE else "修改"
    return {"code": plan.code, "name": plan.values.get("name", ""), "action": action, "what": "；".join(what)}


class Listing:
    """Fills ``report.listed`` with the first PREVIEW_LIMIT enterprises that write, and counts ``report.writes``,
    as the plans are made (they are not all kept)."""

    def __init__(self, report):
        self.report = report
        report.writes, report.listed = 0, []

    def add(self, plan, existing):
        self.report.writes += 1
        if len(self.report.listed) < PREVIEW_LIMIT:
            self.report.listed.append(describe(plan, existing.enterprises.get(plan.code)))
