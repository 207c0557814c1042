"""The hostile workbooks of issue 16, built in code: a few KB each, as a tool or an attacker would write them."""
import io
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{REL}">'
        '<sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}
HEADER = ("企业名称", "统一社会信用代码", "县（市、区）", "行业类别", "绩效等级")


def text_cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row():
    return '<row r="1">' + "".join(text_cell(f"{chr(65 + i)}1", text) for i, text in enumerate(HEADER)) + "</row>"


def workbook(sheet_data, dimension=None, merges=()):
    """An .xlsx of one sheet "清单" with the given <sheetData> content, <dimension> and <mergeCell>s."""
    merge_xml = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
             + (f'<dimension ref="{dimension}"/>' if dimension else "")
             + f"<sheetData>{sheet_data}</sheetData>"
             + (f'<mergeCells count="{len(merges)}">{merge_xml}</mergeCells>' if merges else "")
             + "</worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def far_cell(declared=True):
    """A cell at A1 and one at XFD1048576: the reader would allocate 512 GB for the range between."""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook(header_row() + far, "A1:XFD1048576" if declared else None)


def whole_sheet_merge(rows=200):
    """A merge A2:XFD1048576 under a header and ``rows`` rows: filling it would take 16,384 steps a row."""
    data = "".join(f'<row r="{r}">{text_cell(f"A{r}", "甲")}</row>' for r in range(2, rows + 2))
    return workbook(header_row() + data, merges=["A2:XFD1048576"])


def far_cell_within_rows():
    """A cell at XFD150000 with no declared range: within the row limit, so only the reading child's address-space
    limit stops the reader (which aborts the child)."""
    return workbook(header_row() + f'<row r="150000">{text_cell("XFD150000", "x")}</row>')
