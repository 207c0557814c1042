"""Login form."""
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from emergency.limits import text_limit
from forms.base import BaseForm
from models import User


class LoginForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=text_limit(User.username))])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])
