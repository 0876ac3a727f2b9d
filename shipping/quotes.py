"""The checkout's shipping methods: one parcel per unit, each priced by the unit's rates in force, summed.

Saleor asks through SHIPPING_LIST_METHODS_FOR_CHECKOUT; the answer is computed from this service's own
tables (no call to Saleor) and recorded as a ShippingQuote, which the order later reads to credit each unit
its own parcel. Whatever cannot be priced exactly (a line of no known unit, a unit without rates, another
currency) gets no method at all: a checkout is never offered a wrong price.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import clock
from shipping.models import ShippingQuote
from shipping.pricing import NotShipped, ParcelPrice, parcel_price
from shipping.selectors import rates_in_force
from unit_onboarding.models import Unit

logger = logging.getLogger(__name__)

CURRENCY = "CNY"  # rates are set in fen of yuan
NAME_MAX = 100  # Saleor's limit on a method's name


@dataclass(frozen=True)
class CartLine:
    unit_id: int | None
    quantity: int
    goods: int  # fen, at the listed price (before checkout discounts)
    product_name: str


@dataclass(frozen=True)
class Cart:
    checkout_id: str
    currency: str
    province: str
    country: str
    lines: tuple[CartLine, ...]


class CartUnreadable(ValueError):
    """The payload is not a checkout this service can price."""


def cart_from_payload(payload: dict[str, Any]) -> Cart:
    checkout = payload.get("checkout") if isinstance(payload, dict) else None
    if not isinstance(checkout, dict) or not checkout.get("id"):
        raise CartUnreadable("no checkout in the payload")
    try:
        address = checkout.get("shippingAddress") or {}
        currency = (checkout.get("channel") or {}).get("currencyCode") or ""
        lines = []
        for raw in checkout.get("lines") or []:
            if raw.get("requiresShipping") is False:
                continue
            price = raw["undiscountedTotalPrice"]
            if price.get("currency") != currency or not isinstance(price.get("fractionalAmount"), int):
                raise CartUnreadable(f"line {raw.get('id')}: price not in {currency} minor units")
            product = (raw.get("variant") or {}).get("product") or {}
            unit_id = str(product.get("unitId") or "")
            lines.append(
                CartLine(
                    unit_id=int(unit_id) if unit_id.isdigit() else None,
                    quantity=int(raw["quantity"]),
                    goods=price["fractionalAmount"],
                    product_name=str(product.get("name") or ""),
                )
            )
        return Cart(
            checkout_id=str(checkout["id"]),
            currency=currency,
            province=str(address.get("countryArea") or ""),
            country=str((address.get("country") or {}).get("code") or ""),
            lines=tuple(lines),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CartUnreadable(f"malformed checkout: {exc}") from exc


@dataclass(frozen=True)
class Parcel:
    unit: Unit
    goods: int
    items: int
    price: ParcelPrice


@dataclass(frozen=True)
class CartShipping:
    """Each unit's parcel, shipped (`shipped`) and with pickup where allowed (`with_pickup`, None if no unit
    allows it); `unknown_lines`: products of no known unit (nothing can be priced then)."""

    shipped: tuple[Parcel, ...]
    with_pickup: tuple[Parcel, ...] | None
    unknown_lines: tuple[str, ...]

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(p.unit for p in self.shipped)

    @property
    def all_rated(self) -> bool:
        return not self.unknown_lines and all(p.price.refused != NotShipped.NO_RATES for p in self.shipped)


def cart_shipping(cart: Cart, *, at: datetime | None = None) -> CartShipping:
    """Price every unit's parcel of the cart with the rates in force at `at` (default now)."""
    at = at or clock.now()
    goods: dict[int, int] = defaultdict(int)
    items: dict[int, int] = defaultdict(int)
    order: list[int] = []
    unknown = []
    for line in cart.lines:
        if line.unit_id is None:
            unknown.append(line.product_name)
            continue
        if line.unit_id not in goods:
            order.append(line.unit_id)
        goods[line.unit_id] += line.goods
        items[line.unit_id] += line.quantity
    units = Unit.objects.in_bulk(order)
    unknown += [f"unit {pk}" for pk in order if pk not in units]
    order = [pk for pk in order if pk in units]
    rates = rates_in_force(unit_ids=order, at=at)
    province = cart.province if cart.country in ("CN", "") else ""

    def parcels(pickup: bool) -> tuple[Parcel, ...]:
        return tuple(
            Parcel(
                units[pk],
                goods[pk],
                items[pk],
                parcel_price(
                    rates[pk].terms if pk in rates else None,
                    province=province,
                    goods=goods[pk],
                    items=items[pk],
                    pickup=pickup,
                ),
            )
            for pk in order
        )

    any_pickup = any(rates[pk].pickup for pk in order if pk in rates)
    return CartShipping(parcels(False), parcels(True) if any_pickup else None, tuple(unknown))


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def _label(parcel: Parcel) -> str:
    if parcel.price.pickup:
        return "到馆自提"
    if parcel.price.amount == 0:
        return "包邮"
    return yuan(parcel.price.amount or 0)


