"""Rebuild tests/data/import_gov.xls (the .xls twin of import_support.gov_sheet) with xlwt.

xlwt is not a project dependency; run once with it on the path:  PYTHONPATH=.:/path/to/xlwt python tests/data/make_gov_xls.py
"""
import os

import xlwt
from openpyxl.utils.cell import range_boundaries

from tests.import_support import gov_sheet


def main():
    rows, merges = gov_sheet()
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("泽州县")
    covered = set()
    for ref in merges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        sheet.write_merge(min_row - 1, max_row - 1, min_col - 1, max_col - 1, rows[min_row - 1][min_col - 1])
        covered |= {(r, c) for r in range(min_row - 1, max_row) for c in range(min_col - 1, max_col)}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in covered:
                sheet.write(r, c, value)
    book.save(os.path.join(os.path.dirname(__file__), "import_gov.xls"))


if __name__ == "__main__":
    main()
