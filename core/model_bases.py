"""Abstract model bases for field groups that several apps' models share, defined once.

An abstract base has no table: a model extending one has exactly the columns it declared before (the fields
are defined here as they were there, so the change needs no migration; `makemigrations --check` says so).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Decided(models.Model):
    """Who decided a request (approved, rejected, confirmed…) and when; both empty while it waits.

    Where a second person must decide, the model's own constraint keeps `decided_by` from being the
    requester."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class InboxEvent(models.Model):
    """A verified webhook delivery stored before it is processed, and its processing: attempts retried by
    `core.retry.INBOX_RETRY`, the last error, when it was done. Each inbox adds its key, its statuses and
    what its redaction removes."""

    event_type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


def inbox_indexes(prefix: str) -> list[models.Index]:
    """An inbox's indexes: by status and age (the retry job), and its rows not yet redacted (retention)."""
    return [
        models.Index(fields=["status", "received_at"], name=f"{prefix}_status_idx"),
        models.Index(
            fields=["received_at"], condition=models.Q(redacted_at=None), name=f"{prefix}_unredacted_idx"
        ),
    ]
