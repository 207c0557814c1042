"""A season's baseline as a workbook: its layout, and the export that ``reading`` reads back unchanged.

Sheets: 季节 (the season's name, dates and note), 全社会排放量基数 (one row per county and source type, the four
pollutants in t/d), 非工业源减排量 (one row per county, level and non-industrial source type) and 填写说明. Every
county × source type (× level) has a row, blank where nothing is entered, so the export is also the template.
"""
from emergency.baseline.amounts import grid_rows
from emergency.spreadsheets.writer import write_table_workbook
from models import LEVEL_LABELS, LEVELS, POLLUTANT_LABELS, POLLUTANTS, SOURCE_TYPE_LABELS

SEASON_SHEET, BASELINE_SHEET, REDUCTION_SHEET, NOTES_SHEET = "季节", "全社会排放量基数", "非工业源减排量", "填写说明"
# field → header, as exported; the spellings a file may use instead are data (baseline_header_synonyms.csv).
HEADERS = {"season": "季节", "starts_on": "开始日期", "ends_on": "结束日期", "note": "说明",
           "county": "县（市、区）", "level": "预警级别", "source_type": "源类型",
           **{p: f"{POLLUTANT_LABELS[p]}(吨/日)" for p in POLLUTANTS}}
SEASON_FIELDS = ("season", "starts_on", "ends_on", "note")
BASELINE_FIELDS = ("season", "county", "source_type", *POLLUTANTS)
REDUCTION_FIELDS = ("season", "county", "level", "source_type", *POLLUTANTS)
WIDTHS = {"season": 20, "starts_on": 12, "ends_on": 12, "note": 60, "county": 12, "level": 10, "source_type": 10,
          **{p: 14 for p in POLLUTANTS}}
NOTES = (
    ("季节", "“季节”工作表：季节名称、开始日期、结束日期（年-月-日）和说明（数据来源）。"
           "文件中的季节若系统中没有则新增，已有的按名称匹配并按文件修改日期和说明"),
    ("全社会排放量基数", "每个县（市、区）、每种源类型一行，四种污染物的日排放量（吨/日）。核算减排比例时，"
                  "各源类型之和即该县（市、区）该污染物的全社会排放量"),
    ("非工业源减排量", "每个县（市、区）、每个预警级别、每种非工业源类型一行，四种污染物的减排量（吨/日），"
                 "与清单中企业生产线的工业源减排量相加后核算减排比例"),
    ("源类型", "、".join(SOURCE_TYPE_LABELS.values()) + "（非工业源减排量不填工业源：工业源减排量由清单核算）"),
    ("预警级别", "、".join(f"{label}预警" for label in LEVEL_LABELS.values())),
    ("季节列", "可留空：文件“季节”工作表只有一个季节时为该季节，否则为系统中现行的季节"),
    ("导入规则", "先检查（试运行）再导入；有任何问题时不导入任何数据。空白单元格不修改系统中已有的数字"
             "（如需删除请在页面上清空）；数字不能为负数"),
)


def _sheet(name, fields, rows):
    return (name, [HEADERS[f] for f in fields], [WIDTHS[f] for f in fields], None, rows)


def export_baseline(fh, season):
    """Write ``season``'s workbook; return the number of data rows written."""
    base = [(season.name, r.county.name, r.type_label, *(r.values[p] for p in POLLUTANTS))
            for r in grid_rows(season.id)]
    cuts = [(season.name, r.county.name, f"{LEVEL_LABELS[level]}预警", r.type_label,
             *(r.values[p] for p in POLLUTANTS)) for level in LEVELS for r in grid_rows(season.id, level)]
    write_table_workbook(fh, [
        _sheet(SEASON_SHEET, SEASON_FIELDS, [(season.name, season.starts_on, season.ends_on, season.note)]),
        _sheet(BASELINE_SHEET, BASELINE_FIELDS, base),
        _sheet(REDUCTION_SHEET, REDUCTION_FIELDS, cuts),
        (NOTES_SHEET, ("项目", "填写说明"), (16, 100), None, NOTES),
    ])
    return len(base) + len(cuts)


def baseline_filename(season):
    return f"{season.name}_全社会排放量基数.xlsx"
