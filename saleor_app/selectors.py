"""Reads of installations and the inbox."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from core import clock
from core.lru import LRUCache
from core.retry import INBOX_RETRY
from saleor_app.models import SaleorInstallation, WebhookEvent


def normalise_api_url(api_url: str) -> str:
    """Saleor's API URL always ends with /graphql/; compare with the trailing slash settled."""
    return api_url.strip().rstrip("/") + "/"


def installation_get(*, api_url: str) -> SaleorInstallation | None:
    return SaleorInstallation.objects.filter(api_url=normalise_api_url(api_url)).first()


# Webhook intake looks the installation up by the request's Saleor-Api-Url on every delivery; there are few
# installations, so a small bounded cache (of hits only: an unknown URL is never remembered) saves a query.
INSTALLATION_CACHE_SIZE = 64
INSTALLATION_CACHE_SECONDS = 30.0
_recent: LRUCache[SaleorInstallation] = LRUCache(
    maxsize=INSTALLATION_CACHE_SIZE, ttl=INSTALLATION_CACHE_SECONDS
)


def installation_get_cached(*, api_url: str) -> SaleorInstallation | None:
    """installation_get with a short per-process cache: webhook intake saves a query per delivery."""
    key = normalise_api_url(api_url)
    installation = _recent.get(key)
    if installation is None:
        installation = installation_get(api_url=api_url)
        if installation is not None:
            _recent.set(key, installation)
    return installation


def forget_cached_installations() -> None:
    _recent.clear()


def installation_default() -> SaleorInstallation | None:
    """The installation to call Saleor with when only one Saleor is served (the common case)."""
    if settings.SALEOR_API_URL:
        return installation_get(api_url=settings.SALEOR_API_URL)
    return SaleorInstallation.objects.order_by("pk").first()


def inbox_pending_ids(*, after_id: int = 0, limit: int = 100) -> list[int]:
    """Pending events in id order, for the drain to walk through once."""
    return list(
        WebhookEvent.objects.filter(status=WebhookEvent.Status.PENDING, pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def inbox_due_ids(*, lost_after_seconds: int = 120, limit: int = 500) -> list[int]:
    """Events to (re)deliver: pending ones whose enqueue was lost, failed ones past their backoff."""
    now = clock.now()
    lost = Q(status=WebhookEvent.Status.PENDING, received_at__lt=now - timedelta(seconds=lost_after_seconds))
    due = Q(status=WebhookEvent.Status.FAILED) & INBOX_RETRY.due(
        now=now, attempts_field="attempts", at_field="processed_at"
    )
    return list(
        WebhookEvent.objects.filter(lost | due).order_by("received_at").values_list("pk", flat=True)[:limit]
    )
