"""Grade-change requests, their review trail and attachments, the grade history and the batch cut-offs."""
from types import SimpleNamespace

from .base import KeptFileMixin, TimestampMixin, among, db, in_range, one_of, unique_where, utcnow
from .enterprise import Enterprise

REQUEST_STATES = ("draft", "submitted", "returned", "county_approved", "approved", "rejected", "withdrawn")
STATE_LABELS = {
    "draft": "草稿", "submitted": "已提交", "returned": "退回修改", "county_approved": "县级通过",
    "approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回",
}
EVENT_LABELS = {
    "create": "创建草稿", "submit": "提交", "withdraw": "撤回", "county_pass": "县级审核通过",
    "county_return": "退回修改", "approve": "批准", "reject": "驳回",
}
OPEN_STATES = ("draft", "submitted", "returned", "county_approved")
# Legal grounds for a bureau-initiated downgrade (Shanxi notice Jan 2021; Jincheng notice Jan 2021).
DOWNGRADE_REASONS = {
    "falsified": "弄虚作假",
    "spot_check": "抽查不达标",
    "not_implemented": "未落实应急减排措施",
    "other": "其他",
}
HISTORY_STATUS_LABELS = {"pending": "待生效", "applied": "已生效", "superseded": "已取消（被后续调整取代）"}
HISTORY_KIND_LABELS = {"request": "企业申请", "downgrade": "市局降级", "registry": "名录修改"}


def classification_label(category, grade):
    """The printed label of a (Category, Grade or None) pair, worded like ``Enterprise.grade_label``."""
    if category is None:
        return "—"
    return Enterprise.grade_label.fget(SimpleNamespace(category=category, grade=grade))


