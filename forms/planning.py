"""Accepting a target-solver proposal: which of its changed lines to save."""
from wtforms import Field, HiddenField
from wtforms.validators import DataRequired, Length, Regexp

from emergency.limits import MAX_ID
from forms.base import BaseForm

MAX_CHOSEN = 100000


class IdListField(Field):
    """A list of record ids from repeated checkboxes of one name; anything else is a Chinese error."""

    def process_formdata(self, valuelist):
        self.data = []
        if len(valuelist) > MAX_CHOSEN:
            raise ValueError("所选项目过多")
        for raw in valuelist:
            raw = raw.strip()
            if not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID):
                self.data = []
                raise ValueError("所选生产线编号无效，请刷新后重试")
            self.data.append(int(raw))

    def _value(self):
        return ""


class AcceptProposalForm(BaseForm):
    """The proposal's fingerprint and the chosen line ids."""

    fingerprint = HiddenField(validators=[DataRequired("缺少方案标识，请刷新后重试"),
                                          Length(max=64), Regexp(r"^[0-9a-f]+$", message="方案标识无效，请刷新后重试")])
    lines = IdListField("调整项")
