"""All spreadsheet I/O: the one writer (xlsxwriter, formats, print setup, formula guard) and the one reader."""