class GradeRequest(TimestampMixin, db.Model):
    """An enterprise's application for a new (category, grade), reviewed by its county and then the city."""

    __tablename__ = "grade_request"
    __table_args__ = (
        one_of("state", REQUEST_STATES),
        # One open request per enterprise: check_request says so in Chinese, the database holds it under races.
        unique_where("uq_grade_request_open_enterprise", "enterprise_id", among("state", OPEN_STATES)),
    )

    id = db.Column(db.Integer, primary_key=True)
    enterprise_id = db.Column(
        db.Integer, db.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False, index=True
    )
    state = db.Column(db.String(20), nullable=False, default="draft", index=True)
    target_category_code = db.Column(db.String(20), db.ForeignKey("category.code"), nullable=False)
    target_grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"))
    # The enterprise's classification when it last submitted, so reviewers see "from → to".
    from_category_code = db.Column(db.String(20), db.ForeignKey("category.code"))
    from_grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"))
    reason = db.Column(db.Text, nullable=False, default="")
    evidence = db.Column(db.Text, nullable=False, default="")
    batch_name = db.Column(db.String(40), nullable=False, default="")
    batch_deadline = db.Column(db.Date)
    submitted_at = db.Column(db.DateTime)
    decided_at = db.Column(db.DateTime)
    effective_date = db.Column(db.Date)
    # True from a final decision until the enterprise opens the request (its inbox count).
    unseen_decision = db.Column(db.Boolean, nullable=False, default=False)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))
    # Every state change bumps it; the UPDATE is conditional on it, so a second concurrent decision fails.
    version = db.Column(db.Integer, nullable=False, default=1)

    enterprise = db.relationship(
        Enterprise, lazy="joined",
        backref=db.backref("grade_requests", cascade="all, delete-orphan", order_by="GradeRequest.id"),
    )
    target_category = db.relationship("Category", foreign_keys=[target_category_code], lazy="joined")
    target_grade = db.relationship("Grade", foreign_keys=[target_grade_code], lazy="joined")
    from_category = db.relationship("Category", foreign_keys=[from_category_code])
    from_grade = db.relationship("Grade", foreign_keys=[from_grade_code])
    attachments = db.relationship(
        "RequestAttachment", back_populates="request", cascade="all, delete-orphan",
        order_by="RequestAttachment.id",
    )
    events = db.relationship(
        "RequestEvent", back_populates="request", cascade="all, delete-orphan", order_by="RequestEvent.id",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_label(self):
        return STATE_LABELS.get(self.state, self.state)

    @property
    def target_label(self):
        return classification_label(self.target_category, self.target_grade)

    @property
    def from_label(self):
        return classification_label(self.from_category, self.from_grade)

    @property
    def return_note(self):
        """The county's note on the latest return, shown to the enterprise while it revises."""
        notes = [e.note for e in self.events if e.action == "county_return"]
        return notes[-1] if notes else ""

    @property
    def batch_label(self):
        """E.g. "2024年第二批（12月15日截止）"; empty before the first submission."""
        if self.batch_deadline is None:
            return ""
        d = self.batch_deadline
        return f"{d.year}年{self.batch_name}（{d.month}月{d.day}日截止）"

    def __repr__(self):
        return f"<GradeRequest {self.id} {self.state}>"


class RequestEvent(db.Model):
    """One step of a request's review trail (created, submitted, returned, ...), with the reviewer's note."""

    __tablename__ = "request_event"
    __table_args__ = (one_of("action", EVENT_LABELS), one_of("from_state", REQUEST_STATES),
                      one_of("to_state", REQUEST_STATES))

    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(
        db.Integer, db.ForeignKey("grade_request.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))
    username = db.Column(db.String(60), nullable=False, default="")
    action = db.Column(db.String(20), nullable=False)
    from_state = db.Column(db.String(20))
    to_state = db.Column(db.String(20), nullable=False)
    note = db.Column(db.Text, nullable=False, default="")

    request = db.relationship(GradeRequest, back_populates="events")

    @property
    def action_label(self):
        if self.action == "submit" and self.from_state == "returned":
            return "重新提交"
        return EVENT_LABELS.get(self.action, self.action)

    @property
    def to_state_label(self):
        return STATE_LABELS.get(self.to_state, self.to_state)


class RequestAttachment(KeptFileMixin, db.Model):
    """Evidence uploaded with a request; the file lives outside the web root under a random name."""

    __tablename__ = "request_attachment"

    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(
        db.Integer, db.ForeignKey("grade_request.id", ondelete="CASCADE"), nullable=False, index=True
    )
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))

    request = db.relationship(GradeRequest, back_populates="attachments")


class GradeHistory(db.Model):
    """One change of an enterprise's (category, grade): from an approved request or a city downgrade."""

    __tablename__ = "grade_history"
    __table_args__ = (
        db.Index("ix_grade_history_status_effective", "status", "effective_date"),
        one_of("kind", HISTORY_KIND_LABELS),
        one_of("status", HISTORY_STATUS_LABELS),
        one_of("reason_code", DOWNGRADE_REASONS),
    )

    id = db.Column(db.Integer, primary_key=True)
    enterprise_id = db.Column(
        db.Integer, db.ForeignKey("enterprise.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = db.Column(db.String(20), nullable=False)            # request, downgrade, registry
    old_category_code = db.Column(db.String(20), db.ForeignKey("category.code"))
    old_grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"))
    new_category_code = db.Column(db.String(20), db.ForeignKey("category.code"), nullable=False)
    new_grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"))
    reason_code = db.Column(db.String(20))                     # a DOWNGRADE_REASONS key, for downgrades
    reason = db.Column(db.Text, nullable=False, default="")
    request_id = db.Column(db.Integer, db.ForeignKey("grade_request.id", ondelete="SET NULL"))
    effective_date = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(12), nullable=False, default="pending")   # pending, applied, superseded
    applied_at = db.Column(db.DateTime)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id", ondelete="SET NULL"))
    decided_by_name = db.Column(db.String(60), nullable=False, default="")
    decided_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    enterprise = db.relationship(
        Enterprise,
        backref=db.backref("grade_history", cascade="all, delete-orphan",
                           order_by=lambda: (GradeHistory.effective_date.desc(), GradeHistory.id.desc())),
    )
    old_category = db.relationship("Category", foreign_keys=[old_category_code])
    old_grade = db.relationship("Grade", foreign_keys=[old_grade_code])
    new_category = db.relationship("Category", foreign_keys=[new_category_code])
    new_grade = db.relationship("Grade", foreign_keys=[new_grade_code])
    request = db.relationship(GradeRequest)

    @property
    def old_label(self):
        return classification_label(self.old_category, self.old_grade)

    @property
    def new_label(self):
        return classification_label(self.new_category, self.new_grade)

    @property
    def status_label(self):
        return HISTORY_STATUS_LABELS.get(self.status, self.status)

    @property
    def why(self):
        """The reason as printed: the downgrade ground and its text, or the request's reason."""
        if self.kind == "downgrade":
            ground = DOWNGRADE_REASONS.get(self.reason_code, "")
            return f"{ground}：{self.reason}" if self.reason else ground
        return f"{HISTORY_KIND_LABELS['request']}：{self.reason}" if self.reason else HISTORY_KIND_LABELS["request"]


class BatchCutoff(db.Model):
    """A yearly cut-off date of the application batches (reference data, seed/data/batch_cutoffs.csv)."""

    __tablename__ = "batch_cutoff"
    __table_args__ = (db.UniqueConstraint("month", "day", name="uq_batch_cutoff_month_day"),
                      in_range("month", 1, 12), in_range("day", 1, 31))

    id = db.Column(db.Integer, primary_key=True)
    month = db.Column(db.Integer, nullable=False)
    day = db.Column(db.Integer, nullable=False)
    name = db.Column(db.String(40), nullable=False)
    note = db.Column(db.String(200), nullable=False, default="")
