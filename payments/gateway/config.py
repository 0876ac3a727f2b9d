"""Stripe settings as the gateway uses them: keys, test mode, payment methods per channel."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PAYMENT_METHODS = ("card", "alipay", "wechat_pay")
# Only cards can be authorised now and captured later; Alipay and WeChat Pay charge at once.
CAPTURABLE_LATER = frozenset({"card"})


def test_mode() -> bool:
    """True with Stripe test keys: the storefront shows a test-mode marker."""
    return settings.STRIPE_SECRET_KEY.startswith("sk_test_")


def _parse_methods(raw: list[str], where: str) -> tuple[str, ...]:
    methods = tuple(m.strip().lower() for m in raw if m.strip())
    unknown = sorted(set(methods) - set(PAYMENT_METHODS))
    if unknown or not methods:
        raise ImproperlyConfigured(
            f"{where}: payment methods must be a non-empty subset of {', '.join(PAYMENT_METHODS)}"
            f" (got {', '.join(methods) or 'nothing'})"
        )
    return methods


@cache
def _channel_methods(per_channel: str) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for entry in per_channel.split(";"):
        if not entry.strip():
            continue
        slug, sep, methods = entry.partition("=")
        if not sep or not slug.strip():
            raise ImproperlyConfigured(
                f"STRIPE_CHANNEL_PAYMENT_METHODS entry {entry!r} must look like 'channel-slug=card|alipay'"
            )
        table[slug.strip()] = _parse_methods(methods.split("|"), f"STRIPE_CHANNEL_PAYMENT_METHODS[{slug}]")
    return table


def payment_methods(channel_slug: str) -> tuple[str, ...]:
    """Payment methods enabled for a Saleor channel (STRIPE_CHANNEL_PAYMENT_METHODS, else the default)."""
    default = _parse_methods(list(settings.STRIPE_DEFAULT_PAYMENT_METHODS), "STRIPE_DEFAULT_PAYMENT_METHODS")
    table = _channel_methods(settings.STRIPE_CHANNEL_PAYMENT_METHODS)
    return table.get(channel_slug, default)


def publishable_key() -> str:
    return settings.STRIPE_PUBLISHABLE_KEY
