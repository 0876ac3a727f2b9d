"""File type from content (magic bytes), never from the name or the browser's claim; and the content checks
a kept file must pass (core.uploads, shared with listing images)."""

from __future__ import annotations

from typing import IO

from core import uploads
from unit_onboarding.error_codes import PDF_CONTENT, OnboardingError
from unit_onboarding.error_codes import OnboardingErrorCode as Code

# The only types accepted; anything else (an executable renamed .pdf, HTML, WebP, ...) is refused.
_MIME = {"PDF": "application/pdf", "PNG": "image/png", "JPEG": "image/jpeg"}
_FORMATS = {mime: fmt for fmt, mime in _MIME.items()}
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
DOCUMENT_TYPES = frozenset(EXTENSIONS)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
_CODES = {
    uploads.UploadErrorCode.TOO_MANY_PIXELS: Code.FILE_TOO_MANY_PIXELS,
    uploads.UploadErrorCode.DECOMPRESSION_BOMB: Code.FILE_BOMB,
    uploads.UploadErrorCode.PDF_ACTIVE_CONTENT: Code.PDF_ACTIVE_CONTENT,
    uploads.UploadErrorCode.PDF_ENCRYPTED: Code.PDF_ENCRYPTED,
}


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes prove, or None."""
    return _MIME.get(uploads.sniff(head) or "")


def sniff_file(file: IO[bytes]) -> str | None:
    """Read the head of an uploaded file and rewind it."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return sniff(head)


def content_check(file: IO[bytes], content_type: str, field: str) -> None:
    """Refuse what is not safe to keep: a PDF with active content (scripts, launch actions, embedded files,
    XFA) or encrypted, an image above the pixel limit (a decompression bomb) or damaged. Rewinds the file."""
    try:
        if content_type == "application/pdf":
            uploads.pdf_check(file)
        else:
            fmt = _FORMATS[content_type]
            uploads.image_size(file, fmt)
            if fmt == "PNG":
                uploads.png_verify(file)
    except uploads.UploadRefused as refused:
        code = _CODES.get(refused.code, Code.FILE_DAMAGED)
        params: dict[str, object] = {}
        if code == Code.PDF_ACTIVE_CONTENT:
            params["found"] = PDF_CONTENT[refused.params["found"]]
        elif code == Code.FILE_TOO_MANY_PIXELS:
            params["max"] = uploads.MAX_PIXELS // 1_000_000
        raise OnboardingError(code, field, **params) from refused
    finally:
        file.seek(0)
