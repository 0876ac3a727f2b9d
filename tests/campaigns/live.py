"""What the live campaign tests share: a museum's tier and a library's bag in one shop, the campaign launched
before the orders that back it, carts in Saleor racing for a tier's last items, a line's nets per party."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from functools import partial

from campaigns import services
from campaigns.error_codes import CampaignError
from campaigns.models import Campaign
from core import clock
from payments import selectors as ledger
from tests.catalog.factories import make_listing
from tests.db_sessions import race
from tests.live_shop import ProductSpec, own_shop
from tests.orders import live_order
from tests.orders.conftest import unit_with_agreement
from tests.unit_onboarding.factories import operator_of

from .conftest import launch

CHECKOUT_CREATE = """mutation($i: CheckoutCreateInput!) { checkoutCreate(input: $i) {
  checkout { id lines { variant { id } quantity } shippingMethods { id active } }
  errors { field message code } } }"""
CHECKOUT_DELIVERY = """mutation($id: ID!, $m: ID!) {
  checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $m) {
  checkout { totalPrice { gross { amount currency } } } errors { field message code } } }"""
CHECKOUT_COMPLETE = """mutation($id: ID!) { checkoutComplete(id: $id) {
  order { id checkoutId } errors { field message code } } }"""


@contextmanager
def mixed_shop_of(staff, tier_name: str, bag_name: str, tier_price: str, bag_price: str) -> Iterator:
    """The museum's tier product (warehouse 0) and the library's ordinary product (warehouse 1)."""
    specs = [ProductSpec(tier_name, tier_price, warehouse=0), ProductSpec(bag_name, bag_price, warehouse=1)]
    with own_shop(staff, specs, warehouses=2) as made:
        yield made


def units_on(shop, n: int):
    """A museum and a library with agreements (`n`, `n + 1`), each on its product's warehouse of `shop`."""
    museum, library = unit_with_agreement(n), unit_with_agreement(n + 1)
    for unit, product in zip((museum, library), shop.products, strict=True):
        type(unit).objects.filter(pk=unit.pk).update(saleor_warehouse_id=product.warehouse_id)
        unit.refresh_from_db()
    return museum, library


def tier_listing(staff, unit, variant_id: str):
    """The unit's listing of the Saleor variant's SKU (and another), pushed as that variant:
    (listing, operator, sku)."""
    sku = staff.gql("query($id: ID!) { productVariant(id: $id) { sku } }", {"id": variant_id})[
        "productVariant"
    ]["sku"]
    operator = operator_of(unit)
    listing = make_listing(unit, operator, skus=(sku, f"{sku}-other"))
    listing.saleor_variant_ids = {sku: variant_id}
    listing.save(update_fields=["saleor_variant_ids"])
    return listing, operator, sku


def launched_before_the_orders(unit, listing, operator, title_zh: str, goal_backers: int, tier) -> Campaign:
    """The unit's campaign of one tier (variant, limit), by backers, running from an hour ago for a
    day; reviewed and launched half an hour ago, as before the orders that back it were placed."""
    now = clock.now()
    campaign = services.campaign_save(
        unit=unit,
        actor=operator,
        listing=listing,
        title_zh=title_zh,
        goal_kind=Campaign.Goal.BACKERS,
        goal_amount=None,
        goal_backers=goal_backers,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        estimated_delivery=date.today() + timedelta(days=60),
        tiers=[tier],
    )
    campaign = launch(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(reviewed_at=now - timedelta(minutes=30))
    campaign.refresh_from_db()
    return campaign


def checkout_created(gql: Callable[[str, dict], dict], shop, email: str, variants: list[str]) -> dict:
    """A cart (one of each variant) in the shop's channel, shipping to China, made through `gql`."""
    made = gql(
        CHECKOUT_CREATE,
        {
            "i": {
                "channel": shop.channel_slug,
                "email": email,
                "lines": [{"variantId": v, "quantity": 1} for v in variants],
                "shippingAddress": live_order.ADDRESS,
                "billingAddress": live_order.ADDRESS,
            }
        },
    )["checkoutCreate"]
    assert not made["errors"], made["errors"]
    return made["checkout"]


def race_for_the_tier(carts: list[dict]) -> dict[str, str]:
    """Every cart goes to pay at once (the storefront's tier reservation): {checkout: taken | sold_out}."""

    def go_to_pay(cart: dict) -> str:
        lines = [(ln["variant"]["id"], ln["quantity"]) for ln in cart["lines"]]
        try:
            services.tiers_reserve(checkout_ref=cart["id"], lines=lines)
        except CampaignError as error:
            return str(error.code)
        return "taken"

    taken = race(*(partial(go_to_pay, cart) for cart in carts))
    return {cart["id"]: outcome for cart, outcome in zip(carts, taken, strict=True)}


def line_nets(order_id: str, ref: str) -> dict[str, int]:
    """What each party nets on the order's line `ref` in the ledger, parties at zero left out."""
    totals: dict[str, int] = {}
    for party, amount, _fee in ledger.order_line_nets(order_ref=order_id).get(ref, []):
        totals[party] = totals.get(party, 0) + amount
    return {p: a for p, a in totals.items() if a}
