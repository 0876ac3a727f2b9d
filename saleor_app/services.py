"""Writes of the Saleor App: registration, token confirmation, webhook inbox."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from core import clock
from core.db import fetch_one_prepared, redact_in_batches
from core.retry import INBOX_RETRY
from saleor_app import secrets_at_rest, wakeup
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError
from saleor_app.handlers import handlers_for
from saleor_app.models import SaleorInstallation, WebhookEvent
from saleor_app.selectors import normalise_api_url

logger = logging.getLogger(__name__)


class RegistrationRefused(Exception):
    """A token delivery that must not be accepted (unknown Saleor)."""


def api_url_allowed(api_url: str) -> bool:
    allowed = {normalise_api_url(u) for u in settings.SALEOR_ALLOWED_API_URLS}
    return normalise_api_url(api_url) in allowed


def installation_register(*, api_url: str, domain: str, token: str) -> SaleorInstallation:
    """Store a delivered token as pending (encrypted); it replaces the active one only once proven."""
    if not api_url_allowed(api_url):
        raise RegistrationRefused(f"Saleor at {api_url} is not in SALEOR_ALLOWED_API_URLS")
    installation, _ = SaleorInstallation.objects.update_or_create(
        api_url=normalise_api_url(api_url),
        defaults={
            "domain": domain,
            "pending_token_encrypted": secrets_at_rest.encrypt(token),
            "pending_since": clock.now(),
        },
    )
    return installation


@dataclass(frozen=True)
class ConfirmResult:
    confirmed: bool
    app_id: str = ""
    error: str = ""


def installation_confirm(*, installation_id: int, client: SaleorClient | None = None) -> ConfirmResult:
    """Prove the pending token against Saleor ({ app { id } }), then make it the active token."""
    installation = SaleorInstallation.objects.get(pk=installation_id)
    token = installation.pending_token
    if not token:
        return ConfirmResult(confirmed=bool(installation.token), app_id=installation.app_id)
    client = client or SaleorClient(installation.api_url, token)
    try:
        app = client.execute("AppSelf")["app"]
    except SaleorError as exc:
        SaleorInstallation.objects.filter(pk=installation.pk).update(last_error=str(exc)[:2000])
        return ConfirmResult(confirmed=False, error=str(exc))
    if not app or app.get("identifier") != settings.SALEOR_APP_IDENTIFIER:
        error = (
            f"token belongs to app {app and app.get('identifier')!r}, not {settings.SALEOR_APP_IDENTIFIER}"
        )
        SaleorInstallation.objects.filter(pk=installation.pk).update(last_error=error)
        return ConfirmResult(confirmed=False, error=error)
    with transaction.atomic():
        locked = SaleorInstallation.objects.select_for_update().get(pk=installation.pk)
        if locked.pending_token_encrypted == installation.pending_token_encrypted:
            locked.token_encrypted = locked.pending_token_encrypted
            locked.pending_token_encrypted = ""
            locked.pending_since = None
        locked.app_id = app["id"]
        locked.last_error = ""
        locked.save()
    return ConfirmResult(confirmed=True, app_id=app["id"])


PENDING_TOKEN_TTL = timedelta(minutes=10)


def installation_discard_stale_pending(*, installation_id: int, reason: str) -> bool:
    """Give up on a token that has not proved itself for PENDING_TOKEN_TTL (forged or abandoned)."""
    cutoff = clock.now() - PENDING_TOKEN_TTL
    return bool(
        SaleorInstallation.objects.filter(pk=installation_id, pending_since__lt=cutoff).update(
            pending_token_encrypted="", pending_since=None, last_error=f"pending token discarded: {reason}"
        )
    )


def event_key(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


_INSERT_EVENT = """
INSERT INTO saleor_app_webhookevent
    (key, installation_id, event_type, payload, body, signature, received_at, status, attempts, last_error)
