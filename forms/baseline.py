"""Baseline forms: a season, a grid of figures (county × source type × pollutant, t/d), and the workbook upload."""
from flask_wtf.file import FileField, FileRequired
from wtforms import FieldList, FloatField, FormField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from emergency.baseline.amounts import amount_problem
from emergency.baseline.seasons import NAME_MAX, NOTE_MAX, check_season
from forms.base import BaseForm, SubForm, add_error, finite
from forms.request import DateInput
from models import POLLUTANT_LABELS, POLLUTANTS

STALE = "表格已过期或有误，请刷新页面后重新填写"


class SeasonForm(BaseForm):
    name = StringField("季节名称", validators=[DataRequired("请填写季节名称"), Length(max=NAME_MAX)],
                       description="如“2020–2021年秋冬季”")
    starts_on = DateInput("开始日期", validators=[Optional()], description="秋冬季一般为10月1日至次年3月31日")
    ends_on = DateInput("结束日期", validators=[Optional()])
    note = StringField("说明（数据来源）", validators=[Optional(), Length(max=NOTE_MAX)],
                       description="如：2020年大气污染源排放清单")

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing

    def values(self):
        return {name: self[name].data for name in ("name", "starts_on", "ends_on", "note")}

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.starts_on.errors or self.ends_on.errors:
            return False
        for name, message in check_season(self.values(), existing=self.existing).items():
            add_error(self[name], message)
            ok = False
        return ok


def amount(form, field):
    """The grids' own rule for a figure (``amounts.amount_problem``)."""
    message = amount_problem(field.data)
    if message:
        raise ValidationError(message)


def figure(pollutant):
    return FloatField(POLLUTANT_LABELS[pollutant], validators=[Optional(), finite, amount])


class GridRowForm(SubForm):
    """One county and source type: its four figures (blank: not entered)."""

    key = HiddenField(validators=[DataRequired(STALE), Regexp(r"^\d{1,9}:[a-z]{1,12}$", message=STALE)])
    so2 = figure("so2")
    nox = figure("nox")
    pm = figure("pm")
    vocs = figure("vocs")


class AmountGridForm(BaseForm):
    """A season's baseline, or its non-industrial reductions at one level, as the page shows them."""

    rows = FieldList(FormField(GridRowForm), min_entries=1)

    def cells(self):
        """{(county id, source type, pollutant): t/d or None} of every row posted."""
        cells = {}
        for row in self.rows:
            county_id, _, source_type = row.key.data.partition(":")
            for pollutant in POLLUTANTS:
                cells[(int(county_id), source_type, pollutant)] = row[pollutant].data
        return cells


class BaselineUploadForm(BaseForm):
    file = FileField("基数文件", validators=[FileRequired("请选择要导入的文件")],
                     description="本页导出的工作簿（也可为同样列的 .xls 或 .csv）；先检查，确认无误后再导入")
