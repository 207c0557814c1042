"""Login form."""
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from forms.base import BaseForm


class LoginForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=60)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])
