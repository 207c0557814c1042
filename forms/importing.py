"""Import forms: the upload (dry run) and the confirmation that commits a previewed file."""
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from forms.base import BaseForm


class UploadForm(BaseForm):
    file = FileField("清单文件", validators=[FileRequired("请选择要导入的文件")],
                     description="支持 .xlsx、.xls 和 .csv（UTF-8 或 GBK 编码）；先预览检查，确认无误后再导入")


class CommitForm(BaseForm):
    """Names the previewed upload by its token and SHA-256, so exactly those bytes are committed."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{32,64}$")])
    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
