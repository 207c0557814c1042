"""Password change, admin password reset and user creation forms."""
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from emergency.limits import text_limit
from forms.base import BaseForm, int_or_none, options
from models import ROLE_LABELS, ROLES, User


class ChangePasswordForm(BaseForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码")],
                        description="至少10位，同时包含字母和数字，不含用户名")
    confirm = PasswordField("确认新密码", validators=[DataRequired("请再次输入新密码"),
                                                 EqualTo("new", "两次输入的新密码不一致")])


class ResetPasswordForm(BaseForm):
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码")],
                        description="至少10位，同时包含字母和数字，不含用户名")


class NewUserForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=text_limit(User.username))])
    real_name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(
        max=text_limit(User.real_name), message=f"姓名不超过{text_limit(User.real_name)}字")])
    unit = StringField("单位", validators=[DataRequired("请输入单位"), Length(
        max=text_limit(User.unit), message=f"单位不超过{text_limit(User.unit)}字")],
                       description="如：晋城市生态环境局大气科、泽州县生态环境分局")
    phone = StringField("电话", validators=[DataRequired("请输入电话"), Length(
        max=text_limit(User.phone), message=f"电话不超过{text_limit(User.phone)}字")])
    # No default: an account gets the rights someone chose for it, never 系统管理员 by accident.
    role = SelectField("角色", choices=options([("", "请选择")] + [(r, ROLE_LABELS[r]) for r in ROLES]),
                       validate_choice=False, validators=[DataRequired("请选择角色")])
    county_id = SelectField("所属县（市、区）", coerce=int_or_none, validators=[Optional()],
                            description="县级用户必填")
    enterprise = StringField("企业统一社会信用代码", validators=[Optional(), Length(max=40)],
                             description="企业用户必填")
    password = PasswordField("初始密码", validators=[DataRequired("请输入初始密码")])

    def profile(self):
        return {"real_name": self.real_name.data, "unit": self.unit.data, "phone": self.phone.data}
