"""Print layout of the workbooks: A4 landscape at a computed scale (never below 70%), wide sheets split into
column blocks, row heights estimated from the text (xlsxwriter does not fit rows), number formats that never
print a small reduction as 0.0000, running headers and footers.

Widths are in Excel character units: the width of "0" in the workbook's default font, 7 px in Excel (Calibri) but
about 9.5 px in LibreOffice without Microsoft's fonts (DejaVu Sans stands in). Scales are computed for the wider
of the two, so a block fits the page in both (with room to spare in Excel). A 10-pt Han character takes about two
units in Excel and fewer in LibreOffice: row heights are estimated at two, so wrapped text is never cut off.
"""
import math

A4 = 9
MARGIN_SIDE, MARGIN_TOP = 0.4, 0.6                     # inches
# A4 landscape is 11.69 in wide; at 96 px an inch, less the side margins and a little slack for the renderer.
PRINTABLE_PX = int((11.69 - 2 * MARGIN_SIDE) * 96) - 15
MIN_SCALE, MAX_SCALE = 70, 100
# Points per line of wrapped 10-pt text (CJK fonts have tall line boxes: LibreOffice's fallback for SimSun
# needs about 14.5 pt), and for the one-line rows that keep the default height.
LINE_HEIGHT = 15
DEFAULT_HEIGHT = 15
PAGE_FOOTER = "第 &P 页 共 &N 页"
# Below this a reduction gets more decimals (three significant digits), so it never prints as 0.0000.
SMALL = 0.001
MAX_DECIMALS = 10


# Pixels per width unit in the widest renderer (LibreOffice with DejaVu Sans for Calibri; Excel: 7).
UNIT_PX = 9.5


def column_px(width):
    """The printed pixels of a column ``width`` characters wide, in the widest renderer."""
    return int(width * UNIT_PX + 0.5) + 5


def print_scale(widths, blocks=(), repeated=0):
    """The largest scale (70–100%) at which the widest printed block fits the width of an A4 landscape page.

    :param blocks: the columns where a new printed block starts; ``repeated`` leading columns print on every block.
    """
    edges = [0, *blocks, len(widths)]
    head = sum(column_px(w) for w in widths[:repeated])
    widest = max(head + sum(column_px(w) for w in widths[max(start, repeated):end])
                 for start, end in zip(edges, edges[1:]))
    return max(MIN_SCALE, min(MAX_SCALE, math.floor(PRINTABLE_PX * 100 / widest)))


def set_page(ws, widths, header_rows, blocks=(), repeated=0, header="", footer_right=""):
    """Landscape A4 at ``print_scale``; title and header rows (0..``header_rows``) repeat on every page, and the
    first ``repeated`` columns on every block; the running header and the page footer."""
    ws.set_landscape()
    ws.set_paper(A4)
    ws.set_margins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP, bottom=MARGIN_TOP)
    ws.repeat_rows(0, header_rows)
    ws.set_print_scale(print_scale(widths, blocks, repeated))
    if blocks:
        ws.set_v_pagebreaks(list(blocks))
        if repeated:
            ws.repeat_columns(0, repeated - 1)
    if header:
        ws.set_header(header, {"margin": 0.25})
    ws.set_footer(f"&C{PAGE_FOOTER}" + (f"&R{footer_right}" if footer_right else ""), {"margin": 0.25})


def page_text(text, limit=60):
    """Text for a header or footer: ``&`` is its control character, and Excel caps the whole at 255 characters."""
    text = str(text).replace("&", "&&")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def text_columns(text):
    """The width of a line of text in character units: a Han character or full-width mark takes two.

    Counted from the UTF-8 length, without a per-character look: these characters take three bytes, ASCII one,
    so each extra byte pair is one wide character (a rare two-byte letter counts one and a half).
    """
    extra = len(text.encode()) - len(text)
    return len(text) + extra // 2


def wrapped_lines(text, width):
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide, counting its own line breaks."""
    usable = max(width - 2, 1)
    if len(text) * 2 <= usable and "\n" not in text:
        return 1      # fits even if every character is wide: the common case
    if "\n" not in text:
        return max(1, -(-text_columns(text) // usable))
    return sum(max(1, -(-text_columns(part) // usable)) for part in text.split("\n"))


def decimals_for(value):
    """Decimals that show ``value`` (a small positive number) with three significant digits."""
    return min(MAX_DECIMALS, 2 - math.floor(math.log10(value)))


def number_formats(workbook, base):
    """{decimals: format} for small reductions: 0.000123 prints as 0.000123, not 0.0000."""
    return {d: workbook.add_format({**base, "num_format": "0." + "0" * d}) for d in range(5, MAX_DECIMALS + 1)}
