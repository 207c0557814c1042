"""Recording an alert, changing its level and ending it."""
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from emergency.lists.gate import OVERRIDE_MAX
from emergency.publishing.alerts import NOTE_MAX, check_end, check_level_change, check_start, local_to_utc
from forms.base import BaseForm, add_error, int_or_none, options
from models import LEVEL_LABELS, LEVELS

LEVEL_CHOICES = [("", "请选择")] + [(level, f"{LEVEL_LABELS[level]}预警") for level in LEVELS]
TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class LocalTimeField(DateTimeLocalField):
    """A local date and time; blank is left to DataRequired, a bad value gets a Chinese message."""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("时间格式应为“2020-12-01 08:00”") from None
        if not 1900 <= self.data.year <= 2999:
            # Year 1 or 9999 would overflow when turned into UTC.
            self.data = None
            raise ValueError("时间应在1900年至2999年之间")


def override_field():
    """The written reason a city user gives to dispatch while the latest version has errors."""
    return TextAreaField(
        "强制下发理由", validators=[Optional(), Length(max=OVERRIDE_MAX, message=f"理由不超过{OVERRIDE_MAX}字")],
        description="清单版本存在错误时，仅市局人员可填写理由后下发；理由记入审计日志，并印在下发文件的“说明”页")


def _apply(form, errors, fields):
    """Attach domain errors to their fields (others to the form); return whether there were none."""
    for key, message in errors.items():
        if key in fields:
            add_error(form[key], message)
        else:
            form.form_errors.append(message)
    return not errors


class AlertForm(BaseForm):
    # Unknown choices are reported by the domain check, in Chinese.
    level = SelectField("预警级别", choices=options(LEVEL_CHOICES), validate_choice=False,
                        validators=[DataRequired("请选择预警级别")])
    scope = RadioField("范围", choices=options([("all", "全市"), ("some", "部分县（市、区）")]), default="all",
                       validate_choice=False, validators=[DataRequired("请选择范围")])
    county_ids = SelectMultipleField("县（市、区）", coerce=int_or_none, validate_choice=False,
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                     description="范围为“部分县（市、区）”时勾选")
    started_at = LocalTimeField("启动时间", format=TIME_FORMATS, validators=[InputRequired("请填写启动时间")])
    note = StringField("说明（文号等）", validators=[Optional(), Length(max=NOTE_MAX, message=f"不超过{NOTE_MAX}字")])
    override_reason = override_field()

    def values(self):
        """The submitted values as ``alerts.start_alert`` takes them (times in UTC)."""
        return {"level": self.level.data, "all_counties": self.scope.data == "all",
                "county_ids": list(self.county_ids.data or []), "started_at": local_to_utc(self.started_at.data),
                "note": (self.note.data or "").strip(), "override_reason": self.override_reason.data or ""}

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok:
            ok = _apply(self, check_start(self.values()), ("level", "county_ids", "started_at", "note"))
        return ok


class LevelForm(BaseForm):
    level = SelectField("调整为", choices=options(LEVEL_CHOICES), validate_choice=False,
                        validators=[DataRequired("请选择预警级别")])
    override_reason = override_field()

    def __init__(self, *args, alert=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.alert = alert

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return ok and _apply(self, check_level_change(self.alert, self.level.data), ("level",))


class EndForm(BaseForm):
    ended_at = LocalTimeField("解除时间", format=TIME_FORMATS, validators=[InputRequired("请填写解除时间")])

    def __init__(self, *args, alert=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.alert = alert

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return ok and _apply(self, check_end(self.alert, local_to_utc(self.ended_at.data)), ("ended_at",))
