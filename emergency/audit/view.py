"""The audit log as people read it: filters, and before/after values with Chinese field labels."""
import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from emergency.audit.trail import TYPE_LABELS
from emergency.clock import local_day_start_utc, to_local
from emergency.lists.policy import FLOOR_SCOPE_LABELS, SETTING_LABELS
from emergency.registry.measures import TRANSPORT_LABELS
from emergency.registry.queries import _like_escape
from emergency.text import fold
from models import (
    POLLUTANT_LABELS,
    SOURCE_TYPE_LABELS,
    AuditLog,
    Category,
    County,
    Enterprise,
    Grade,
    Industry,
    MeasureType,
    db,
)
from models.audit import ACTION_LABELS
from models.line import LEVEL_LABELS
from models.request import DOWNGRADE_REASONS, HISTORY_KIND_LABELS, HISTORY_STATUS_LABELS, STATE_LABELS
from models.user import ROLE_LABELS

HIDDEN = {"id", "version", "created_at", "updated_at"}
FIELD_LABELS = {
    "name": "名称", "credit_code": "统一社会信用代码", "county_id": "县（市、区）", "town": "乡镇（街道）",
    "address": "详细地址", "contact_person": "联系人", "contact_phone": "联系电话", "industry_id": "行业类别",
    "category_code": "管控类别", "grade_code": "绩效等级", "small_micro": "小微低排放企业",
    "violation_prev_year": "上一年度存在违法违规行为", "enterprise_id": "企业编号",
    "process_stage": "工序", "facilities": "主要生产设施", "capacity": "产能", "capacity_unit": "产能单位",
    "can_stop_quickly": "可短时停产", "so2_t_yr": "SO2（吨/年）", "nox_t_yr": "NOx（吨/年）",
    "pm_t_yr": "颗粒物（吨/年）", "vocs_t_yr": "VOCs（吨/年）", "operating_days": "年运行天数",
    "line_id": "生产线编号", "level": "预警级别", "action": "措施类型", "limit_pct": "限产比例（%）",
    "other_fraction": "削减比例", "text": "减排措施", "indicators": "核查指标",
    "username": "用户名", "password_hash": "密码", "role": "角色", "active": "启用",
    "state": "状态", "target_category_code": "申请类别", "target_grade_code": "申请等级",
    "from_category_code": "申请时类别", "from_grade_code": "申请时等级", "reason": "理由",
    "evidence": "证明材料说明", "batch_name": "批次", "batch_deadline": "批次截止日期", "submitted_at": "提交时间",
    "decided_at": "决定时间", "effective_date": "生效日期", "unseen_decision": "企业尚未查看结果",
    "created_by_id": "创建人编号", "request_id": "申请编号", "stored_name": "存储文件名", "display_name": "文件名",
    "content_type": "文件类型", "size": "大小（字节）", "sha256": "SHA-256", "uploaded_at": "上传时间",
    "uploaded_by_id": "上传人编号", "kind": "来源", "old_category_code": "原类别", "old_grade_code": "原等级",
    "new_category_code": "新类别", "new_grade_code": "新等级", "reason_code": "降级原因", "status": "状态",
    "applied_at": "生效时间", "decided_by_id": "决定人编号", "decided_by_name": "决定人",
    "scope": "适用范围", "process": "工序", "hours": "延长后的结焦时间（小时）", "cap_pct": "负荷上限（%）",
    "transport": "运输管控", "provisional": "暂定（待核定）", "source": "依据", "edited_at": "修改时间",
    "edited_by": "修改人",
    "longitude": "经度", "latitude": "纬度", "permit_number": "排污许可证编号", "transport_mode": "运输方式",
    "heavy_trucks_per_day": "日均重型车车次", "access_control": "门禁系统", "main_products": "主要产品",
    "output_value": "年产值（万元）",
    "output": "产量", "output_unit": "产量单位", "treatment_facilities": "污染治理设施",
    "season_id": "季节编号", "starts_on": "开始日期", "ends_on": "结束日期", "note": "说明", "source_type": "源类型",
    "pollutant": "污染物", "baseline_t_per_day": "全社会排放量（吨/日）", "reduction_t_per_day": "减排量（吨/日）",
}
TYPE_FIELD_LABELS = {
    "season": {"name": "季节名称"},
    "enterprise": {"name": "企业名称"}, "line": {"name": "生产线名称"},
    "request": {"reason": "申请理由"}, "grade": {"reason": "原因说明"},
    "floor": {"text": "措施内容", "limit_pct": "比例（%）"}, "setting": {"key": "参数", "value": "取值"},
    "list_version": {"override_reason": "强制发布理由", "errors": "发布时质量检查错误数", "note": "说明"},
    "alert_step": {"override_reason": "强制下发理由"},
    "api_token": {"name": "令牌名称（调用方）", "key": "令牌编号", "secret_hash": "令牌摘要", "county_id": "可读范围",
                  "revoked_at": "吊销时间", "revoked_by_id": "吊销人编号", "last_used_at": "最近使用时间"},
}
CODE_LABELS = {
    "level": LEVEL_LABELS, "role": ROLE_LABELS, "kind": HISTORY_KIND_LABELS, "transport": TRANSPORT_LABELS,
    "reason_code": DOWNGRADE_REASONS, "scope": FLOOR_SCOPE_LABELS, "source_type": SOURCE_TYPE_LABELS,
    "pollutant": POLLUTANT_LABELS,
}
TYPE_CODE_LABELS = {"request": {"state": STATE_LABELS}, "grade": {"status": HISTORY_STATUS_LABELS},
                    "setting": {"key": SETTING_LABELS}}
