"""Saleor's data shaped for templates: formatted prices, sellers, srcsets, readable descriptions."""

from __future__ import annotations

import json
from typing import Any

import nh3
from babel.dates import format_date
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import clock
from orders.models import ParcelRefund
from orders.selectors import parcel_refund_items
from storefront.attributes import attributes_shown
from storefront.money import babel_locale, money_format
from storefront.shipping_progress import progress_of
from storefront.translations import localized, localized_nodes, seo_texts, translated
from storefront.units import (
    Seller,
    group_by_seller,
    licence_in_force,
    metadata_dict,
    provenance_of,
    seller_of,
)

_INLINE_TAGS = {"b", "strong", "i", "em", "a", "br", "span"}


def _gross(price: dict | None) -> dict | None:
    return (price or {}).get("gross")


def card(product: dict, language: str) -> dict[str, Any]:
    """A product tile: name, seller, 'from' price, a responsive thumbnail."""
    meta = metadata_dict(product.get("metadata"))
    price_range = (product.get("pricing") or {}).get("priceRange") or {}
    start, stop = _gross(price_range.get("start")), _gross(price_range.get("stop"))
    thumb, small = product.get("thumbnail") or {}, product.get("thumbnailSmall") or {}
    srcset = ", ".join(f"{u} {w}w" for u, w in ((small.get("url"), 256), (thumb.get("url"), 512)) if u)
    name = translated(product, "name", language)
    return {
        "name": name,
        "slug": product["slug"],
        "seller": seller_of(meta),
        "price": money_format(start, language=language),
        "price_varies": bool(start and stop and start["fractionalAmount"] != stop["fractionalAmount"]),
        "image": thumb.get("url"),
        "srcset": srcset,
        "alt": card_alt(thumb.get("alt"), name),
        "available": product.get("isAvailableForPurchase", True),
    }


def card_alt(alt: str | None, name: str) -> str:
    """A card's picture sits in the link that names the product: its text is only what the name does not say
    (the name again would be read twice by a screen reader)."""
    return "" if not alt or alt.strip() == name.strip() else alt


def cards(connection: dict | None, language: str) -> list[dict]:
    return [card(edge["node"], language) for edge in (connection or {}).get("edges", [])]


def categories(connection: dict | None, language: str) -> list[dict]:
    """Category links (id, slug, name) in the page's language."""
    return localized_nodes(connection, language)


def category_page(category: dict, language: str) -> dict[str, Any]:
    """A category's texts in the page's language; its subcategories as links."""
    seo_title, seo_description = seo_texts(category, language)
    return {
        **localized(category, language),
        "seoTitle": seo_title,
        "seoDescription": seo_description,
        "children": localized_nodes(category.get("children"), language),
    }


def rich_text(description: str | None) -> str:
    """Saleor's Editor.js JSON as sanitised HTML paragraphs, headings and lists."""
    try:
        blocks = json.loads(description or "{}").get("blocks", [])
    except (ValueError, AttributeError):
        return ""
    parts = []
    for block in blocks:
        data = block.get("data") or {}
        if block.get("type") == "list":
            items = "".join(f"<li>{nh3.clean(str(i), tags=_INLINE_TAGS)}</li>" for i in data.get("items", []))
            parts.append(f"<ul>{items}</ul>")
        elif block.get("type") == "header":
            parts.append(f"<h3>{nh3.clean(str(data.get('text', '')), tags=_INLINE_TAGS)}</h3>")
        elif data.get("text"):
            parts.append(f"<p>{nh3.clean(str(data['text']), tags=_INLINE_TAGS)}</p>")
    return mark_safe("".join(parts))  # noqa: S308 - every fragment went through nh3


def _variant_name(variant: dict, language: str) -> str:
    """The variant's own name (translated), or "" when Saleor made it from the id (unnamed)."""
    name = translated(variant, "name", language)
    return name if name and name != variant["id"] else ""


