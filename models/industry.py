"""Industries, their grade schemes and the grade vocabulary (all reference data)."""
from .base import db, one_of

GRADE_POLICIES = ("required", "optional", "none")
# Which industries a category allows: key industries, non-key ones, any, or only those marked
# ``livelihood_eligible`` (residential heating, life services: 民生).
INDUSTRY_SCOPES = ("key", "nonkey", "any", "livelihood")
EVIDENCE_TAGS = ("V", "P", "U")


class GradeScheme(db.Model):
    """A grading scheme such as A/B/C/D, A/B/C or 引领性/非引领性."""

    __tablename__ = "grade_scheme"

    code = db.Column(db.String(20), primary_key=True)
    name = db.Column(db.String(60), nullable=False)
    # Comma-separated grade codes in display order, e.g. "A,B,C,D"; empty for non-key industries.
    grades = db.Column(db.String(120), nullable=False, default="")

    @property
    def grade_codes(self):
        return [g for g in self.grades.split(",") if g]


class Grade(db.Model):
    """One performance grade (A, B, B-, C, D, 引领性, 非引领性) and how the rules treat it."""

    __tablename__ = "grade"

    code = db.Column(db.String(20), primary_key=True)
    label = db.Column(db.String(20), nullable=False, unique=True)
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    # Jincheng rule: a 保障类 firm in a graded industry must hold one of these grades.
    guarantee_eligible = db.Column(db.Boolean, nullable=False, default=False)
    # A and 引领性 reduce voluntarily (自主减排) whatever is entered.
    self_managed = db.Column(db.Boolean, nullable=False, default=False)
    # Grades an enterprise with last year's violation may not apply for (Jincheng 2021 notice).
    blocked_by_violation = db.Column(db.Boolean, nullable=False, default=False)


class Category(db.Model):
    """The control category: graded, 保障类, 民生, 一般管控 or 不纳入绩效分级."""

    __tablename__ = "category"
    __table_args__ = (one_of("grade_policy", GRADE_POLICIES), one_of("industry_scope", INDUSTRY_SCOPES))

    code = db.Column(db.String(20), primary_key=True)
    label = db.Column(db.String(20), nullable=False, unique=True)
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    # "required": a grade from the scheme is needed; "optional": only in a graded industry; "none": no grade.
    grade_policy = db.Column(db.String(10), nullable=False, default="none")
    # Which industries may use it: "key", "nonkey", "any" or "livelihood" (see INDUSTRY_SCOPES).
    industry_scope = db.Column(db.String(10), nullable=False, default="any")
    blocked_by_violation = db.Column(db.Boolean, nullable=False, default=False)
    # The category needs a reason (category_reason): why a firm is 保障类, or why it is not graded.
    needs_reason = db.Column(db.Boolean, nullable=False, default=False)


class CategoryReason(db.Model):
    """One accepted reason for a category: 保障民生, 保障城市正常运转, 国家战略性产业; 不能稳定达标排放 …"""

    __tablename__ = "category_reason"
    __table_args__ = (db.UniqueConstraint("category_code", "reason", name="uq_category_reason_category_reason"),)

    id = db.Column(db.Integer, primary_key=True)
    category_code = db.Column(db.String(20), db.ForeignKey("category.code"), nullable=False)
    reason = db.Column(db.String(100), nullable=False)
    sort_order = db.Column(db.Integer, nullable=False, default=0)


class Industry(db.Model):
    """A key industry of the 2020 guide (with sub-type), or a non-key industry."""

    __tablename__ = "industry"
    __table_args__ = (db.UniqueConstraint("name", "sub_type", name="uq_industry_name_sub_type"),
                      one_of("evidence", EVIDENCE_TAGS))

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), nullable=False, unique=True)
    name = db.Column(db.String(60), nullable=False)
    sub_type = db.Column(db.String(40), nullable=False, default="")
    is_key = db.Column(db.Boolean, nullable=False, default=False)
    guide_no = db.Column(db.Integer)
    scheme_code = db.Column(db.String(20), db.ForeignKey("grade_scheme.code"), nullable=False)
    allows_b_minus = db.Column(db.Boolean, nullable=False, default=False)
    # Evidence tag from the domain brief: V (verified), P (partly), U (unverified).
    evidence = db.Column(db.String(2), nullable=False, default="U")
    sort_order = db.Column(db.Integer, nullable=False, default=0)
    # Residential heating boilers and life services: the only industries 民生 may be used for.
    livelihood_eligible = db.Column(db.Boolean, nullable=False, default=False)

    scheme = db.relationship(GradeScheme, lazy="joined")

    @property
    def display_name(self):
        return f"{self.name}（{self.sub_type}）" if self.sub_type else self.name

    @property
    def allowed_grades(self):
        """The grade codes this industry's scheme allows, B- included where the data says so."""
        codes = list(self.scheme.grade_codes)
        if self.allows_b_minus and "B" in codes and "B-" not in codes:
            codes.insert(codes.index("B") + 1, "B-")
        return codes

    def __repr__(self):
        return f"<Industry {self.code}>"
