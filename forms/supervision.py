"""Power-supervision forms: the readings upload, an inspection, a positive-list entry, a proposal's decision."""
from flask_wtf.file import FileField, FileRequired

from forms.base import BaseForm


class PowerUploadForm(BaseForm):
    file = FileField("电量文件", validators=[FileRequired("请选择要导入的文件")],
                     description="电网公司导出的 .xlsx、.xls 或 .csv（UTF-8 或 GBK 编码），"
                                 "每行一个户号一天（或一小时）；"
                                 "先检查，确认无误后再导入")
