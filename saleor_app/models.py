"""Saleor instances this app is installed in, and the inbox of their webhook deliveries."""

from __future__ import annotations

from django.db import models

from core.model_bases import InboxEvent, inbox_indexes
from saleor_app import secrets_at_rest


class SaleorInstallation(models.Model):
    """One Saleor instance that installed this app; its token is stored encrypted."""

    api_url = models.URLField(unique=True, help_text="Saleor-Api-Url, e.g. https://shop.example/graphql/")
    domain = models.CharField(max_length=255, blank=True)
    app_id = models.CharField(max_length=100, blank=True, help_text="Saleor's global id of this app")
    token_encrypted = models.TextField(blank=True, help_text="confirmed app token (encrypted)")
    pending_token_encrypted = models.TextField(
        blank=True, help_text="token delivered at registration, not yet proven against Saleor (encrypted)"
    )
    pending_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    jwks = models.JSONField(default=dict, blank=True)
    jwks_fetched_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.api_url

    token = secrets_at_rest.encrypted("token_encrypted")
    pending_token = secrets_at_rest.encrypted("pending_token_encrypted")

    @property
    def jwks_url(self) -> str:
        base = self.api_url.rstrip("/").removesuffix("/graphql")
        return f"{base}/.well-known/jwks.json"


class WebhookEvent(InboxEvent):
    """A verified delivery from Saleor, stored before it is processed; its body hash makes replays no-ops."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        IGNORED = "ignored", "ignored (no handler)"
        FAILED = "failed", "failed (will retry)"
        PARKED = "parked", "parked (needs a fix)"

    key = models.CharField(max_length=64, unique=True, help_text="sha256 of the signed body")
    installation = models.ForeignKey(SaleorInstallation, on_delete=models.PROTECT, related_name="events")
    body = models.TextField(help_text="the exact signed body, so the signature can be re-verified")
    signature = models.TextField(help_text="Saleor-Signature as received")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    redacted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="when the body (buyers' names, addresses, e-mails, phones) was removed,"
        " WEBHOOK_RETENTION_DAYS after receipt; the key stays, so a replay is still a no-op",
    )

    class Meta:
        indexes = inbox_indexes("saleor_event")

    def __str__(self) -> str:
        return f"{self.event_type} {self.key[:12]}"
