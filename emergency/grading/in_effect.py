"""Whether an approved grade is already what the running alert enforces: the alert's version froze each firm's
grade when it was published, so a grade approved later takes effect only with a newer version dispatched."""
from emergency.publishing.alerts import active_alert_for_county
from models import LEVEL_LABELS, VersionRow, db


def approved_grade_note(req):
    """(kind, message) for an approved request, kind "ok" or "pending"; None for any other state."""
    if req.state != "approved":
        return None
    enterprise, target = req.enterprise, req.target_label
    alert = active_alert_for_county(enterprise.county_id)
    if alert is None:
        return "ok", (f"新等级“{target}”已批准。目前贵企业所在县（市、区）没有正在执行的预警；"
                      "今后启动预警时，按届时下发的清单执行。")
    step = alert.steps[-1]
    frozen = (db.session.query(VersionRow.grade_label)
              .filter_by(version_id=step.version_id, enterprise_id=enterprise.id).limit(1).scalar())
    running = f"正在执行的{LEVEL_LABELS[alert.level]}预警所用清单（版本“{step.version.name}”）"
    if frozen == target:
        return "ok", f"{running}已按新等级“{target}”执行。"
    shown = f"仍为“{frozen}”" if frozen else "没有贵企业"
    return "pending", (f"新等级“{target}”已批准，但{running}中贵企业{shown}：新等级要待市局发布包含新等级的清单"
                       "版本并重新下发后才执行；在此之前，请仍按已下达的措施执行。")
