"""The level list's search and filters (GET; an unknown value is ignored, so a stale bookmark still works)."""
from wtforms import SelectField, StringField

from emergency.lists.page import PAGE_SIZES, STATUSES, ListFilters
from forms.base import FilterForm, int_or_none, options

Q_MAX = 100


def _page_size(value):
    number = int_or_none(value)
    return number if number in PAGE_SIZES else None


class ListFilterForm(FilterForm):
    q = StringField("名称或信用代码", default="")
    county = SelectField("县（市、区）", validate_choice=False)
    industry = SelectField("行业", coerce=int_or_none, validate_choice=False)
    grade = SelectField("等级/类别", default="", validate_choice=False)
    measure = SelectField("措施类型", default="", validate_choice=False)
    status = SelectField("状态", default="", validate_choice=False,
                         choices=options([("", "全部")] + list(STATUSES.items())))
    per_page = SelectField("每页", coerce=_page_size, validate_choice=False,
                           choices=options([(n, f"{n} 家企业") for n in PAGE_SIZES]))

    def filters(self, measure_codes):
        """The filters as the list reads them; values outside the choices count as not given."""
        grades = {c.value for c in self.grade.choices}
        return ListFilters(q=(self.q.data or "").strip()[:Q_MAX], industry=self.industry.data,
                           grade=self.grade.data if self.grade.data in grades else "",
                           measure=self.measure.data if self.measure.data in measure_codes else "",
                           status=self.status.data if self.status.data in STATUSES else "")