SOURCE_LABELS = {"web": "网页", "cli": "命令行", "import": "导入", "auto": "自动"}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    at: object
    username: str
    source: str
    type_label: str
    action: str
    action_label: str
    summary: str
    enterprise_id: int | None
    enterprise_name: str
    changes: list


def type_choices():
    return [("", "全部")] + sorted(TYPE_LABELS.items(), key=lambda kv: kv[1])


def audit_query(enterprise="", user="", entity_type="", date_from=None, date_to=None):
    """The select of (AuditLog, current enterprise name) rows, newest first, for the given filters."""
    stmt = (select(AuditLog, Enterprise.name).outerjoin(Enterprise, AuditLog.enterprise_id == Enterprise.id)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc()))
    text = fold(enterprise or "")
    if text:
        pattern = f"%{_like_escape(text)}%"
        matching = select(Enterprise.id).where(or_(Enterprise.name.like(pattern, escape="\\"),
                                                   Enterprise.credit_code == text.upper()))
        # Deleted enterprises keep their log rows: match those by the summary of their own entries.
        conditions = [AuditLog.enterprise_id.in_(matching),
                      (AuditLog.entity_type == "enterprise") & AuditLog.summary.like(pattern, escape="\\")]
        if text.isascii() and text.isdigit() and len(text) < 10:   # an id, within the column's range
            conditions.append(AuditLog.enterprise_id == int(text))
        stmt = stmt.where(or_(*conditions))
    if (user or "").strip():
        stmt = stmt.where(AuditLog.username == user.strip())
    if entity_type:
        stmt = stmt.where(AuditLog.entity_type == entity_type)
    if date_from:
        stmt = stmt.where(AuditLog.at >= local_day_start_utc(date_from))
    if date_to:
        stmt = stmt.where(AuditLog.at < local_day_start_utc(date_to + timedelta(days=1)))
    return stmt


class Labeller:
    """Turns stored values into Chinese text, reading the small reference tables once."""

    def __init__(self):
        self.categories = {c.code: c.label for c in db.session.query(Category)}
        self.grades = {g.code: g.label for g in db.session.query(Grade)}
        self.counties = {c.id: c.name for c in db.session.query(County)}
        self.industries = {i.id: i.display_name for i in db.session.query(Industry)}
        # Measure types are reference data: their labels come from the table.
        self.codes = {**CODE_LABELS, "action": dict(db.session.query(MeasureType.code, MeasureType.label))}

    def value(self, entity_type, key, value):
        if value is None or value == "":
            return "—"
        if key == "password_hash":
            return "（已修改）"
        if isinstance(value, bool):
            return "是" if value else "否"
        codes = TYPE_CODE_LABELS.get(entity_type, {}).get(key) or self.codes.get(key)
        if codes is not None:
            return codes.get(value, str(value))
        if key.endswith("category_code"):
            return self.categories.get(value, value)
        if key.endswith("grade_code"):
            return self.grades.get(value, value)
        if key == "county_id":
            return self.counties.get(value, str(value))
        if key == "industry_id":
            return self.industries.get(value, str(value))
        if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
            return value.replace("T", " ")[:19] + "（UTC）"
        return str(value)

    def label(self, entity_type, key):
        return TYPE_FIELD_LABELS.get(entity_type, {}).get(key) or FIELD_LABELS.get(key, key)

    def changes(self, log):
        before = json.loads(log.before) if log.before else {}
        after = json.loads(log.after) if log.after else {}
        order = list(FIELD_LABELS)
        keys = sorted((set(before) | set(after)) - HIDDEN,
                      key=lambda k: (order.index(k) if k in order else len(order), k))
        kind = log.entity_type
        return [Change(self.label(kind, k), self.value(kind, k, before.get(k)) if before else "",
                       self.value(kind, k, after.get(k)) if after else "") for k in keys]


def source_label(source):
    kind, _, detail = (source or "").partition(":")
    label = SOURCE_LABELS.get(kind, kind)
    return f"{label}：{detail}" if detail else label


def readable(rows):
    """Entries ready to print from (AuditLog, enterprise name) rows."""
    labeller = Labeller()
    return [Entry(at=to_local(log.at), username=log.username, source=source_label(log.source),
                  type_label=TYPE_LABELS.get(log.entity_type, log.entity_type), action=log.action,
                  action_label=ACTION_LABELS.get(log.action, log.action), summary=log.summary,
                  enterprise_id=log.enterprise_id, enterprise_name=name or "", changes=labeller.changes(log))
            for log, name in rows]
