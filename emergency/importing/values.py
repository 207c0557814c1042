"""Cell values as the import reads them: text folding, numbers, yes/no, and the vocabularies kept as data.

The synonym tables live in ``seed/data/*_synonyms.csv`` and are read at run time, so a clerk can add a
spelling seen in a county's file without a code change.
"""
import math
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from emergency.registry.measures import MeasureTypes
from emergency.text import fold
from models import Category, County, Grade, Industry, MeasureType, db
from seed.load import read_csv

DASHES = re.compile("[\u2010-\u2015\u2212\uff0d\ufe63]")
SPACES = re.compile(r"\s+")
BLANKS = {"", "/", "-", "--", "—", "——", "无", "空", "N/A", "NA", "NONE"}
RAW_BLANKS = BLANKS | {"／", "－", "－－", "―", "――", "Ｎ/Ａ", "Ｎ／Ａ", "\\", "、"}
YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "✔", "可", "可以", "能", "有"}
NO = {"否", "N", "NO", "FALSE", "0", "×", "✗", "✘", "X", "不可", "不可以", "不能", "无", "不"}


def key(text):
    """A lookup key: NFKC, no whitespace, one kind of dash, upper case."""
    return DASHES.sub("-", SPACES.sub("", unicodedata.normalize("NFKC", str(text)))).upper()


def is_blank(value):
    """None, "", whitespace and placeholders such as "/", "—" or "无"; numbers are never blank."""
    if value is None or value == "":
        return True
    # This runs for every cell: a plain set lookup, no normalisation.
    return isinstance(value, str) and value.strip().upper() in RAW_BLANKS


def cell_text(value):
    """A cell as stored text: numbers without a spurious ".0", dates as ISO, text folded and trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return _folded(value) if isinstance(value, str) else fold(value)


# Most cells of a large file repeat (enterprise cells over their lines, counties, units, measure texts).
_folded = lru_cache(maxsize=1 << 12)(fold)


def parse_number(value):
    """Return (float or None, Chinese message or None); numbers stored as text are accepted."""
    if is_blank(value) or value == "":
        return None, None
    if isinstance(value, bool):
        return None, "应填写数字"
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = key(value).replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None, "不是有效的数字"
    if not math.isfinite(number):
        return None, "不是有效的数字"
    return number, None


def parse_percent(value):
    """A limit percentage: "30%", "30" and 0.3 (a cell formatted as %) all mean 30."""
    text = key(value) if isinstance(value, str) else None
    if text and text.endswith("%"):
        return parse_number(text[:-1])
    number, message = parse_number(value)
    if number is not None and 0 < number < 1:
        number = round(number * 100, 6)
    return number, message


def parse_fraction(value):
    """The 其他 cut fraction, 0–1; "10%" means 0.1."""
    text = key(value) if isinstance(value, str) else None
    if text and text.endswith("%"):
        number, message = parse_number(text[:-1])
        return (None if number is None else number / 100), message
    return parse_number(value)


def parse_bool(value):
    """Return (bool or None, message or None) for 是/否 and their many spellings."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return value, None
    text = key(cell_text(value))
    if text in YES:
        return True, None
    if text in NO:
        return False, None
    if text in BLANKS:
        return None, None
    return None, "应填写“是”或“否”"


@lru_cache(maxsize=1)
def _classification_table():
    table = {key(r["value"]): ("grade", r["grade"]) for r in read_csv("grade_synonyms.csv")}
    table.update({key(r["value"]): ("category", r["category"]) for r in read_csv("category_synonyms.csv")})
    return table


