"""Floor forms: the list filters, a row's measure and evidence, a new row's key, the rules' settings, the upload."""
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FloatField, FormField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from emergency.limits import text_limit
from emergency.lists.policy import FLOOR_SCOPE_LABELS, SETTING_LABELS
from emergency.registry import floors
from emergency.registry.operations import measure_types
from emergency.registry.queries import industry_choices
from forms.base import BaseForm, FilterForm, add_error, finite, int_or_none, options
from forms.line import MeasureForm
from models import LEVEL_LABELS, Grade, MeasureFloor, db

SCOPE_CHOICES = list(FLOOR_SCOPE_LABELS.items())
LEVEL_CHOICES = list(LEVEL_LABELS.items())


def grade_choices(blank):
    return [("", blank)] + [(g.code, g.label) for g in db.session.query(Grade).order_by(Grade.sort_order)]


class FloorFilterForm(FilterForm):
    scope = SelectField("适用范围", default="", validate_choice=False)
    industry = SelectField("行业", coerce=int_or_none, validate_choice=False)
    grade = SelectField("绩效等级", default="", validate_choice=False)
    level = SelectField("预警级别", default="", validate_choice=False)
    # Not "process": a form field of that name would hide Form.process.
    stage = SelectField("工序", default="", validate_choice=False)
    provisional = SelectField("依据", default="", validate_choice=False,
                              choices=options([("", "全部"), ("1", "暂定"), ("0", "核定")]))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = options([("", "全部")] + SCOPE_CHOICES)
        self.industry.choices = options(industry_choices())
        self.grade.choices = options(grade_choices("全部"))
        self.level.choices = options([("", "全部")] + LEVEL_CHOICES)
        self.stage.choices = options([("", "全部"), (floors.WHOLE_INDUSTRY, "（全部工序通用）")]
                                       + [(p, p) for p in floors.process_names()])

    def filters(self):
        return {"scope": self.scope.data, "industry_id": self.industry.data, "grade_code": self.grade.data,
                "level": self.level.data, "process": self.stage.data, "provisional": self.provisional.data}


class FloorForm(BaseForm):
    """A row's measure (the line form's measure fields, without the indicators) and its evidence."""

    measure = FormField(MeasureForm, label="底线措施")
    provisional = BooleanField("暂定（待按技术指南2020版原表核定）")
    source = StringField("依据（来源）", validators=[Optional(), Length(max=text_limit(MeasureFloor.source))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure.action.choices = options([("", "请选择")] + measure_types().choices())

    def values(self):
        measure = {k: v for k, v in self.measure.data.items() if k != "indicators"}
        return {**measure, "provisional": self.provisional.data, "source": self.source.data or ""}

    FIELDS = {}

    def field_for(self, name):
        """The field a domain check's message belongs to."""
        name = self.FIELDS.get(name, name)
        if name in self.measure.form:
            return self.measure[name]
        return self[name] if name in self else None

    def attach(self, errors):
        """Show a domain check's messages next to their fields; return those that belong to none."""
        rest = []
        for name, message in errors.items():
            target = self.field_for(name)
            if target is None:
                rest.append(message)
            else:
                add_error(target, message)
        return rest


class NewFloorForm(FloorForm):
    scope = SelectField("适用范围", choices=options([("", "请选择")] + SCOPE_CHOICES))
    industry_id = SelectField("行业", coerce=int_or_none, validate_choice=False,
                              description="一般管控、小微涉气企业的通用底线不选行业")
    grade_code = SelectField("绩效等级", default="", validate_choice=False, description="仅绩效分级行业选择")
    level = SelectField("预警级别", choices=options([("", "请选择")] + LEVEL_CHOICES))
    stage = StringField("工序", validators=[Optional(), Length(max=text_limit(MeasureFloor.process))],
                        description="留空：适用于全部工序；如焦炉、烧结、石灰窑")
    FIELDS = {"process": "stage"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.industry_id.choices = options(industry_choices(blank="（不限行业）"))
        self.grade_code.choices = options(grade_choices("（不分等级）"))

    def values(self):
        return {**super().values(), "scope": self.scope.data, "industry_id": self.industry_id.data,
                "grade_code": self.grade_code.data or None, "level": self.level.data,
                "process": self.stage.data or ""}


class SettingsForm(BaseForm):
    strictest_limit_pct = FloatField(SETTING_LABELS["strictest_limit_pct"],
                                     validators=[InputRequired("请填写最严限产比例"), finite])
    count_self_commitment = BooleanField(SETTING_LABELS["count_self_commitment"])
    small_micro_threshold_t_yr = FloatField(SETTING_LABELS["small_micro_threshold_t_yr"],
                                            validators=[InputRequired("请填写排放量上限"), finite])

    def values(self):
        return {name: self[name].data for name in SETTING_LABELS}


class FloorUploadForm(BaseForm):
    file = FileField("底线文件", validators=[FileRequired("请选择要导入的文件")],
                     description="本页导出的工作簿（也可为同样列的 .xls 或 .csv）；先检查，确认无误后再导入")
