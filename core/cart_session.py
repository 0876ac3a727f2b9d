"""The buyer's cart in the session: the one Saleor checkout this browser may pay for."""

from __future__ import annotations

CHECKOUT_KEY = "sf_checkout"


def cart_checkout_id(session) -> str | None:
    """The Saleor checkout id of this session's cart, if any."""
    return session.get(CHECKOUT_KEY) or None


def cart_owns(session, *, checkout_id: str) -> bool:
    """True only when the checkout is this session's cart: a checkout id alone grants nothing."""
    return bool(checkout_id) and checkout_id == cart_checkout_id(session)
