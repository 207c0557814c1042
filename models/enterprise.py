"""Enterprises (企业) on the registry."""
from pypinyin import Style, lazy_pinyin
from sqlalchemy.orm import validates

from .base import TimestampMixin, db, in_range

# Mainland China as a bounding box (degrees): a coordinate outside it is a typo or swapped longitude/latitude.
LONGITUDE_RANGE = (73, 136)
LATITUDE_RANGE = (3, 54)


SORT_KEY_LENGTH = 400


def pinyin_key(name):
    """The name's pinyin, syllables apart ("da tang ..."), so lists sort as a clerk reads: 大唐 before 国投.

    Latin letters and digits stay as written (lower case); the key is cut to the column's length, and ties fall
    back to the name itself.
    """
    syllables = lazy_pinyin(name or "", style=Style.NORMAL, errors="default")
    return " ".join(s.strip().lower() for s in syllables if s.strip())[:SORT_KEY_LENGTH]


def _name_sort_default(context):
    """Core inserts (the import's bulk rows) get their key from the row's name (callers that fill in defaults
    without a statement pass no context)."""
    return pinyin_key(context.get_current_parameters().get("name")) if context is not None else ""


class Enterprise(TimestampMixin, db.Model):
    """A gas-emitting enterprise with its county, industry, category and grade."""

    __tablename__ = "enterprise"
    __table_args__ = (
        in_range("longitude", *LONGITUDE_RANGE),
        in_range("latitude", *LATITUDE_RANGE),
        in_range("heavy_trucks_per_day", 0),
        in_range("output_value", 0),
    )

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False, index=True)
    # The name's pinyin (pinyin_key), kept up to date on every write: the lists' sort order on both databases.
    name_sort = db.Column(db.String(SORT_KEY_LENGTH), nullable=False, default=_name_sort_default, server_default="",
                          index=True)
    credit_code = db.Column(db.String(18), nullable=False, unique=True)
    county_id = db.Column(db.Integer, db.ForeignKey("county.id"), nullable=False, index=True)
    town = db.Column(db.String(60), nullable=False, default="")
    address = db.Column(db.String(200), nullable=False, default="")
    contact_person = db.Column(db.String(40), nullable=False, default="")
    contact_phone = db.Column(db.String(40), nullable=False, default="")
    industry_id = db.Column(db.Integer, db.ForeignKey("industry.id"), nullable=False, index=True)
    category_code = db.Column(db.String(20), db.ForeignKey("category.code"), nullable=False, index=True)
    grade_code = db.Column(db.String(20), db.ForeignKey("grade.code"), index=True)
    # Why the firm is 保障类 (保障民生 …) or not graded (不能稳定达标排放 …): one of category_reason's rows.
    category_reason = db.Column(db.String(100), nullable=False, default="")
    small_micro = db.Column(db.Boolean, nullable=False, default=False)
    violation_prev_year = db.Column(db.Boolean, nullable=False, default=False)
    # What a provincial list carries besides the grade: location, permit and road transport.
    longitude = db.Column(db.Float)
    latitude = db.Column(db.Float)
    permit_number = db.Column(db.String(40), nullable=False, default="")      # 排污许可证编号
    transport_mode = db.Column(db.String(100), nullable=False, default="")    # 运输方式, e.g. 公路、铁路
    heavy_trucks_per_day = db.Column(db.Integer)                              # 日均重型车车次
    access_control = db.Column(db.Boolean, nullable=False, default=False)     # 门禁系统
    # 绿色工厂 (MIIT green-factory list): Shanxi exempts them from staggered production (a stagger rule key).
    green_factory = db.Column(db.Boolean, nullable=False, default=False)
    # 年产值 (万元/年), optional: what the target solver weighs lost production by (emergency/planning).
    output_value = db.Column(db.Float)
    version = db.Column(db.Integer, nullable=False, default=1)

    county = db.relationship("County", lazy="joined")
    industry = db.relationship("Industry", lazy="joined")
    category = db.relationship("Category", lazy="joined")
    grade = db.relationship("Grade", lazy="joined")
    lines = db.relationship(
        "ProductionLine",
        back_populates="enterprise",
        cascade="all, delete-orphan",
        order_by="ProductionLine.id",
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_sort_key(self, key, value):
        self.name_sort = pinyin_key(value)
        return value

    @property
    def grade_label(self):
        """The grade or category as printed on lists, e.g. "B", "保障类（A）", "民生"."""
        category = self.category
        if category.grade_policy == "required":
            return self.grade.label if self.grade else "未定级"
        if self.grade:
            return f"{category.label}（{self.grade.label}）"
        return category.label

    def __repr__(self):
        return f"<Enterprise {self.credit_code} {self.name}>"
