"""PDF exports with reportlab; Chinese text uses reportlab's built-in CID font (no font file shipped)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def table_pdf(
    *,
    title: str,
    subtitle: str,
    header: Sequence[str],
    rows: Sequence[Sequence],
    written: Callable[[int], None] | None = None,
) -> bytes:
    """A titled table on landscape A4, header repeated on every page; cells wrap so that every column fits
    the page's width (a wide export shrinks its type rather than run off the page); an empty cell is empty.
    `written` is told how many rows each page drew (a long export's progress)."""
    out = io.BytesIO()
    page_width, _height = landscape(A4)
    margin = 28
    doc = SimpleDocTemplate(
        out, pagesize=landscape(A4), title=title, leftMargin=margin, rightMargin=margin, topMargin=margin
    )
    styles = getSampleStyleSheet()
    for name in ("Title", "Normal"):
        styles[name].fontName = FONT
    size = 8 if len(header) <= 12 else 6
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=size, leading=size + 2, wordWrap="CJK")
    width = (page_width - 2 * margin) / max(len(header), 1)

    def para(value) -> Paragraph:
        return Paragraph(escape("" if value is None else str(value)), cell)

    data = [[para(c) for c in header]] + [[para(c) for c in r] for r in rows]
    table = Table(data, repeatRows=1, colWidths=[width] * len(header))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    if written is not None:

        def page_drawn(flowable) -> None:
            if isinstance(flowable, Table):  # the part of the table one page holds, under its header
                written(len(flowable._cellvalues) - 1)

        doc.afterFlowable = page_drawn
    doc.build([Paragraph(title, styles["Title"]), Paragraph(subtitle, styles["Normal"]), Spacer(1, 8), table])
    return out.getvalue()
