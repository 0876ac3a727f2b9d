"""Abstract model bases for field groups that several apps' models share, defined once.

An abstract base has no table: a model extending one has exactly the columns it declared before (the fields
are defined here as they were there, so the change needs no migration; `makemigrations --check` says so).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core import clock


class Decided(models.Model):
    """Who decided a request (approved, rejected, confirmed…) and when; both empty while it waits.

    Where a second person must decide, the model's own constraint keeps `decided_by` from being the
    requester (`four_eyes_check`)."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def record_decision(self, status: str, actor, *, now: datetime | None = None, also: tuple = ()) -> None:
        """Saves the decision: its status, who and when (`now`, else the business clock), with the
        fields named in `also` that the caller set."""
        self.status, self.decided_by, self.decided_at = status, actor, now or clock.now()
        self.save(update_fields=["status", *also, "decided_by", "decided_at"])


class Proposed(Decided):
    """A proposal that another person decides: who proposed it and when, and the decision."""

    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()

    class Meta:
        abstract = True


class Requested(Decided):
    """A request that another person decides: who asked and when, and the decision."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()

    class Meta:
        abstract = True


def four_eyes_check(
    name: str,
    *,
    proposer: str,
    unless: Q,
    decided: Q | None = None,
    decider: str = "decided_by",
    suffix: str = "four_eyes",
) -> models.CheckConstraint:
    """The database's half of four eyes, `<name>_four_eyes`: a row is in the state `unless` excludes
    (waiting, or exempt) or, `decided` holding, its `decider` is not its `proposer`."""
    other = ~Q(**{decider: F(proposer)})
    return models.CheckConstraint(
        condition=unless | (other if decided is None else decided & other), name=f"{name}_{suffix}"
    )


def decided_check(name: str, *, waiting: str) -> models.CheckConstraint:
    """`<name>_decided_by_someone`: a row no longer `waiting` names who decided it and when."""
    return models.CheckConstraint(
        condition=Q(status=waiting) | Q(decided_by__isnull=False, decided_at__isnull=False),
        name=f"{name}_decided_by_someone",
    )


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
