"""The form that creates a read-API token."""
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from emergency.limits import text_limit
from forms.base import BaseForm, int_or_none
from models import ApiToken


class NewApiTokenForm(BaseForm):
    name = StringField("令牌名称（调用方）", validators=[DataRequired("请填写令牌名称（调用方）"),
                                                  Length(max=text_limit(ApiToken.name))],
                       description="例如：省级应急减排平台、国网晋城供电公司、泽州县管理系统")
    county_id = SelectField("可读范围", coerce=int_or_none, validators=[Optional()],
                            description="县（市、区）令牌只能读取本县数据；全市令牌可读取全部")
