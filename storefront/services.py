"""Writes for the storefront: the one Saleor checkout behind the cart (the payments app takes the payment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from saleor_app.errors import SaleorGraphQLError
from storefront.error_codes import MESSAGES, StorefrontError, from_saleor
from storefront.saleor import buyer_client

MAX_QUANTITY = 99


@dataclass
class CheckoutProblem(Exception):
    """Saleor (or our own check) refused the change; `by_field` maps form fields to messages."""

    codes: list[StorefrontError]
    by_field: dict[str, str] = field(default_factory=dict)
    lines: set[str] = field(default_factory=set)
    variants: set[str] = field(default_factory=set)
    note: str = ""  # a message of its own, said instead of the codes' (e.g. until when sign-in is paused)

    @property
    def messages(self) -> list[str]:
        if self.note:
            return [self.note]
        return list(dict.fromkeys(str(MESSAGES[c]) for c in self.codes))


def _payload_errors(data: dict[str, Any]) -> list[dict]:
    return [e for payload in data.values() if isinstance(payload, dict) for e in payload.get("errors") or []]


def _run(
    name: str, variables: dict[str, Any], *, token: str | None = None, forwarded_for: str | None = None
) -> dict[str, Any]:
    """Run a mutation of one or more fields; any user error (of any field) raises CheckoutProblem."""
    try:
        data = buyer_client(token, forwarded_for=forwarded_for).execute(name, variables)
    except SaleorGraphQLError as exc:
        # e.g. a checkout id Saleor no longer knows
        raise CheckoutProblem(codes=[StorefrontError.CART_GONE]) from exc
    errors = _payload_errors(data)
    if errors:
        codes, by_field, lines, variants = [], {}, set(), set()
        for error in errors:
            code = from_saleor(error.get("code"), error.get("field"))
            codes.append(code)
            if error.get("field"):
                by_field.setdefault(error["field"], str(MESSAGES[code]))
            lines.update(error.get("lines") or [])
            variants.update(error.get("variants") or [])
        raise CheckoutProblem(codes=codes, by_field=by_field, lines=lines, variants=variants)
    return data


def _check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise CheckoutProblem(codes=[StorefrontError.QUANTITY_INVALID])


def cart_add(*, checkout_id: str | None, variant_id: str, quantity: int, token: str | None = None) -> str:
    """Add to the buyer's one cart (created on first use); returns the checkout id to keep."""
    _check_quantity(quantity)
    lines = [{"variantId": variant_id, "quantity": quantity}]
    if checkout_id:
        try:
            _run("StorefrontCheckoutLinesAdd", {"id": checkout_id, "lines": lines}, token=token)
            return checkout_id
        except CheckoutProblem as problem:
            if StorefrontError.CART_GONE not in problem.codes:
                raise
    data = _run(
        "StorefrontCheckoutCreate", {"channel": settings.SALEOR_CHANNEL_SLUG, "lines": lines}, token=token
    )
    return data["checkoutCreate"]["checkout"]["id"]


def cart_line_update(*, checkout_id: str, line_id: str, quantity: int) -> None:
    """Set a line's quantity; 0 removes it."""
    if quantity != 0:
        _check_quantity(quantity)
    _run(
        "StorefrontCheckoutLinesUpdate",
        {"id": checkout_id, "lines": [{"lineId": line_id, "quantity": quantity}]},
    )


def checkout_contact_set(*, checkout_id: str, email: str, address: dict[str, str]) -> None:
    """E-mail and delivery address (also the billing address) in one Saleor request."""
    _run("StorefrontCheckoutContact", {"id": checkout_id, "email": email, "address": address})


def checkout_delivery_set(*, checkout_id: str, method_id: str) -> None:
    _run("StorefrontCheckoutDelivery", {"id": checkout_id, "deliveryMethodId": method_id})
