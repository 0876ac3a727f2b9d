"""File type from content (magic bytes), never from the name or the browser's claim."""

from __future__ import annotations

from typing import IO

# Signatures of the only types accepted; anything else (an executable renamed .pdf, HTML, ...) is refused.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
DOCUMENT_TYPES = frozenset(EXTENSIONS)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


def sniff(head: bytes) -> str | None:
    """The MIME type the first bytes prove, or None."""
    return next((mime for magic, mime in _SIGNATURES if head.startswith(magic)), None)


def sniff_file(file: IO[bytes]) -> str | None:
    """Read the head of an uploaded file and rewind it."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return sniff(head)
