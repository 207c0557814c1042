"""The gate before anything official: no version is published and no alert dispatched while known errors exist,
unless a city user overrides with a written reason (kept in the audit log and printed on the 说明 sheet)."""
from emergency.errors import DomainError
from emergency.limits import text_limit
from models import ListVersion
from models.user import CITYWIDE

OVERRIDE_MAX = text_limit(ListVersion.override_reason)


def pass_gate(errors, user, override_reason, action):
    """Return the override reason to record ("" when there are no errors), or refuse.

    :param errors: how many quality errors the scope has; ``action``: what is gated, e.g. "发布清单版本".
    """
    reason = (override_reason or "").strip()
    if not errors:
        return ""
    if not reason:
        raise DomainError({"override_reason": f"清单存在{errors}项错误，{action}前请先修正（见“质量检查”）；"
                                              f"确需{action}的，须由市局人员填写理由"})
    if user.role not in CITYWIDE:
        raise DomainError({"override_reason": f"清单存在{errors}项错误，仅市局人员可填写理由后{action}"})
    if len(reason) > OVERRIDE_MAX:
        raise DomainError({"override_reason": f"理由不超过{OVERRIDE_MAX}字"})
    return reason
