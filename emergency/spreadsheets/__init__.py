"""All spreadsheet I/O: the one writer (xlsxwriter, formats, print setup, formula guard; the registry workbook in
``registry``) and the one reader."""
