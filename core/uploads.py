"""What an uploaded file really is, read from its bytes, and whether it is safe to keep: its type by content
(never by name), an image's size from its header within the pixel limit (decompression bombs refused before
any pixel is decoded), a PNG's chunks (checksums, compressed-text bombs), a PDF's active content.

Shared by listing images (catalog) and application documents (unit_onboarding); each app words the refusal
for its users from the code and params of UploadRefused.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from enum import StrEnum
from typing import IO

from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_PIXELS = 50_000_000

# Pillow warns above this many pixels and raises above twice as many; we refuse at the warning.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# A short file must fail loudly, never be padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False
# Imported here so that the first image a worker sees does not pay for Pillow loading every plugin.
_PLUGINS = (JpegImagePlugin, PngImagePlugin, WebPImagePlugin)
_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")


class UploadErrorCode(StrEnum):
    TOO_MANY_PIXELS = "upload_too_many_pixels"  # params: pixels (None when unknown), max_pixels
    HEADER_DAMAGED = "upload_header_damaged"
    TRUNCATED = "upload_truncated"
    CORRUPT = "upload_corrupt"
    DECOMPRESSION_BOMB = "upload_decompression_bomb"
    PDF_ACTIVE_CONTENT = "upload_pdf_active_content"  # params: found (one of PDF_ACTIVE_CONTENT)
    PDF_ENCRYPTED = "upload_pdf_encrypted"
    PDF_DAMAGED = "upload_pdf_damaged"


class UploadRefused(Exception):
    """A file that will not be kept; the app that received it words the message for its user."""

    def __init__(self, code: UploadErrorCode, detail: str, **params: object) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.params = params


def sniff(head: bytes) -> str | None:
    """The format the file's first bytes prove (PDF, PNG, JPEG, WEBP), or None."""
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


# --- images -------------------------------------------------------------------------------------------


def image_size(fp: IO[bytes], fmt: str) -> tuple[int, int]:
    """Width and height from the header alone, refused above MAX_PIXELS (WebP's read by hand: Pillow's WebP
    decoder allocates the whole canvas as soon as it opens a file)."""
    if fmt == "WEBP":
        fp.seek(0)
        return webp_size(fp.read(32))
    image = image_open(fp, fmt)
    return image.width, image.height


def webp_size(head: bytes) -> tuple[int, int]:
    """Canvas size from a WebP header (lossy VP8, lossless VP8L, extended VP8X), checked against the limit."""
    chunk = head[12:16]
    size = None
    if chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", head[26:30])
        size = width & 0x3FFF, height & 0x3FFF
    elif chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        size = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    elif chunk == b"VP8X" and len(head) >= 30:
        size = int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    if size is None or 0 in size:
        raise UploadRefused(UploadErrorCode.HEADER_DAMAGED, "unreadable WebP header")
    if size[0] * size[1] > MAX_PIXELS:
        raise _too_many_pixels(size[0] * size[1])
    return size


def image_open(fp: IO[bytes], fmt: str) -> ImageFile.ImageFile:
    """Open lazily (header only); Pillow's bomb warning and anything above MAX_PIXELS become refusals."""
    fp.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(fp, formats=[fmt])
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        found = _BOMB_PIXELS.search(str(exc))
        raise _too_many_pixels(int(found.group(1)) if found else None) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UploadRefused(UploadErrorCode.HEADER_DAMAGED, f"unreadable {fmt} header: {exc}") from exc
    pixels = image.width * image.height
    if pixels > MAX_PIXELS or image.width <= 0 or image.height <= 0:
        raise _too_many_pixels(pixels)
    return image


