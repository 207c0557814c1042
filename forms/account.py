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
    role = SelectField("角色", choices=options([(r, ROLE_LABELS[r]) for r in ROLES]))
    county_id = SelectField("所属县（市、区）", coerce=int_or_none, validators=[Optional()],
                            description="县级用户必填")
    enterprise = StringField("企业统一社会信用代码", validators=[Optional(), Length(max=40)],
                             description="企业用户必填")
    password = PasswordField("初始密码", validators=[DataRequired("请输入初始密码")])
