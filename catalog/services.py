"""Writes of the catalog: image uploads (checked and stored in the request, processed in Celery)."""

from __future__ import annotations

import hashlib
import logging
import uuid

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from catalog import images
from catalog.error_codes import ImageErrorCode
from catalog.models import ImageAsset
from catalog.tasks import process_image_asset
from core import clock

logger = logging.getLogger(__name__)

_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def image_asset_create(*, owner_key: str, upload: UploadedFile) -> ImageAsset:
    """Check the header, keep the original privately, and schedule processing once the row is committed.

    Raises images.ImageRefused (code and message for the uploader) before anything is stored.
    """
    filename = upload.name or ""
    header = images.inspect(upload, filename=filename, content_type=upload.content_type, size=upload.size)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    uid = uuid.uuid4()
    private = storages["private"]
    upload.seek(0)
    # Wrapped in File: the stored type then follows the sniffed format, not what the uploader declared.
    name = private.save(f"originals/{uid.hex}{_EXTENSIONS[header.format]}", File(upload))
    try:
        asset = ImageAsset.objects.create(
            uid=uid,
            owner_key=owner_key,
            original_name=name,
            original_filename=filename[:255],
            content_type=(upload.content_type or "")[:100],
            format=header.format,
            byte_size=upload.size,
            sha256=digest.hexdigest(),
        )
    except Exception:
        private.delete(name)
        raise
    transaction.on_commit(lambda: process_image_asset.delay(asset.pk))
    return asset


def image_asset_process(*, asset_id: int) -> str:
    """Run the pipeline on a pending asset; idempotent (derivative names are content-addressed)."""
    asset = ImageAsset.objects.filter(pk=asset_id).first()
    if asset is None:
        return "missing"
    if asset.status != ImageAsset.Status.PENDING:
        return asset.status
    with storages["private"].open(asset.original_name, "rb") as original:
        try:
            result = images.process(
                original,
                filename=asset.original_filename,
                content_type=asset.content_type,
                size=asset.byte_size,
            )
        except images.ImageRefused as refusal:
            _finish(
                asset_id,
                status=ImageAsset.Status.REFUSED,
                error_code=refusal.code,
                error_message=refusal.message,
            )
            return ImageAsset.Status.REFUSED
    entries = []
    written: dict[str, str] = {}
    public = storages["default"]
    for derivative in result.derivatives:
        wanted = (
            f"images/{asset.uid.hex}/{derivative.width}x{derivative.height}-"
            f"{hashlib.sha256(derivative.data).hexdigest()[:16]}.webp"
        )
        # Sizes the original cannot reach share one file; a retry finds its earlier writes in place.
        if wanted not in written:
            written[wanted] = (
                wanted if public.exists(wanted) else public.save(wanted, ContentFile(derivative.data))
            )
        entries.append(
            {
                "size": derivative.size,
                "width": derivative.width,
                "height": derivative.height,
                "name": written[wanted],
                "bytes": len(derivative.data),
            }
        )
    _finish(
        asset_id,
        status=ImageAsset.Status.READY,
        width=result.width,
        height=result.height,
        derivatives=entries,
    )
    return ImageAsset.Status.READY


def image_asset_fail(*, asset_id: int, reason: str) -> None:
    """Give up on an asset after repeated infrastructure failures; the uploader may try again."""
    logger.error("image asset %s could not be processed: %s", asset_id, reason)
    _finish(
        asset_id,
        status=ImageAsset.Status.FAILED,
        error_code=ImageErrorCode.PROCESSING_FAILED,
        error_message="The image could not be processed right now; please upload it again later.",
    )


def _finish(asset_id: int, **fields: object) -> None:
    # Only a pending asset changes: a duplicate delivery of the task cannot overwrite a finished one.
    ImageAsset.objects.filter(pk=asset_id, status=ImageAsset.Status.PENDING).update(
        processed_at=clock.now(), **fields
    )
