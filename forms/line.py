"""A whole production line with its yellow/orange/red measures, in one form."""
from wtforms import BooleanField, FloatField, FormField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from emergency.limits import text_limit
from emergency.lists.preview import digest, line_warnings
from emergency.registry.measures import PARAM_LABELS, TRANSPORT_LABELS, TRANSPORTS
from emergency.registry.operations import LINE_FIELDS, check_line, measure_types
from forms.base import BaseForm, SubForm, VersionField, add_error, finite, options
from models import LineMeasure, ProductionLine

NON_NEGATIVE = NumberRange(min=0, message="不能为负数")


class MeasureForm(SubForm):
    """One level's measure; a sub-form, so CSRF is the parent's."""

    # Choices are the measure types of the database, set by LineForm.
    action = SelectField("措施类型", validators=[DataRequired("请选择措施类型")])
    limit_pct = FloatField("比例（%）", validators=[Optional(), finite], description="限产X%，或按生产线停产X%")
    hours = FloatField(PARAM_LABELS["hours"], validators=[Optional(), finite], description="仅“延长结焦时间”填写")
    cap_pct = FloatField(PARAM_LABELS["cap"], validators=[Optional(), finite], description="以热定产、以量定产填写")
    other_fraction = FloatField("削减比例（0–1）", validators=[Optional(), finite], description="仅“其他”措施填写")
    transport = SelectField("运输管控", default="none",
                            choices=options([(code, TRANSPORT_LABELS[code]) for code in TRANSPORTS]))
    text = StringField("减排措施（通知单文字）", validators=[Optional(), Length(max=text_limit(LineMeasure.text))])
    indicators = StringField("核查指标", validators=[Optional(), Length(max=text_limit(LineMeasure.indicators))],
                             description="如：用电量、用气量、投料量")


class LineForm(BaseForm):
    name = StringField("生产线名称", validators=[DataRequired("请填写生产线名称"),
                                            Length(max=text_limit(ProductionLine.name))])
    process_stage = StringField("工序", validators=[Optional(), Length(max=text_limit(ProductionLine.process_stage))])
    facilities = StringField("主要生产设施", validators=[Optional(), Length(max=text_limit(ProductionLine.facilities))])
    capacity = FloatField("产能", validators=[Optional(), finite, NON_NEGATIVE])
    capacity_unit = StringField("产能单位",
                                validators=[Optional(), Length(max=text_limit(ProductionLine.capacity_unit))])
    main_products = StringField("主要产品",
                                validators=[Optional(), Length(max=text_limit(ProductionLine.main_products))])
    output = FloatField("产量（年）", validators=[Optional(), finite, NON_NEGATIVE])
    output_unit = StringField("产量单位", validators=[Optional(), Length(max=text_limit(ProductionLine.output_unit))],
                              description="如：万吨/年")
    treatment_facilities = StringField("污染治理设施", validators=[
        Optional(), Length(max=text_limit(ProductionLine.treatment_facilities))], description="如：SCR脱硝、布袋除尘")
    can_stop_quickly = BooleanField("可短时停产", default=True, description="焦炉、高炉等不可短时停产的设施请取消勾选")
    coking_hours = FloatField("正常结焦时间（小时）", validators=[Optional(), finite, NumberRange(
        min=1, max=240, message="应在1到240小时之间")], description="焦炉填写，用于核算“延长结焦时间”")
    so2_t_yr = FloatField("SO2（吨/年）", default=0, validators=[Optional(), finite, NON_NEGATIVE])
    nox_t_yr = FloatField("NOx（吨/年）", default=0, validators=[Optional(), finite, NON_NEGATIVE])
    pm_t_yr = FloatField("颗粒物（吨/年）", default=0, validators=[Optional(), finite, NON_NEGATIVE])
    vocs_t_yr = FloatField("VOCs（吨/年）", default=0, validators=[Optional(), finite, NON_NEGATIVE])
    operating_days = IntegerField("年运行天数", default=300,
                                  validators=[DataRequired("请填写年运行天数"), NumberRange(1, 366, "应在1到366之间")])
    version = VersionField()
    # The warnings the clerk has seen (their digest); saving with warnings needs this box ticked.
    warnings_seen = HiddenField()
    confirm_warnings = BooleanField("我已核对上述提示，仍按填报内容保存")
    yellow = FormField(MeasureForm, label="黄色预警")
    orange = FormField(MeasureForm, label="橙色预警")
    red = FormField(MeasureForm, label="红色预警")

    LEVEL_FIELDS = ("yellow", "orange", "red")

    def __init__(self, *args, enterprise=None, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        self.existing = existing
        self.level_warnings = {}
        choices = options([("", "请选择")] + measure_types().choices())
        for level in self.LEVEL_FIELDS:
            self[level].action.choices = choices

    def values(self):
        values = {name: self[name].data for name in LINE_FIELDS}
        for pollutant in ("so2_t_yr", "nox_t_yr", "pm_t_yr", "vocs_t_yr"):
            values[pollutant] = values[pollutant] or 0.0
        return values

    def measures(self):
        return {level: dict(self[level].data) for level in self.LEVEL_FIELDS}

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for key, message in check_line(self.enterprise, self.values(), self.measures(), self.existing).items():
            level, _, sub = key.partition("-")
            add_error(self[level][sub] if sub else self[key], message)
            ok = False
        return ok and self._warnings_confirmed()

    def _warnings_confirmed(self):
        """Show the rules' warnings first; save once the clerk confirms exactly the warnings shown."""
        self.level_warnings = line_warnings(self.enterprise, self.values(), self.measures(), self.existing)
        if not self.level_warnings:
            return True
        seen = digest(self.level_warnings)
        if self.confirm_warnings.data and self.warnings_seen.data == seen:
            return True
        self.warnings_seen.data = seen
        self.confirm_warnings.data = False
        return False
