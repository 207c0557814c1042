"""Official outputs never carry an error marker: the order pages and every dispatched workbook of the suite.

``conftest.official_outputs`` (autouse) records every order template rendered during a test and scans every
``DispatchFile`` row after it; a marker in either fails the test.
"""
import io
import zipfile
from xml.etree import ElementTree

from flask import template_rendered
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from models import DispatchFile, db

MARKERS = ("待核定", "【错误")
ORDER_TEMPLATES = ("lists/order.html", "dashboard/order.html", "dashboard/obligations.html", "notices/batch.html",
                   "notices/single.html")
TEXT_TAG = "}t"          # <t> holds a cell's text, in shared strings and in inline strings alike


def markers_in(text):
    return [marker for marker in MARKERS if marker in text]


def workbook_texts(data):
    """Every text of an xlsx: shared strings and each sheet's cells (inline strings included)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name == "xl/sharedStrings.xml" or (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                for element in ElementTree.fromstring(archive.read(name)).iter():
                    if element.tag.endswith(TEXT_TAG) and element.text:
                        yield element.text


def workbook_markers(data):
    """[(marker, cell text)] of every marked text in an xlsx."""
    return [(marker, text) for text in workbook_texts(data) for marker in markers_in(text)]


def dispatched_markers():
    """[(dispatch file id, marker, cell text)] over every stored dispatched workbook."""
    try:
        rows = db.session.execute(select(DispatchFile.id, DispatchFile.content)).all()
    except SQLAlchemyError:
        # A test that failed mid-transaction: what it committed is still there to scan.
        db.session.rollback()
        rows = db.session.execute(select(DispatchFile.id, DispatchFile.content)).all()
    return [(file_id, marker, text) for file_id, content in rows for marker, text in workbook_markers(content)]


class OrderWatch:
    """Renders of the order templates whose text carries a marker, as (template, marker) pairs."""

    def __init__(self):
        self.found = []

    def __call__(self, sender, template, context, **extra):
        if template.name in ORDER_TEMPLATES:
            # The signal carries no output: render again, in the same request, to read what was sent.
            for marker in markers_in(template.render(context)):
                self.found.append((template.name, marker))

    def connected(self):
        # Any app: the browser tests' live server is a second app on the suite's database.
        return template_rendered.connected_to(self)
