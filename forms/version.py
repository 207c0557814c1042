"""Publishing a list version and choosing two versions to compare."""
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from emergency.lists.gate import OVERRIDE_MAX
from emergency.publishing.versions import NAME_MAX, NOTE_MAX, check_publish
from forms.base import BaseForm, FilterForm, add_error, int_or_none


class PublishForm(BaseForm):
    name = StringField("版本名称", validators=[DataRequired("请填写版本名称，如“2020年修订版”"),
                                           Length(max=NAME_MAX, message=f"版本名称不超过{NAME_MAX}字")],
                       description="如：2020年修订版、2020年12月动态调整")
    note = StringField("说明", validators=[Optional(), Length(max=NOTE_MAX, message=f"说明不超过{NOTE_MAX}字")])
    override_reason = TextAreaField(
        "强制发布理由", validators=[Optional(), Length(max=OVERRIDE_MAX, message=f"理由不超过{OVERRIDE_MAX}字")],
        description="清单存在错误时，仅市局人员可填写理由后发布；理由记入审计日志，并印在清单的“说明”页")

    def validate(self, extra_validators=None):
        """Field checks, then the domain's (a name already used)."""
        ok = super().validate(extra_validators)
        if ok:
            for field, message in check_publish(self.name.data, self.note.data).items():
                add_error(self[field], message)
                ok = False
        return ok


class CompareForm(FilterForm):
    """GET choice of two versions."""

    old = SelectField("原版本", coerce=int_or_none, validate_choice=False, validators=[DataRequired("请选择原版本")])
    new = SelectField("新版本", coerce=int_or_none, validate_choice=False, validators=[DataRequired("请选择新版本")])

    def __init__(self, *args, version_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.version_ids = set(version_ids)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in (self.old, self.new):
            if field.data is not None and field.data not in self.version_ids:
                add_error(field, "没有这个版本，请从列表中选择")
                ok = False
        if ok and self.old.data == self.new.data:
            add_error(self.new, "请选择两个不同的版本进行对比")
            ok = False
        return ok