def product_page(product: dict, language: str) -> dict[str, Any]:
    meta = metadata_dict(product.get("metadata"))
    name = translated(product, "name", language)
    seo_title, seo_description = seo_texts(product, language)
    provenance = provenance_of(meta) or {}
    story_key = "story_en" if language.startswith("en") else "story_zh"
    variants = []
    for variant in product.get("variants") or []:
        pricing = variant.get("pricing") or {}
        available = variant.get("quantityAvailable")
        limit = variant.get("quantityLimitPerCustomer")
        caps = [c for c in (available, limit, 99) if c is not None]
        label = _variant_name(variant, language)
        if not label:
            values = [", ".join(v["name"] for v in a["values"]) for a in variant.get("attributes") or []]
            label = " / ".join(v for v in values if v)
        variants.append(
            {
                "id": variant["id"],
                "label": label or name,
                "price": money_format(_gross(pricing.get("price")), language=language),
                "was": money_format(_gross(pricing.get("priceUndiscounted")), language=language)
                if pricing.get("onSale")
                else "",
                "in_stock": available is None or available > 0,
                "available": available,
                "max": min(caps),
                "limit": limit,
            }
        )
    gallery = [
        {
            "small": m["small"],
            "medium": m["medium"],
            "large": m["large"],
            "full": m["full"],
            "alt": m.get("alt") or name,
        }
        for m in product.get("media") or []
        if m.get("type") == "IMAGE"
    ]
    return {
        "id": product["id"],
        "name": name,
        "slug": product["slug"],
        "seo_title": seo_title or name,
        "seo_description": seo_description,
        "category": localized(product.get("category"), language),
        # An empty English description (a listing without one) falls back to the Chinese text.
        "description": rich_text(translated(product, "description", language))
        or rich_text(product.get("description")),
        "attributes": attributes_shown(product, language),
        "seller": seller_of(meta),
        "provenance": provenance,
        "story": provenance.get(story_key) or provenance.get("story_zh") or provenance.get("story_en") or "",
        "designer": provenance.get("designer") or "",
        "licence": licence_in_force(meta, today=clock.today()),
        "variants": variants,
        "in_stock": any(v["in_stock"] for v in variants),
        "gallery": gallery,
        "available": product.get("isAvailableForPurchase", True),
    }


def _line_meta(line: dict) -> dict[str, str]:
    product = ((line.get("variant") or {}).get("product")) or {}
    return metadata_dict(product.get("metadata"))


def checkout_page(checkout: dict, language: str) -> dict[str, Any]:
    """The cart grouped by unit, with formatted totals and the delivery options."""
    lines = []
    for line in checkout.get("lines") or []:
        variant = line["variant"]
        product = variant["product"]
        name = translated(product, "name", language)
        caps = [
            c for c in (variant.get("quantityAvailable"), variant.get("quantityLimitPerCustomer"), 99) if c
        ]
        lines.append(
            {
                "id": line["id"],
                "quantity": line["quantity"],
                "name": name,
                "variant": _variant_name(variant, language),
                "slug": product["slug"],
                "image": (product.get("thumbnail") or {}).get("url"),
                "alt": (product.get("thumbnail") or {}).get("alt") or name,
                "unit_price": money_format(_gross(line.get("unitPrice")), language=language),
                "total": money_format(_gross(line.get("totalPrice")), language=language),
                "max": min(caps) if caps else 99,
                "short": variant.get("quantityAvailable") is not None
                and variant["quantityAvailable"] < line["quantity"],
                "_meta": _line_meta(line),
            }
        )
    methods = [
        {
            "id": m["id"],
            "name": m["name"],
            "price": money_format(m.get("price"), language=language),
            "days": (m.get("minimumDeliveryDays"), m.get("maximumDeliveryDays")),
        }
        for m in checkout.get("shippingMethods") or []
        if m.get("active", True)
    ]
    return {
        "id": checkout["id"],
        "quantity": checkout.get("quantity") or 0,
        "groups": group_by_seller(lines, lambda line: line["_meta"]),
        "subtotal": money_format(_gross(checkout.get("subtotalPrice")), language=language),
        "shipping": money_format(_gross(checkout.get("shippingPrice")), language=language),
        "total": money_format(_gross(checkout.get("totalPrice")), language=language),
        "methods": methods,
        "method_id": (checkout.get("deliveryMethod") or {}).get("id"),
        "has_address": bool(checkout.get("shippingAddress")),
        "email": checkout.get("email") or "",
        "ready_to_pay": bool(
            checkout.get("lines")
            and checkout.get("email")
            and checkout.get("shippingAddress")
            and (checkout.get("deliveryMethod") or {}).get("id")
        ),
    }


