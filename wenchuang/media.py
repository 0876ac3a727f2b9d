"""Public media (image derivatives, unit logos and banners) served from the filesystem storage.

With S3 the bucket serves them; on the filesystem (make dev, docker compose) this view does, whatever
DEBUG says, so operators' and curators' thumbnails never answer 404. Only image files are served, each
under its own content type with nosniff: an upload can never come back as a page or a script.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpRequest
from django.utils.http import http_date
from django.views.decorators.http import require_safe

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
# Derivative names carry their content hash; logos and banners get a new name on each upload.
CACHE_CONTROL = "public, max-age=86400"


def filesystem_media() -> bool:
    """Whether public files live on this machine's disk (no bucket configured)."""
    return isinstance(storages["default"], FileSystemStorage)


@require_safe
def media(request: HttpRequest, path: str) -> FileResponse:
    storage = storages["default"]
    try:
        full = Path(storage.path(path))  # safe_join: a path leaving MEDIA_ROOT is refused
    except SuspiciousFileOperation as exc:
        raise Http404 from exc
    content_type, encoding = mimetypes.guess_type(full.name)
    if content_type not in IMAGE_TYPES or encoding or not full.is_file():
        raise Http404
    response = FileResponse(full.open("rb"), content_type=content_type)
    response["Cache-Control"] = CACHE_CONTROL
    response["Last-Modified"] = http_date(full.stat().st_mtime)
    response["X-Content-Type-Options"] = "nosniff"
    return response
