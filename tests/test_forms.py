"""Every form in forms/ answers bad input in Chinese; a real page shows the message and writes nothing.

The forms are found by introspection, so a form added later is checked without editing this file.
"""
import importlib
import inspect
import io
import pkgutil
import re
from datetime import datetime

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FloatField, Form, IntegerField, StringField
from wtforms import fields as wtf
from wtforms.validators import DataRequired, Length, NumberRange, Optional

import forms
from forms.auth import LoginForm
from forms.base import BaseForm, SubForm
from models import Alert, AuditLog, Enterprise, db

# Latin words a Chinese message may legitimately contain: pollutant names, file types, encodings.
ALLOWED_WORDS = {"SO2", "NOx", "VOCs", "PM", "PM2", "CSV", "csv", "xlsx", "xls", "PDF", "JPG", "PNG", "URL", "UTF",
                 "GBK"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")

# Bad values per kind of field; round n of the test sends value n (cycling) to every field at once, so one
# round mixes too-long text, a non-number, a bad date and an unknown choice, and the blank round is the
# missing-required case.
BAD = {
    "text": ["长" * 5001, "", "2024-13-45", "0001-01-01", "x" * 65, "  "],
    "number": ["abc", "", "1e400", "-1", "99999999999999999999", "nan"],
    "date": ["2024-13-45", "", "0001-01-01T00:00", "abc", "9999-12-31T23:59", "2020-12-01"],
    "choice": ["no-such-choice", "", "99999999999999999999", "-1", "abc", "0"],
    "flag": ["y", "", "y", "", "y", ""],
    "file": ["not-a-file", "", "x", "", "x", ""],
}
ROUNDS = len(BAD["text"])
# Filter forms ignore unknown values on purpose (a stale bookmark still works), so they never report errors.
ACCEPTS_ANYTHING = {"RegistryFilterForm", "RequestFilterForm", "FloorFilterForm", "BoardFilterForm", "ListFilterForm"}


def form_classes():
    """Every public form class of the forms package (forms/base.py and _private classes hold only bases)."""
    found = []
    for info in pkgutil.iter_modules(forms.__path__):
        module = importlib.import_module(f"forms.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Form) and cls.__module__ == module.__name__ != "forms.base" and name[0] != "_":
                found.append(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


FORMS = form_classes()


def kind_of(field):
    if isinstance(field, (wtf.IntegerField, wtf.FloatField, wtf.DecimalField)):
        return "number"
    if isinstance(field, (wtf.DateField, wtf.DateTimeField, wtf.TimeField)):
        return "date"
    if isinstance(field, (wtf.SelectField, wtf.SelectMultipleField, wtf.RadioField)):
        return "choice"
    if isinstance(field, wtf.BooleanField):
        return "flag"
    if isinstance(field, (wtf.FileField, wtf.MultipleFileField)):
        return "file"
    return "text"


def leaf_fields(form):
    """The form's fields, with the fields of sub-forms in place of the FormField itself."""
    for field in form:
        if isinstance(field, wtf.FormField):
            yield from leaf_fields(field.form)
        elif field.name != "csrf_token":
            yield field


def formdata_for(cls, round_no, context):
    data = MultiDict()
    for field in leaf_fields(cls(formdata=None, **kwargs_for(cls, context))):
        value = BAD[kind_of(field)][round_no % len(BAD[kind_of(field)])]
        if isinstance(field, wtf.SelectMultipleField):
            data.setlist(field.name, [value, "abc"])
        else:
            data.add(field.name, value)
    return data


def messages(errors):
    """All error strings of ``form.errors``, however deeply sub-forms nest them."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        errors = errors.values()
    return [message for item in errors for message in messages(item)]


def english(message):
    return [word for word in LATIN_WORD.findall(message) if word not in ALLOWED_WORDS]


@pytest.fixture
def context(make_enterprise):
    """Keyword arguments the forms' constructors take, as the views pass them."""
    enterprise = make_enterprise()
    alert = Alert(level="orange", all_counties=True, started_at=datetime(2020, 12, 1))
    return {"enterprise": enterprise, "existing": None, "alert": alert, "version_ids": [1, 2]}


def kwargs_for(cls, context):
    """The context values the form's constructor takes by keyword."""
    wanted = [name for name, p in inspect.signature(cls.__init__).parameters.items() if p.kind == p.KEYWORD_ONLY]
    unknown = [name for name in wanted if name not in context]
    assert not unknown, f"{cls.__name__} takes {unknown}: add a value for it to the context fixture"
    return {name: context[name] for name in wanted}


def build(cls, context, formdata):
    form = cls(formdata, **kwargs_for(cls, context))
    for field in leaf_fields(form):
        if getattr(field, "choices", False) is None:
            field.choices = []  # the views fill these from the database
    return form


def test_every_form_derives_from_the_chinese_base():
    assert len(FORMS) >= 20
    strays = [cls.__name__ for cls in FORMS if not issubclass(cls, (BaseForm, SubForm))]
    assert strays == []


@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: cls.__name__)
def test_every_form_answers_bad_input_in_chinese(app, context, cls):
    seen = []
    for round_no in range(ROUNDS):
        formdata = formdata_for(cls, round_no, context)
        with app.test_request_context("/", method="POST", data=formdata):
            form = build(cls, context, formdata)
            form.validate()
            seen += messages(form.errors)
    expects_errors = cls.__name__ not in ACCEPTS_ANYTHING
    assert bool(seen) is expects_errors
    offending = sorted({message for message in seen if english(message)})
    assert offending == []


def test_the_built_in_messages_are_simplified_chinese(app):
    with app.test_request_context("/", method="POST"):
        form = LoginForm(MultiDict({"username": "名" * 61, "password": "x"}))
        assert not form.validate()
    assert form.username.errors == ["字段长度不能超过 60 个字符。"]


class Sample(BaseForm):
    """Validators and fields no form uses yet, whose default messages must be Chinese all the same."""

    count = IntegerField("数量", validators=[NumberRange(min=1, max=9)])
    share = DecimalField("比例", validators=[Optional()])
    least = FloatField("下限", validators=[Optional(), NumberRange(min=5)])
    most = FloatField("上限", validators=[Optional(), NumberRange(max=5)])
    upload = FileField("文件", validators=[FileRequired(), FileAllowed(["pdf"]), FileSize(max_size=3)])
    code = StringField("代码", validators=[DataRequired(), Length(min=2, max=3)])


@pytest.mark.parametrize("data, expected", [
    ({"count": "abc", "share": "x", "least": "1", "most": "9"},
     {"count": ["请填写整数", "数值大小必须介于 1 到 9 之间。"], "share": ["请填写数字"], "least": ["不能小于5"], "most": ["不能大于5"],
      "upload": ["该字段是必填字段。"], "code": ["该字段是必填字段。"]}),
    ({"count": "0", "upload": (io.BytesIO(b"%PDF"), "a.exe"), "code": "abcd"},
     {"count": ["数值大小必须介于 1 到 9 之间。"], "upload": ["不支持该文件类型，请上传：pdf"],
      "code": ["字段长度必须介于 2 到 3 个字符之间。"]}),
    ({"count": "5", "upload": (io.BytesIO(b"%PDF-1.4"), "a.pdf"), "code": "ab"},
     {"upload": ["文件大小应在0到3字节之间"]}),
])
def test_default_messages_of_other_validators_are_chinese(app, data, expected):
    with app.test_request_context("/", method="POST", data=data, content_type="multipart/form-data"):
        form = Sample()
        assert not form.validate()
    assert form.errors == expected


class EpochSigner(TimestampSigner):
    """Signs as if in 1970, so the token is long expired."""

    def get_timestamp(self):
        return 0


@pytest.mark.parametrize("token, expected", [
    (None, "缺少表单令牌"),
    ("forged", "表单令牌无效"),
    ("expired", "页面已过期"),
])
def test_csrf_failures_are_reported_in_chinese(app, monkeypatch, token, expected):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with app.test_request_context("/", method="POST"):
        generate_csrf()  # puts the session half of the token in place
        if token == "expired":
            serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=EpochSigner)
            token = serializer.dumps(session["csrf_token"])
        data = {"username": "admin", "password": "x"} | ({"csrf_token": token} if token else {})
        form = LoginForm(MultiDict(data))
        assert not form.validate()
    assert len(form.csrf_token.errors) == 1
    assert expected in form.csrf_token.errors[0]
    assert english(form.csrf_token.errors[0]) == []


def test_a_post_without_csrf_token_gets_the_chinese_error_page(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/login", data={"username": "admin", "password": "x"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请求无效，请检查后重试。" in body
    assert "CSRF" not in body


def test_a_page_shows_the_chinese_message_and_writes_nothing(make_enterprise, make_user, login):
    enterprise = make_enterprise(name="城区甲水泥")
    client = login(make_user("city"))
    page = client.get(f"/enterprises/{enterprise.id}/edit").get_data(as_text=True)
    data = {"name": "城区甲水泥", "credit_code": enterprise.credit_code, "county_id": enterprise.county_id,
            "industry_id": enterprise.industry_id, "category_code": "GRADED", "grade_code": "B",
            "town": "镇" * 61, "version": enterprise.version}
    assert "乡镇（街道）" in page
    entries = db.session.query(AuditLog).count()
    response = client.post(f"/enterprises/{enterprise.id}/edit", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "字段长度不能超过 60 个字符。" in body
    assert "未保存任何内容" in body
    assert "Field cannot be longer" not in body
    db.session.expire_all()
    assert db.session.get(Enterprise, enterprise.id).town in (None, "")
    assert db.session.query(AuditLog).count() == entries
