"""Catalog records. Images are kept apart from products: a product will point at its ImageAssets."""

from __future__ import annotations

import uuid

from django.db import models


class ImageAsset(models.Model):
    """One uploaded image: its private original, and once processed its public WebP derivatives."""

    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        REFUSED = "refused", "refused (the file is not acceptable)"
        FAILED = "failed", "failed (could not be processed; the file may be fine)"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner_key = models.CharField(
        max_length=100, db_index=True, help_text="who owns it, e.g. 'unit:42', until products exist"
    )
    original_name = models.CharField(max_length=255, unique=True, help_text="name in the private storage")
    original_filename = models.CharField(max_length=255, help_text="the name it was uploaded under")
    content_type = models.CharField(max_length=100, blank=True, help_text="as declared by the uploader")
    format = models.CharField(max_length=10, help_text="JPEG, PNG or WEBP, from the file's header")
    byte_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True, help_text="upright width in px")
    height = models.PositiveIntegerField(null=True, blank=True, help_text="upright height in px")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)
    derivatives = models.JSONField(
        default=list,
        blank=True,
        help_text="[{size, width, height, name, bytes}] per requested size, names in the default storage",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(width__isnull=False, height__isnull=False),
                name="image_asset_ready_has_size",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["refused", "failed"]) | ~models.Q(error_code=""),
                name="image_asset_refusal_has_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.status})"