def png_verify(fp: IO[bytes]) -> None:
    """Every chunk up to IEND checksummed, every compressed text or profile chunk inflated within Pillow's
    limit (a zTXt, iTXt or iCCP bomb is refused, wherever it sits), without decoding a pixel."""
    fp.seek(0)
    try:
        with Image.open(fp, formats=["PNG"]) as again:
            again.verify()
    except OSError as exc:
        raise UploadRefused(UploadErrorCode.TRUNCATED, f"PNG cut short: {exc}") from exc
    except (SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise UploadRefused(UploadErrorCode.CORRUPT, f"PNG damaged: {exc}") from exc
    _png_compressed_chunks_check(fp)


# Pillow inflates these when it reads a PNG (text after the pixels too, on load); its limit is ours.
_COMPRESSED_CHUNKS = {b"zTXt", b"iTXt", b"iCCP"}
MAX_INFLATED_CHUNK = PngImagePlugin.MAX_TEXT_CHUNK


def _png_compressed_chunks_check(fp: IO[bytes]) -> None:
    fp.seek(8)
    while header := fp.read(8):
        length, kind = struct.unpack(">I4s", header)
        if kind in _COMPRESSED_CHUNKS:
            _inflate_within_limit(kind, fp.read(length))
        else:
            fp.seek(length, 1)
        fp.seek(4, 1)  # the checksum, already verified
        if kind == b"IEND":
            break


def _inflate_within_limit(kind: bytes, data: bytes) -> None:
    keyword, _, rest = data.partition(b"\0")
    if kind == b"iTXt":  # compression flag, method, language tag, translated keyword, text
        if rest[:1] != b"\x01":
            return  # uncompressed international text
        rest = rest[2:].split(b"\0", 2)[-1]
    else:  # zTXt and iCCP: compression method, then the deflated bytes
        rest = rest[1:]
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(rest, MAX_INFLATED_CHUNK + 1)
    except zlib.error as exc:
        raise UploadRefused(UploadErrorCode.CORRUPT, f"PNG {kind.decode()} chunk damaged: {exc}") from exc
    if len(inflated) > MAX_INFLATED_CHUNK or inflater.unconsumed_tail:
        raise UploadRefused(
            UploadErrorCode.DECOMPRESSION_BOMB,
            f"PNG {kind.decode()} chunk {keyword[:40]!r} inflates beyond {MAX_INFLATED_CHUNK} bytes",
        )


def _too_many_pixels(pixels: int | None) -> UploadRefused:
    return UploadRefused(
        UploadErrorCode.TOO_MANY_PIXELS, f"{pixels} pixels", pixels=pixels, max_pixels=MAX_PIXELS
    )


# --- PDF ------------------------------------------------------------------------------------------------

# Names that make a PDF act rather than show: scripts, programs to launch, files inside it, forms that
# post or import data, XFA forms (scriptable), rich media. Actions are found wherever they hide (a
# document's OpenAction, a page's or field's additional actions /AA, a link, the JavaScript name tree).
_ACTIVE_NAMES = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/EmbeddedFile": "embedded_file",
    "/EmbeddedFiles": "embedded_file",
    "/GoToE": "embedded_file",
    "/XFA": "xfa",
    "/SubmitForm": "form_submission",
    "/ImportData": "form_submission",
    "/RichMedia": "rich_media",
    "/RichMediaExecute": "rich_media",
}
PDF_ACTIVE_CONTENT = frozenset(_ACTIVE_NAMES.values())
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]*)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM_DATA = re.compile(rb"stream\r?\n.*?endstream", re.S)


def pdf_check(fp: IO[bytes]) -> None:
    """Refuse a PDF that carries active content, is encrypted or cannot be parsed.

    Two readings: pypdf resolves every object the cross-reference lists, compressed object streams too, and
    reads names as a viewer does (/J#53 is /JS); a scan of the raw bytes outside stream data also finds what
    a damaged cross-reference hides from pypdf (a viewer would rebuild it and find it too)."""
    fp.seek(0)
    data = fp.read()
    found = _raw_active_name(data) or _parsed_active_name(data)
    if found:
        raise UploadRefused(UploadErrorCode.PDF_ACTIVE_CONTENT, f"PDF carries {found}", found=found)


def _raw_active_name(data: bytes) -> str | None:
    outside_streams = _STREAM_DATA.sub(b" ", data)
    for match in _NAME.finditer(outside_streams):
        name = "/" + _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1)).decode("latin-1")
        if name in _ACTIVE_NAMES:
            return _ACTIVE_NAMES[name]
    return None


def _parsed_active_name(data: bytes) -> str | None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # Encrypted strings and object streams cannot be read without the password: nothing to check.
            raise UploadRefused(UploadErrorCode.PDF_ENCRYPTED, "PDF needs a password")
        numbers = {(num, gen) for gen, entries in reader.xref.items() for num in entries}
        numbers |= {(num, 0) for num in reader.xref_objStm}
        objects = [reader.trailer]
        objects += [reader.get_object(IndirectObject(num, gen, reader)) for num, gen in sorted(numbers)]
        for obj in objects:
            found = _active_in(obj, depth=0)
            if found:
                return found
    except UploadRefused:
        raise
    except Exception as exc:  # whatever a hostile file makes the parser raise: it is refused, not a 500
        detail = f"PDF unreadable: {type(exc).__name__}: {exc}"
        raise UploadRefused(UploadErrorCode.PDF_DAMAGED, detail) from exc
    return None


def _active_in(obj: object, depth: int) -> str | None:
    """An active name among the keys and name values of one object (indirect references are objects of
    their own, all visited; they are not followed, so a cycle cannot loop)."""
    if depth > 100:
        raise UploadRefused(UploadErrorCode.PDF_DAMAGED, "PDF nested too deeply")
    if isinstance(obj, NameObject):
        return _ACTIVE_NAMES.get(str(obj))
    if isinstance(obj, DictionaryObject):  # streams too: their dictionaries (e.g. /Type /EmbeddedFile)
        for key, value in obj.items():
            found = _ACTIVE_NAMES.get(str(key)) or _active_in(value, depth + 1)
            if found:
                return found
    elif isinstance(obj, ArrayObject):
        for value in obj:
            found = _active_in(value, depth + 1)
            if found:
                return found
    return None
