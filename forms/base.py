"""The base classes every form derives from, so that every message speaks Chinese, and shared form helpers."""
import functools
import math
import re

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, SelectChoice, ValidationError, i18n

from emergency.limits import MAX_ID

# WTForms' own catalogue: "zh" is Simplified Chinese (zh_TW is the Traditional one).
LOCALES = ("zh",)

# Where the zh catalogue is missing a message, says the opposite ("at least" as "greater than") or uses a
# programmer's word ("浮点数"), and Flask-WTF's file messages, which no WTForms catalogue holds.
PLAIN_CHINESE = {
    "Not a valid float value.": "请填写数字",
    "Not a valid decimal value.": "请填写数字",
    "Not a valid integer value.": "请填写整数",
    "Number must be at least %(min)s.": "不能小于%(min)s",
    "Number must be at most %(max)s.": "不能大于%(max)s",
    "Not a valid week value.": "请填写有效的周",
    "This field cannot be edited.": "此项不可修改",
    "This field is disabled and cannot have a value.": "此项已停用，不能填写",
    "File does not have an approved extension: {extensions}": "不支持该文件类型，请上传：{extensions}",
    "File does not have an approved extension.": "不支持该文件类型",
}
# Flask-WTF's FileSize puts the sizes in before asking the catalogue.
FILE_SIZE = re.compile(r"File must be between (\d+) and (\d+) bytes\.")

# Flask-WTF raises these in English without asking any catalogue; any other failure (a forged token, a
# token of another session) is reported as invalid.
CSRF_MESSAGES = {
    "The CSRF token is missing.": "缺少表单令牌，请刷新页面后重新提交",
    "The CSRF token has expired.": "页面已过期，请刷新页面后重新提交",
}
CSRF_INVALID = "表单令牌无效，请刷新页面后重新提交"


class ChineseTranslations:
    """WTForms' zh catalogue with the corrections above."""

    def __init__(self, catalogue):
        self.catalogue = catalogue

    def gettext(self, string):
        if size := FILE_SIZE.fullmatch(string):
            return "文件大小应在{}到{}字节之间".format(*size.groups())
        return PLAIN_CHINESE.get(string) or self.catalogue.gettext(string)

    def ngettext(self, singular, plural, n):
        return self.catalogue.ngettext(singular, plural, n)


@functools.cache
def chinese_translations(locales=LOCALES):
    return ChineseTranslations(i18n.get_translations(list(locales)))


class ChineseMeta:
    """Meta options of forms and sub-forms alike: the messages come from the Chinese catalogue."""

    locales = LOCALES

    def get_translations(self, form):
        # Flask-WTF asks Flask-Babel, which the app does not use, and otherwise falls back to English.
        return chinese_translations(tuple(self.locales))


class ChineseCSRF(FlaskForm.Meta.csrf_class):
    """Flask-WTF's CSRF check, reporting its failures in Chinese."""

    def validate_csrf_token(self, form, field):
        try:
            super().validate_csrf_token(form, field)
        except ValidationError as error:
            raise ValidationError(CSRF_MESSAGES.get(str(error), CSRF_INVALID)) from error


class BaseForm(FlaskForm):
    """A Flask-WTF form (CSRF-checked, fed from the request) whose messages are Chinese."""

    class Meta(ChineseMeta):
        csrf_class = ChineseCSRF


class SubForm(Form):
    """A form nested in another through FormField; CSRF is the parent's."""

    class Meta(ChineseMeta):
        pass


class FilterForm(BaseForm):
    """GET filters of a list; no CSRF because they change nothing."""

    class Meta:
        csrf = False


def add_error(field, message):
    """Attach a domain check's message to ``field`` once (WTForms may hold its errors as a tuple)."""
    if message not in field.errors:
        field.errors = list(field.errors) + [message]


def options(pairs):
    """Turn (value, label) pairs into WTForms SelectChoice objects (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice("" if value is None else value, label) for value, label in pairs]


def int_or_none(value):
    """An id from a select or hidden field; None for anything else, including numbers no column can hold."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -MAX_ID <= number <= MAX_ID else None


def finite(form, field):
    """Refuse "inf", "nan" and overflowing numbers such as 1e400, which parse as floats but mean nothing."""
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError("请填写有效的数字")


class VersionField(HiddenField):
    """Optimistic locking: the version of the record the form was opened on.

    A posted form without the field has no version (None, which the save refuses as a conflict); WTForms
    would otherwise keep the stored record's own version and let the save overwrite whatever is there.
    """

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else None
