"""Enterprise create/edit form and the registry filter form."""
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from emergency.limits import text_limit
from emergency.lists.page import REGISTRY_STATUSES
from emergency.registry.operations import ENTERPRISE_FIELDS, check_enterprise
from forms.base import BaseForm, FilterForm, VersionField, add_error, finite, int_or_none, options
from models import Enterprise

NAME_MAX = text_limit(Enterprise.name)


class EnterpriseForm(BaseForm):
    name = StringField("企业名称", validators=[DataRequired("请填写企业名称"),
                                           Length(max=NAME_MAX, message=f"不超过{NAME_MAX}字")])
    credit_code = StringField("统一社会信用代码", validators=[DataRequired("请填写统一社会信用代码"), Length(max=40)],
                              description="18位，自动去除空格、转换全角字符并转为大写")
    county_id = SelectField("县（市、区）", coerce=int_or_none, validators=[DataRequired("请选择所属县（市、区）")])
    town = StringField("乡镇（街道）", validators=[Optional(), Length(max=text_limit(Enterprise.town))])
    address = StringField("详细地址", validators=[Optional(), Length(max=text_limit(Enterprise.address))])
    contact_person = StringField("联系人", validators=[Optional(), Length(max=text_limit(Enterprise.contact_person))])
    contact_phone = StringField("联系电话", validators=[Optional(), Length(max=text_limit(Enterprise.contact_phone))])
    industry_id = SelectField("行业类别", coerce=int_or_none, validators=[DataRequired("请选择行业类别")])
    category_code = SelectField("管控类别", validators=[DataRequired("请选择管控类别")])
    grade_code = SelectField("绩效等级", validators=[Optional()],
                             description="重点行业按分级方案填写；保障类须B级及以上或引领性；一般管控、民生、不纳入绩效分级不填")
    category_reason = SelectField("分类原因", validators=[Optional()],
                                  description="保障类须选保障类别；不纳入绩效分级须选原因；其他类别不填")
    version = VersionField()
    small_micro = BooleanField("小微低排放企业")
    violation_prev_year = BooleanField("上一年度存在违法违规行为")
    longitude = FloatField("经度", validators=[Optional(), finite], description="十进制度，73–136，如 112.85")
    latitude = FloatField("纬度", validators=[Optional(), finite], description="十进制度，3–54，如 35.49")
    permit_number = StringField("排污许可证编号",
                                validators=[Optional(), Length(max=text_limit(Enterprise.permit_number))])
    transport_mode = StringField("运输方式", validators=[Optional(), Length(max=text_limit(Enterprise.transport_mode))],
                                 description="如：公路运输、铁路运输、管道、皮带廊道")
    heavy_trucks_per_day = IntegerField("日均重型车车次", validators=[Optional()], description="不小于0的整数")
    access_control = BooleanField("已安装门禁系统")
    green_factory = BooleanField("绿色工厂", description="列入工业和信息化部绿色工厂名单；山西省错峰生产豁免绿色工厂")
    output_value = FloatField("年产值（万元）", validators=[Optional(), finite],
                              description="选填，上年度工业总产值；用于减排方案测算损失产值")

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing

    def values(self):
        """The submitted values as the domain operations take them."""
        return {name: self[name].data for name in ENTERPRISE_FIELDS} | {"grade_code": self.grade_code.data or None}

    def validate(self, extra_validators=None):
        """Run field checks, then the domain checks (credit code, uniqueness, grade vs scheme)."""
        ok = super().validate(extra_validators)
        for field, message in check_enterprise(self.values(), existing=self.existing).items():
            add_error(self[field], message)
            ok = False
        return ok


class RegistryFilterForm(FilterForm):
    """GET filters of the registry list."""

    # Unknown filter values are ignored by the query rather than reported: a stale bookmark still works.
    q = StringField("名称或信用代码", default="")
    county = SelectField("县（市、区）", coerce=int_or_none, validate_choice=False)
    industry = SelectField("行业", coerce=int_or_none, validate_choice=False)
    grade = SelectField("等级/类别", default="", validate_choice=False)
    measure = SelectField("措施类型", default="", validate_choice=False)
    status = SelectField("状态", default="", validate_choice=False,
                         choices=options([("", "全部")] + list(REGISTRY_STATUSES.items())))
    flag = SelectField("标记", default="", validate_choice=False, choices=options([
        ("", "全部"), ("small_micro", "小微低排放"), ("violation", "上年度违法违规"), ("no_lines", "无生产线")]))
    sort = SelectField("排序", default="name", validate_choice=False, choices=options([
        ("name", "名称"), ("county", "县（市、区）"), ("industry", "行业"), ("grade", "等级"),
        ("updated", "最近更新")]))