def method_name(parcels: tuple[Parcel, ...]) -> str:
    """E.g. "三峡博物馆 ¥10.00 + 重庆图书馆 包邮"; shortened to Saleor's 100 characters for many units."""
    name = " + ".join(f"{p.unit} {_label(p)}" for p in parcels)
    if len(name) <= NAME_MAX:
        return name
    total = sum(p.price.amount or 0 for p in parcels)
    return f"{len(parcels)} 个包裹分别发货，共 {yuan(total)}"[:NAME_MAX]  # noqa: RUF001


def _parcels_record(parcels: tuple[Parcel, ...]) -> list[dict]:
    return [
        {
            "unit": p.unit.pk,
            "party": p.unit.party_key,
            "name": str(p.unit),
            "amount": p.price.amount,
            "rates": p.price.version_id,
            "pickup": p.price.pickup,
            "free": p.price.free,
        }
        for p in parcels
    ]


def _method(cart: Cart, parcels: tuple[Parcel, ...], kind: str, now: datetime) -> dict | None:
    if not parcels or any(p.price.amount is None for p in parcels):
        return None
    record = _parcels_record(parcels)
    digest = hashlib.sha256(
        json.dumps([kind, cart.currency, cart.province, record], sort_keys=True).encode()
    ).hexdigest()[:24]
    method_id = f"{kind}-{digest}"
    total = sum(p.price.amount or 0 for p in parcels)
    name = method_name(parcels)
    ShippingQuote.objects.bulk_create(
        [
            ShippingQuote(
                checkout_id=cart.checkout_id,
                method_id=method_id,
                name=name,
                currency=cart.currency,
                total=total,
                province=cart.province[:50],
                parcels=record,
                created_at=now,
            )
        ],
        ignore_conflicts=True,  # the same cart priced again: the same method, already recorded
    )
    description = "；".join(f"{p.unit}：{_label(p)}" for p in parcels)  # noqa: RUF001
    return {
        "id": method_id,
        "name": name,
        "amount": f"{total // 100}.{total % 100:02d}",
        "currency": cart.currency,
        "description": description,
        "metadata": {"wenchuang.parcels": json.dumps(record, ensure_ascii=False, separators=(",", ":"))},
    }


def shipping_methods_list(*, payload: dict[str, Any]) -> list[dict]:
    """The answer to SHIPPING_LIST_METHODS_FOR_CHECKOUT: parcels shipped, and with pickup where allowed.

    Empty when anything cannot be priced exactly; a unit that does not ship to the province leaves only
    the pickup method (if that unit allows pickup) or none, and the cart says why (storefront).
    """
    try:
        cart = cart_from_payload(payload)
    except CartUnreadable as exc:
        logger.warning("shipping methods: %s", exc)
        return []
    if cart.currency != CURRENCY or not cart.lines:
        return []
    shipping = cart_shipping(cart)
    if not shipping.all_rated:
        return []
    now = clock.now()
    methods = [_method(cart, shipping.shipped, "parcels", now)]
    if shipping.with_pickup is not None:
        methods.append(_method(cart, shipping.with_pickup, "pickup", now))
    return [m for m in methods if m is not None]


def shipping_methods_filter(*, payload: dict[str, Any]) -> dict:
    """The answer to CHECKOUT_FILTER_SHIPPING_METHODS: once every unit of the cart has rates, Saleor's own
    one-price-per-order methods are hidden (only the per-parcel methods stay); otherwise nothing is hidden."""
    try:
        cart = cart_from_payload(payload)
    except CartUnreadable as exc:
        logger.warning("shipping filter: %s", exc)
        return {"excluded_methods": []}
    if cart.currency != CURRENCY or not cart.lines or not cart_shipping(cart).all_rated:
        return {"excluded_methods": []}
    excluded = []
    for method in payload.get("shippingMethods") or []:
        method_id = str(method.get("id") or "")
        if _saleor_own(method_id):
            excluded.append({"id": method_id, "reason": "每个馆按自己的运费单独发货"})
    return {"excluded_methods": excluded}


def _saleor_own(global_id: str) -> bool:
    """Saleor's own methods are "ShippingMethod:<pk>" (base64); an app's are "app:<app>:<id>"."""
    try:
        decoded = base64.b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return global_id.startswith("ShippingMethod:")
    return decoded.startswith("ShippingMethod:") or global_id.startswith("ShippingMethod:")
