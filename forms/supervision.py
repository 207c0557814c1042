"""Power-supervision forms: the readings upload, the board's filters, an inspection, a positive-list entry."""
from flask_wtf.file import FileField, FileRequired
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from emergency.grading import attachments
from emergency.supervision.inspections import INSPECTORS_MAX, NOTE_MAX
from emergency.supervision.judgement import STATUS_LABELS
from emergency.supervision.positive import REASON_MAX, find_firm
from forms.alert import TIME_FORMATS, LocalTimeField
from forms.base import BaseForm, FilterForm, add_error, int_or_none, options
from forms.request import DateInput
from models.power import FINDINGS


class PowerUploadForm(BaseForm):
    file = FileField("电量文件", validators=[FileRequired("请选择要导入的文件")],
                     description="电网公司导出的 .xlsx、.xls 或 .csv（UTF-8 或 GBK 编码），"
                                 "每行一个户号一天（或一小时）；先检查，确认无误后再导入")


class BoardFilterForm(FilterForm):
    """GET filters of the board; the choices come from the board itself, unknown values match nothing."""

    county = SelectField("县（市、区）", coerce=int_or_none, validate_choice=False)
    industry = SelectField("行业", validate_choice=False, default="")
    grade = SelectField("绩效等级", validate_choice=False, default="")
    status = SelectField("研判结果", validate_choice=False, default="",
                         choices=options([("", "全部")] + list(STATUS_LABELS.items())))

    def fill(self, board):
        firms = board.firms
        self.county.choices = options([(None, "全部")] + sorted({(f.county_id, f.county_name) for f in firms}))
        self.industry.choices = options([("", "全部")] + [(v, v) for v in sorted({f.industry for f in firms})])
        self.grade.choices = options([("", "全部")] + [(v, v) for v in sorted({f.grade_label for f in firms})])

    def keep(self, firm):
        return ((self.county.data is None or firm.county_id == self.county.data)
                and (not self.industry.data or firm.industry == self.industry.data)
                and (not self.grade.data or firm.grade_label == self.grade.data)
                and (not self.status.data or firm.judgement.status == self.status.data))


class InspectionForm(BaseForm):
    visited_at = LocalTimeField("检查时间", format=TIME_FORMATS, validators=[InputRequired("请填写检查时间")])
    inspectors = StringField("检查人员", validators=[DataRequired("请填写检查人员"),
                                                 Length(max=INSPECTORS_MAX, message=f"不超过{INSPECTORS_MAX}字")],
                             description="姓名，多人用顿号分隔")
    finding = SelectField("检查结论", validate_choice=False, validators=[DataRequired("请选择检查结论")],
                          choices=options([("", "请选择")] + list(FINDINGS.items())),
                          description="“未落实”将向市局提出降级建议")
    note = TextAreaField("情况说明", validators=[Optional(), Length(max=NOTE_MAX, message=f"不超过{NOTE_MAX}字")])
    photos = MultipleFileField("照片", description="JPG、PNG或PDF，按文件内容识别类型；单个文件不超过上限")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        self.uploads, problems = attachments.check_files(self.photos.data)
        for message in problems:
            add_error(self.photos, message)
        return ok and not problems


class PositiveForm(BaseForm):
    firm = StringField("企业", validators=[DataRequired("请填写企业")], description="统一社会信用代码或完整的企业名称")
    reason = TextAreaField("列入理由", validators=[DataRequired("请填写列入理由"),
                                               Length(max=REASON_MAX, message=f"不超过{REASON_MAX}字")])
    added_on = DateInput("列入日期", validators=[InputRequired("请填写列入日期")])
    expires_on = DateInput("有效期至", validators=[InputRequired("请填写有效期至")])

    def values(self):
        return {"enterprise": find_firm(self.firm.data), "reason": self.reason.data or "",
                "added_on": self.added_on.data, "expires_on": self.expires_on.data}


class AccountForm(BaseForm):
    number = StringField("户号", validators=[DataRequired("请填写户号"), Length(max=40, message="不超过40个字符")])
    holder = StringField("户名", validators=[Optional(), Length(max=200, message="不超过200字")],
                         description="电网公司登记的用电户名，可留空")
    line_id = SelectField("计量的生产线", coerce=int_or_none, validate_choice=False,
                          description="可不选：按企业合计研判")

    def fill(self, enterprise):
        self.line_id.choices = options([(None, "不区分生产线")] + [(line.id, line.name) for line in enterprise.lines])

    def values(self):
        return {"number": self.number.data, "holder": self.holder.data, "line_id": self.line_id.data}
