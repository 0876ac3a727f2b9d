"""The App manifest Saleor reads when installing this app."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from saleor_app.webhook_specs import ASYNC_WEBHOOKS, SHIPPING_WEBHOOKS, SYNC_WEBHOOKS, WebhookSpec

APP_VERSION = "0.1.0"

# What the marketplace needs from Saleor; Saleor grants only what the installer passes (appInstall).
PERMISSIONS = (
    "MANAGE_PRODUCTS",
    "MANAGE_PRODUCT_TYPES_AND_ATTRIBUTES",
    "MANAGE_ORDERS",
    "MANAGE_CHECKOUTS",
    "HANDLE_PAYMENTS",
    "MANAGE_CHANNELS",
    "MANAGE_SHIPPING",
    "MANAGE_TRANSLATIONS",
)


# Pages of this app the Saleor Dashboard shows to platform staff: (identifier, label, mount, permissions).
# Each opens /office/saleor-dashboard/<identifier>/, which signs the staff user in by the Dashboard's token
# (office.saleor_dashboard); the extension's permissions only decide who sees the entry in the Dashboard.
DASHBOARD_EXTENSIONS = (
    ("unit-review", "文创市集 · 入驻审核 Unit applications", "NAVIGATION_CUSTOMERS", ()),
    ("listing-review", "文创市集 · 商品审核 Listing review", "NAVIGATION_CATALOG", ("MANAGE_PRODUCTS",)),
    ("campaign-review", "文创市集 · 众筹审核 Campaign review", "NAVIGATION_CATALOG", ("MANAGE_PRODUCTS",)),
    ("finance", "文创市集 · 财务控制台 Finance console", "NAVIGATION_ORDERS", ("MANAGE_ORDERS",)),
)


def absolute(path: str) -> str:
    return f"{settings.APP_PUBLIC_URL}{path}"


def _webhook(spec: WebhookSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": spec.name,
        "query": spec.query,
        "targetUrl": absolute(reverse(spec.url_name, args=[spec.name])),
        "isActive": True,
    }
    if spec.async_events:
        entry["asyncEvents"] = list(spec.async_events)
    if spec.sync_events:
        entry["syncEvents"] = list(spec.sync_events)
    return entry


def build_manifest() -> dict[str, Any]:
    """Manifest as JSON-ready dict; URLs are absolute against APP_PUBLIC_URL."""
    return {
        "id": settings.SALEOR_APP_IDENTIFIER,
        "version": APP_VERSION,
        "name": "Wenchuang Marketplace",
        "about": "Multi-vendor marketplace for cultural and creative products of museums, libraries, "
        "archives and memorial halls, with per-sale income distribution.",
        "author": "Wenchuang Marketplace",
        "requiredSaleorVersion": ">=3.20",
        "permissions": list(PERMISSIONS),
        "appUrl": absolute("/"),
        "tokenTargetUrl": absolute(reverse("saleor_app:register")),
        "webhooks": [_webhook(spec) for spec in (*ASYNC_WEBHOOKS, *SYNC_WEBHOOKS, *SHIPPING_WEBHOOKS)],
        "extensions": [
            {
                "identifier": identifier,
                "label": label,
                "url": reverse("office:saleor_dashboard", args=[identifier]),  # relative to appUrl
                "mount": mount,
                "target": "APP_PAGE",
                "permissions": list(permissions),
            }
            for identifier, label, mount, permissions in DASHBOARD_EXTENSIONS
        ],
    }
