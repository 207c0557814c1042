"""Sending a generated file as a named download (a workbook unless said otherwise)."""
from flask import send_file

from emergency.spreadsheets.writer import XLSX_MIMETYPE


def send_download(buffer, filename, mimetype=XLSX_MIMETYPE):
    """Send ``buffer`` (a binary file object) from its start as the download ``filename``."""
    buffer.seek(0)
    return send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=filename)
