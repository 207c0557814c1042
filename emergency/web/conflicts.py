"""Show a save conflict: each field where the clerk's value differs from what is stored now."""
from flask import flash


def _shown(field, value):
    """Print a form value the way the form shows it (choice labels, 是/否)."""
    if field.type == "BooleanField":
        return "是" if value else "否"
    if field.type == "SelectField":
        for choice in field.choices:
            if str(choice.value) == str(value if value is not None else ""):
                return choice.label
    return "" if value is None else str(value)


def conflict_rows(form, stored, names):
    """(label, yours, stored now) for every field in ``names`` whose values differ."""
    rows = []
    for name in names:
        field = form[name]
        mine, theirs = _shown(field, field.data), _shown(field, stored.get(name))
        if mine != theirs:
            rows.append((field.label.text, mine, theirs))
    return rows


def report_conflict(form, current_version, rows):
    """Flash the conflict and move the form onto the stored version, so saving again is a deliberate choice."""
    form.version.data = current_version
    flash("该记录已被他人修改，您的修改未保存。请核对下表中“您填写的值”和“当前保存的值”，确认后再次保存将覆盖当前值。",
          "danger")
    return rows
