"""Grade-change request, review, downgrade and audit-filter forms. Checks run in validate(); forms never write."""
from datetime import date

from wtforms import HiddenField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from emergency.grading import attachments
from emergency.grading.history import check_downgrade, parse_target
from emergency.grading.workflow import check_request
from forms.base import BaseForm, FilterForm, add_error, int_or_none, options
from models import Category, Grade, db
from models.request import DOWNGRADE_REASONS

FIRST_YEAR, LAST_YEAR = 1900, 2999


class DateInput(StringField):
    """A YYYY-MM-DD date (a browser date picker); a Chinese message for anything else."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if text:
            try:
                self.data = date.fromisoformat(text)
            except ValueError:
                raise ValueError("日期格式应为“年-月-日”，如 2024-09-15") from None
            if not FIRST_YEAR <= self.data.year <= LAST_YEAR:
                # Year 1 or 9999 would overflow when turned into a UTC time for a filter.
                self.data = None
                raise ValueError(f"日期应在{FIRST_YEAR}年至{LAST_YEAR}年之间")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""


def load_target_or_error(field):
    """(Category, Grade or None) of a target select, or None after adding an error to ``field``."""
    category_code, grade_code = parse_target(field.data)
    category = db.session.get(Category, category_code or "")
    grade = db.session.get(Grade, grade_code) if grade_code else None
    if category is None or (grade_code and grade is None):
        add_error(field, "请选择等级")
        return None
    return category, grade


class GradeRequestForm(BaseForm):
    target = SelectField("申请等级/类别", validate_choice=False, validators=[DataRequired("请选择申请的等级")],
                         description="按本企业行业的分级方案列出；保障类须B级及以上或引领性")
    reason = TextAreaField("申请理由", validators=[DataRequired("请填写申请理由"),
                                               Length(max=2000, message="不超过2000字")],
                           description="如：已完成提标改造，各项指标达到申请等级要求")
    evidence = TextAreaField("证明材料说明", validators=[DataRequired("请说明所附证明材料"),
                                                   Length(max=4000, message="不超过4000字")],
                             description="如：环评批复及验收、排污许可证、监测报告、治理设施照片等")
    files = MultipleFileField("附件")     # its description states the configured limits (attachments.upload_rules)

    def __init__(self, *args, enterprise=None, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise, self.existing, self.uploads = enterprise, existing, []
        self.files.description = attachments.upload_rules()

    def values(self):
        return {"target": self.target.data, "reason": self.reason.data or "", "evidence": self.evidence.data or ""}

    def validate(self, extra_validators=None):
        """Field checks, the application rules (scheme, current grade, open request, violation) and the files."""
        ok = super().validate(extra_validators)
        target = load_target_or_error(self.target) if self.target.data else None
        if target is None:
            ok = False
        else:
            for message in check_request(self.enterprise, *target, self.existing).values():
                add_error(self.target, message)
                ok = False
        already = len(self.existing.attachments) if self.existing is not None else 0
        self.uploads, problems = attachments.check_files(self.files.data, already=already)
        for message in problems:
            add_error(self.files, message)
        return ok and not problems


def note_field(label, description):
    """An optional note of at most 2000 characters, as the review and downgrade forms take it."""
    return TextAreaField(label, validators=[Optional(), Length(max=2000, message="不超过2000字")],
                         description=description)


class _ReviewForm(BaseForm):
    """A reviewer's decision among two, a note the enterprise sees, and the request version the reviewer saw.

    Subclasses declare the ``decision`` and ``note`` fields and the two messages below.
    """

    version = HiddenField(filters=[int_or_none])
    NO_DECISION: str                # the message when no offered decision was chosen
    NOTE_NEEDED: tuple[str, str]    # (the decision that needs a note, the message when the note is blank)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        needs_note, message = self.NOTE_NEEDED
        if self.decision.data not in {choice.value for choice in self.decision.choices}:
            add_error(self.decision, self.NO_DECISION)
            ok = False
        elif self.decision.data == needs_note and not (self.note.data or "").strip():
            add_error(self.note, message)
            ok = False
        return ok


class CountyReviewForm(_ReviewForm):
    decision = RadioField("审核结论", validate_choice=False, choices=options([
        ("county_pass", "通过，报市局审批"), ("county_return", "退回企业修改")]))
    note = note_field("审核意见", "退回修改时必填，企业可见")
    NO_DECISION = "请选择审核结论"
    NOTE_NEEDED = ("county_return", "退回修改时须填写意见")


class CityReviewForm(_ReviewForm):
    decision = RadioField("审批结论", validate_choice=False, choices=options([
        ("approve", "批准，按生效日期调整等级"), ("reject", "驳回")]))
    effective_date = DateInput("生效日期", validators=[Optional()],
                               description="今天或以前：立即生效；以后：到期自动生效")
    note = note_field("审批意见", "驳回时必填，企业可见")
    NO_DECISION = "请选择审批结论"
    NOTE_NEEDED = ("reject", "驳回时须填写理由")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.decision.data == "approve" and self.effective_date.data is None and not self.effective_date.errors:
            add_error(self.effective_date, "批准时须填写生效日期")
            ok = False
        return ok


class DowngradeForm(BaseForm):
    target = SelectField("降为", validate_choice=False, validators=[DataRequired("请选择降级后的等级")])
    reason_code = RadioField("降级原因", validate_choice=False,
                             choices=options(list(DOWNGRADE_REASONS.items())))
    reason = note_field("具体说明", "原因为“其他”时必填")
    effective_date = DateInput("生效日期", validators=[InputRequired("请填写生效日期")])

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        target = load_target_or_error(self.target) if self.target.data else None
        if target is None:
            return False
        for field, message in check_downgrade(self.enterprise, *target, self.reason_code.data,
                                              self.reason.data).items():
            add_error(self[field], message)
            ok = False
        return ok


class AuditFilterForm(FilterForm):
    """GET filters of the audit log."""

    enterprise = StringField("企业", validators=[Optional(), Length(max=200)], description="名称、信用代码或编号")
    user = StringField("用户", validators=[Optional(), Length(max=60)])
    type = SelectField("对象类型", default="", validate_choice=False)
    date_from = DateInput("起始日期", validators=[Optional()])
    date_to = DateInput("截止日期", validators=[Optional()])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.date_from.data and self.date_to.data and self.date_from.data > self.date_to.data:
            add_error(self.date_to, "截止日期不能早于起始日期")
            ok = False
        return ok


class RequestFilterForm(FilterForm):
    """GET filters of the request list; unknown values are ignored by the query."""

    q = StringField("企业名称", default="")
    state = SelectField("状态", validate_choice=False)
    county = SelectField("县（市、区）", coerce=int_or_none, validate_choice=False)