class Vocabulary:
    """Reference rows loaded once per import, with the lookups cell values go through."""

    def __init__(self):
        self.counties = {c.id: c for c in db.session.query(County)}
        self.industries = {i.id: i for i in db.session.query(Industry).order_by(Industry.sort_order)}
        self.categories = {c.code: c for c in db.session.query(Category)}
        self.grades = {g.code: g for g in db.session.query(Grade)}
        self.types = MeasureTypes.from_rows(db.session.query(MeasureType).all())
        self._county_index = self._counties()
        self._industry_index, self._sub_types = self._industries()
        known = {"category": self.categories, "grade": self.grades}
        self._classification = {k: v for k, v in _classification_table().items() if v[1] in known[v[0]]}
        for code, category in self.categories.items():
            self._classification.setdefault(key(category.label), ("category", code))
        for code, grade in self.grades.items():
            self._classification.setdefault(key(grade.label), ("grade", code))

    def _counties(self):
        index = {}
        for county in self.counties.values():
            index[key(county.name)] = index[key(county.code)] = county
            if len(county.name) > 2 and county.name[-1] in "县市区":
                index.setdefault(key(county.name[:-1]), county)
        by_name = {c.name: c for c in self.counties.values()}
        for row in read_csv("county_synonyms.csv"):
            if row["county"] in by_name:
                index[key(row["value"])] = by_name[row["county"]]
        return index

    def county(self, text):
        """Return (County or None, message); accepts 晋城市/山西省 prefixes and short names such as 泽州."""
        label = key(text)
        for prefix in ("山西省晋城市", "晋城市", "山西省", ""):
            if label.startswith(prefix) and label[len(prefix):] in self._county_index:
                return self._county_index[label[len(prefix):]], None
        names = "、".join(c.name for c in sorted(self.counties.values(), key=lambda c: c.sort_order))
        return None, f"未知的县（市、区）“{fold(text)}”，可填写：{names}"

    def _industries(self):
        index, by_name = {}, {}
        for industry in self.industries.values():
            names = {industry.code, industry.display_name, industry.name + industry.sub_type}
            for name in names:
                index[_industry_key(name)] = industry
            by_name.setdefault(_industry_key(industry.name), []).append(industry)
        for name, members in by_name.items():
            if len(members) == 1:
                index.setdefault(name, members[0])
        by_code = {i.code: i for i in self.industries.values()}
        defaults = [by_code[r["code"]] for r in read_csv("industries.csv")
                    if r["default_sub_type"] == "1" and r["code"] in by_code]
        self._default_sub = {_industry_key(industry.name): industry for industry in defaults}
        return index, by_name

    def default_industry(self, name):
        """The sub-type an industry written without one resolves to (data: industries.csv default_sub_type)."""
        return self._default_sub.get(_industry_key(name))

    def industry(self, name, sub_type=""):
        """Return (Industry or None, message) for a 行业 cell and an optional 行业子类 cell."""
        name_key, sub_key = _industry_key(name), _industry_key(sub_type or "")
        if sub_key and name_key + sub_key in self._industry_index:
            return self._industry_index[name_key + sub_key], None
        found = self._industry_index.get(name_key)
        if found is not None and (not sub_key or _industry_key(found.sub_type) in ("", sub_key)):
            return found, None
        members = self._sub_types.get(name_key, [])
        if members:
            options = "、".join(m.sub_type for m in members)
            if sub_key:
                return None, f"“{fold(sub_type)}”不是“{fold(name)}”的子类，可填写：{options}"
            return None, f"行业“{fold(name)}”分为多个子类（{options}），请写明子类，如“{members[0].display_name}”"
        return None, f"未知的行业类别“{fold(name)}”，请按模板“填写说明”中的行业名称填写"

    def classification(self, text):
        """Return (category code, grade code, ok) for 绩效等级/管控类别 cells such as A级, 保障类（A）, 民生保障."""
        label = key(text)
        if label in BLANKS:
            return None, None, True
        found = self._lookup(label)
        if found:
            return (*found, True)
        pair = re.fullmatch(r"(.+?)\((.+)\)", label)
        if pair:
            outer, inner = self._lookup(pair.group(1)), self._lookup(pair.group(2))
            if outer and inner and not (outer[0] and inner[0]) and not (outer[1] and inner[1]):
                return outer[0] or inner[0], outer[1] or inner[1], True
        return None, None, False

    def _lookup(self, label):
        for candidate in (label, label.removesuffix("企业"), label.removesuffix("级"),
                          label.removesuffix("企业").removesuffix("级"), label.removesuffix("类")):
            if candidate in self._classification:
                kind, code = self._classification[candidate]
                return (code, None) if kind == "category" else (None, code)
        return None


def _industry_key(text):
    return re.sub(r"[()\[\]〔〕【】<>《》]", "", key(text)).replace("非重点", "").lower()