def _order_line(line: dict, language: str) -> dict[str, Any]:
    # The line keeps the names as ordered; an English page reads the product's translation (if the
    # variant still exists and has one).
    variant = line.get("variant") or {}
    product = variant.get("product") or {}
    name = translated({"name": line["productName"], "en": product.get("en")}, "name", language)
    return {
        "id": line["id"],
        "name": name,
        "variant": translated({"name": line.get("variantName"), "en": variant.get("en")}, "name", language)
        or "",
        "quantity": line["quantity"],
        "quantity_fulfilled": line.get("quantityFulfilled") or 0,
        "total": money_format(_gross(line.get("totalPrice")), language=language),
        "image": (line.get("thumbnail") or {}).get("url"),
        "alt": (line.get("thumbnail") or {}).get("alt") or name,
        "_meta": metadata_dict(product.get("metadata")),
    }


def order_page(order: dict, language: str, *, carriers: dict[str, str] | None = None) -> dict[str, Any]:
    """The order grouped by unit, each with its fulfilment progress (carriers: fulfilment id -> name)."""
    lines = [_order_line(line, language) for line in order.get("lines") or []]
    fulfilments = order.get("fulfillments") or []
    groups = [
        {
            "seller": group.seller,
            "lines": group.lines,
            "progress": progress_of(group.lines, fulfilments, carriers or {}),
        }
        for group in group_by_seller(lines, lambda line: line["_meta"])
    ]
    return {
        "id": order["id"],
        "number": order["number"],
        "created": order.get("created"),
        "status": order.get("status"),
        "email": order.get("userEmail") or "",
        "groups": groups,
        "shipping_method": order.get("shippingMethodName") or "",
        "shipping": money_format(_gross(order.get("shippingPrice")), language=language),
        "total": money_format(_gross(order.get("total")), language=language),
    }


def minor_money(minor: int, currency: str, language: str) -> str:
    """money_format of an amount in minor units (this service's own figures)."""
    return money_format({"fractionalAmount": minor, "currency": currency}, language=language)


def local_date(moment, language: str) -> str:
    """The day in Asia/Shanghai (the business time zone), written as the language writes dates."""
    return format_date(clock.local(moment).date(), format="long", locale=babel_locale(language))


def parcel_refund(refund: ParcelRefund, language: str) -> dict[str, Any]:
    """A granted parcel refund as the buyer reads it: whose parcel, what it gives back, when, how far."""
    refunded = refund.status == ParcelRefund.Status.REFUNDED
    return {
        "id": refund.pk,
        # the unit named as its products name it (the English name on English pages)
        "unit": Seller(str(refund.unit_id), str(refund.unit), refund.unit.legal_name_en).name,
        "items": parcel_refund_items(refund),
        "goods": minor_money(refund.goods_amount, refund.currency, language),
        "shipping": minor_money(refund.shipping_amount, refund.currency, language) if refund.shipping else "",
        "amount": minor_money(refund.amount, refund.currency, language),
        "reason": refund.reason,
        "granted": local_date(refund.decided_at, language) if refund.decided_at else "",
        "refunded": local_date(refund.refunded_at, language) if refunded and refund.refunded_at else "",
        "state": "refunded" if refunded else "refunding",
        "status": _("Refunded") if refunded else _("Granted, on its way back to your payment"),
    }
