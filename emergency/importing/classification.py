"""管控类别 and 绩效等级 of an imported enterprise: one column or two (A级, 保障类（A）, 民生保障), completed from the
stored enterprise or its industry, then checked by ``grades.check_classification`` as the web form does; and its
分类原因, checked by ``grades.check_category_reason`` as the web form does. See README, "Importing"."""
from emergency.importing.values import fold
from emergency.registry.grades import check_category_reason, check_classification


class Classifier:
    """Reads the classification cells of entries for ``plan.Planner``; ``check(entry, column, message)``
    reports a problem."""

    def __init__(self, vocab, check):
        self.vocab, self.check = vocab, check
        self._classified, self._reasons = {}, {}

    def apply(self, entry, values, stored, industry_ok):
        """Set values["category_code"] and values["grade_code"] from the entry's cells, or report why not."""
        given = self._classification_cells(entry)
        if given is None:
            return
        found, category, grade = given
        industry = self.vocab.industries.get(values.get("industry_id")) if industry_ok else None
        resolved = self._complete_classification(entry, category, grade, stored, industry)
        if resolved is None:
            return
        values["category_code"], values["grade_code"] = resolved
        if industry is not None:
            self._check_classification(entry, found, industry, *resolved)
        self._check_reason(entry, values, stored)

    def _classification_cells(self, entry):
        """({column: (category, grade)}, category, grade) read from the given cells; None after reporting a
        value that is not understood, or two columns that disagree."""
        found = {}
        for name in ("category", "grade"):
            if entry.given(name):
                category, grade, ok = self.vocab.classification(entry.cells[name])
                if not ok:
                    self.check(entry, name, f"无法识别的{'管控类别' if name == 'category' else '绩效等级'}"
                                             f"“{fold(entry.cells[name])}”")
                    return None
                found[name] = (category, grade)
        categories = {c for c, _ in found.values() if c}
        grades = {g for _, g in found.values() if g}
        if len(categories) > 1 or len(grades) > 1:
            self.check(entry, "grade" if "grade" in found else "category", "管控类别与绩效等级不一致")
            return None
        return found, next(iter(categories), None), next(iter(grades), None)

    def _complete_classification(self, entry, category, grade, stored, industry):
        """The (category, grade) to store: the file's, completed from the stored enterprise or its industry;
        None when there is nothing to store (a key-industry enterprise without a grade is reported)."""
        stored_category = stored["category_code"] if stored else None
        if category is None and grade is None:
            if stored is not None:
                return stored_category, stored["grade_code"]
            if industry is None:
                return None
            if industry.is_key:
                self.check(entry, "grade" if "grade" in entry.cells else "category", "未填写绩效等级（或管控类别）")
                return None
            return "GENERAL", None
        if category is None:
            # A grade alone keeps a stored category that takes grades (保障类（A） stays 保障类), else 绩效分级.
            takes_grade = stored is not None and self.vocab.categories[stored_category].grade_policy != "none"
            return (stored_category if takes_grade else "GRADED"), grade
        if grade is None and stored is not None and stored_category == category:
            return category, stored["grade_code"]
        return category, grade

    def _check_classification(self, entry, found, industry, category, grade):
        """grades.check_classification, once per (industry, category, grade) of the file."""
        combo = (industry.id, category, grade)
        if combo not in self._classified:
            self._classified[combo] = check_classification(
                industry, self.vocab.categories[category], self.vocab.grades.get(grade))
        for field_name, message in self._classified[combo].items():
            column = "category" if field_name == "category_code" and "category" in found else "grade"
            self.check(entry, column if column in entry.cells else "category", message)

    def _check_reason(self, entry, values, stored):
        """Read 分类原因 and check it against the category, once per (category, reason) of the file.

        A blank cell (or no such column) keeps the stored reason, unless the category changes: a reason belongs
        to its category.
        """
        if entry.given("category_reason"):
            values["category_reason"] = fold(entry.cells["category_reason"])
        elif stored is not None and stored["category_code"] != values["category_code"]:
            values["category_reason"] = ""
        combo = (values["category_code"], values.get("category_reason") or "")
        if combo not in self._reasons:
            self._reasons[combo] = check_category_reason(self.vocab.categories[combo[0]], combo[1])
        for message in self._reasons[combo].values():
            self.check(entry, "category_reason", message)   # a file without the column: “分类原因”列