VALUES (%s, %s, %s, %s::jsonb, %s, %s, %s, 'pending', 0, '')
ON CONFLICT (key) DO NOTHING
RETURNING id
"""


def inbox_store(
    *, installation: SaleorInstallation, event_type: str, body: bytes, signature: str
) -> int | None:
    """Insert a verified delivery; return its id, or None when this exact body was stored before.

    One statement: in autocommit (the webhook view) it is its own transaction, inside an atomic block
    it joins it; either way the worker is woken once it is committed. A body that is not UTF-8 JSON
    raises UnicodeDecodeError or django.db.DataError and stores nothing.
    """
    text = body.decode()  # UnicodeDecodeError: not a Saleor body
    # PostgreSQL parses the JSON once (DataError if it is not JSON) and plans the INSERT once per connection
    row = fetch_one_prepared(
        _INSERT_EVENT, [event_key(body), installation.pk, event_type, text, text, signature, clock.now()]
    )
    if row is None:
        return None
    # robust: the delivery is stored, which is the intake's whole job; with the broker down the wake-up is
    # logged and the next delivery's wake-up or the beat sweep finds the event (a 500 would only make Saleor
    # send it again, which stores nothing new and wakes nobody).
    transaction.on_commit(wakeup.inbox_kick, robust=True)
    return row[0]


MAX_ATTEMPTS = INBOX_RETRY.max_attempts


class PermanentEventError(Exception):
    """A handler's signal that this event cannot succeed until someone fixes data: park it."""


def inbox_process(*, event_id: int) -> str:
    """Run the event's handler once; concurrent workers skip an event another is processing."""
    with transaction.atomic():
        event = (
            # of=self: locking the joined installation row too would make workers skip each other's events
            WebhookEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("installation")
            .filter(pk=event_id, status__in=[WebhookEvent.Status.PENDING, WebhookEvent.Status.FAILED])
            .first()
        )
        if event is None:
            return "skipped"
        event.attempts += 1
        handlers = handlers_for(event.event_type)
        if not handlers:
            event.status = WebhookEvent.Status.IGNORED
        else:
            try:
                with transaction.atomic():  # all handlers' writes commit with the status, or none do
                    for handler in handlers:
                        handler(
                            event_type=event.event_type,
                            payload=event.payload,
                            installation=event.installation,
                        )
            except PermanentEventError as exc:
                event.status, event.last_error = WebhookEvent.Status.PARKED, str(exc)
            except Exception as exc:  # a handler bug or an outage: keep the event, retry later, then park
                logger.exception("handler for %s failed on event %s", event.event_type, event_id)
                exhausted = INBOX_RETRY.exhausted(event.attempts)
                event.status = WebhookEvent.Status.PARKED if exhausted else WebhookEvent.Status.FAILED
                event.last_error = f"{type(exc).__name__}: {exc}"
            else:
                event.status, event.last_error = WebhookEvent.Status.DONE, ""
        event.processed_at = clock.now()
        event.save(update_fields=["status", "attempts", "last_error", "processed_at"])
    if event.status == WebhookEvent.Status.FAILED:
        logger.warning("webhook event %s failed (attempt %d): %s", event_id, event.attempts, event.last_error)
    return event.status


def inbox_unpark(*, event_type: str = "", ids: list[int] | None = None) -> list[int]:
    """Put parked events back in the queue with fresh attempts; returns their ids in arrival order."""
    parked = WebhookEvent.objects.filter(status=WebhookEvent.Status.PARKED)
    if event_type:
        parked = parked.filter(event_type=event_type)
    if ids is not None:
        parked = parked.filter(pk__in=ids)
    with transaction.atomic():
        chosen = list(parked.select_for_update().order_by("pk").values_list("pk", flat=True))
        WebhookEvent.objects.filter(pk__in=chosen).update(status=WebhookEvent.Status.PENDING, attempts=0)
    return chosen


REDACTABLE = (WebhookEvent.Status.DONE, WebhookEvent.Status.IGNORED)


def inbox_redact_expired(*, now: datetime | None = None, batch: int = 500) -> int:
    """Remove the bodies of processed deliveries received over WEBHOOK_RETENTION_DAYS ago; how many were.

    Order deliveries carry buyers' names, addresses, e-mails and phones: the order projection and the
    ledger keep what accounting needs. The key (sha256 of the body), event type, status and times stay, so a
    replayed delivery is still a no-op. Parked and failed events keep their bodies until they are resolved
    (their handlers need them)."""
    now = now or clock.now()
    cutoff = now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)

    def redact(event: WebhookEvent) -> None:
        event.payload, event.body, event.signature = _skeleton(event.payload), "", ""

    return redact_in_batches(
        WebhookEvent.objects.filter(received_at__lt=cutoff, status__in=REDACTABLE),
        redact=redact,
        fields=["payload", "body", "signature"],
        now=now,
        batch=batch,
    )


def _skeleton(payload: object) -> dict:
    """What stays of a body: when Saleor issued it and the ids of the objects it named (no personal data)."""
    if not isinstance(payload, dict):
        return {}
    kept = {key: payload[key] for key in ("issuedAt", "version") if key in payload}
    for key, value in payload.items():
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            kept[key] = {"id": value["id"]}
    return kept
