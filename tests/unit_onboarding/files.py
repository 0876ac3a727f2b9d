"""Files an applicant might upload, made here byte by byte: well-formed PDFs and PNGs, and hostile ones (a PDF
that runs JavaScript, launches a program or carries a file; a 400-megapixel PNG; a PNG whose text chunk
inflates a thousandfold)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def pdf(catalog: str = "", *objects: str | bytes) -> bytes:
    """A valid one-page PDF with a classic cross-reference table. `catalog` is added to the catalog's
    dictionary; `objects` are numbered from 4 (1 catalog, 2 pages, 3 the page)."""
    bodies: list[bytes] = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog}>>".encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *(o.encode() if isinstance(o, str) else o for o in objects),
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF = pdf("/OpenAction [3 0 R /Fit] ")  # a plain scan's PDF: opening it at its first page is no action
PDF_WITH_LINK = pdf(
    "",
    "<< /Type /Annot /Subtype /Link /Rect [0 0 100 20] /A << /S /URI /URI (https://www.gsxt.gov.cn/) >> >>",
)
PDF_WITH_JAVASCRIPT = pdf("/OpenAction 4 0 R ", "<< /Type /Action /S /JavaScript /JS (app.alert('hi')) >>")
PDF_WITH_LAUNCH = pdf("/OpenAction 4 0 R ", "<< /Type /Action /S /Launch /F (C:\\\\Windows\\\\calc.exe) >>")
PDF_WITH_EMBEDDED_FILE = pdf(
    "/Names << /EmbeddedFiles << /Names [(invoice.exe) 4 0 R] >> >> ",
    "<< /Type /Filespec /F (invoice.exe) /EF << /F 5 0 R >> >>",
    b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
)
# The name written with an escape (/J#61vaScript is /JavaScript to every viewer).
PDF_WITH_ESCAPED_JAVASCRIPT = pdf("/OpenAction 4 0 R ", "<< /S /J#61vaScript /J#53 (app.alert(1)) >>")
PDF_WITH_XFA = pdf(
    "/AcroForm 4 0 R ", "<< /Fields [] /XFA 5 0 R >>", b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"
)


def pdf_with_compressed_javascript() -> bytes:
    """The document-open script inside a compressed object stream (PDF 1.5): no byte of the file spells it."""
    action = b"<< /S /JavaScript /JS (app.alert('hidden')) >>"
    header = b"5 0 "
    packed = zlib.compress(header + action)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        4: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(header), len(packed), packed),
    }
    for number, body in plain.items():
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 1, offsets[n], 0) for n in (1, 2, 3, 4)]
    rows += [struct.pack(">BIH", 2, 4, 0), struct.pack(">BIH", 1, offsets[6], 0)]
    table = b"".join(rows)
    xref_dict = b"<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>" % len(table)
    out += b"6 0 obj\n" + xref_dict + b"\nstream\n" + table + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def png(width: int = 640, height: int = 480) -> bytes:
    """A real PNG scan of modest size."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 248, 240)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_400_megapixels() -> bytes:
    """20,000 x 20,000 black-and-white pixels: 50 MB of pixel rows compressed into about 50 KB."""
    width = height = 20_000
    row = b"\x00" + b"\x00" * (width // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * 1000) for _ in range(height // 1000)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_with_text_bomb(inflated_mb: int = 64) -> bytes:
    """A small valid picture whose compressed text chunk (zTXt, after the pixels) inflates to 64 MB."""
    picture = png(64, 64)
    end = picture.rindex(b"IEND") - 4
    packer = zlib.compressobj(9)
    block = b"\x00" * (1024 * 1024)
    text = b"".join(packer.compress(block) for _ in range(inflated_mb)) + packer.flush()
    ztxt = _chunk(b"zTXt", b"Comment\x00\x00" + text)
    return picture[:end] + ztxt + picture[end:]
