"""The notices' settings: the 文号 prefix, legal basis, consequences, and one contact field per county."""
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from emergency.publishing import notice_settings as ns
from forms.base import BaseForm


class NoticeSettingsForm(BaseForm):
    """Field names are the setting keys, so the domain's messages land on their fields."""

    notice_number_prefix = StringField(
        "文号前缀", validators=[Length(max=ns.PREFIX_MAX, message=f"文号前缀不超过{ns.PREFIX_MAX}字")],
        description="文号 = 前缀 + “预警编号-序号号”，如“晋市环应急〔2020〕3-007号”；{year} 为预警启动年份")
    notice_legal_basis = TextAreaField(
        "法律依据", validators=[Length(max=ns.LIMITS[ns.LEGAL_BASIS], message="法律依据过长")],
        description="通知正文“根据……”之后的文字")
    notice_consequences = TextAreaField(
        "不落实的后果", validators=[Length(max=ns.LIMITS[ns.CONSEQUENCES], message="不落实的后果过长")])

    def contact_fields(self):
        return [self[name] for name in self._fields if name.startswith("contact_")]

    def values(self, counties):
        """The values for ``notice_settings.save_notice_settings``."""
        values = {key: self[key].data or "" for key in ns.CONFIG}
        values["contacts"] = {c.id: self[f"contact_{c.id}"].data or "" for c in counties}
        return values


def notice_settings_form(counties, **kwargs):
    """The form with a contact field for each county, in display order."""

    class Form(NoticeSettingsForm):
        pass

    for county in counties:
        setattr(Form, f"contact_{county.id}", StringField(
            county.name, validators=[Optional(), Length(max=ns.CONTACT_MAX, message="联系人及电话过长")],
            description=f"留空时印“{ns.default_contact(county)}”"))
    return Form(**kwargs)
