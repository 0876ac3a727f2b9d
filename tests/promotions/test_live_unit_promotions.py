"""Live Saleor: a unit's sale and voucher, approved by its finance member, created in Saleor through this
app's operations, scoped to exactly the unit's products in our channel; an order placed there names them on
the unit's line only, by the key the unit-funded rule was recorded under."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.models import Listing
from core import clock
from orders.payload import order_data
from payments import selectors as ledger
from payments.funding.models import DiscountFundingVersion
from promotions import selectors, services
from promotions.models import UnitPromotion
from saleor_app.client import SaleorClient
from tests.catalog.factories import make_listing
from tests.live_saleor import wait_until
from tests.live_shop import ProductSpec, own_shop
from tests.orders import live_order
from tests.orders.conftest import unit_with_agreement
from tests.promotions.live import (
    bookmark_and_fan_shop,
    bookmarks_and_fan_paid,
    line_discounts,
    on_sale,
    party_nets,
    shares,
)
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import UnitMembership

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


@pytest.fixture
def shop(staff):
    """The museum's product and the library's, each in a warehouse of its own, in the test's own channel."""
    products = [
        ProductSpec("实况促销书签", "60.00", warehouse=0),
        ProductSpec("实况促销团扇", "80.00", warehouse=1),
    ]
    with own_shop(staff, products, warehouses=2) as made:
        yield made


@pytest.fixture
def created(staff):
    """Promotions and vouchers made in Saleor by the test, deleted afterwards."""
    made: list[UnitPromotion] = []
    yield made
    for promotion in made:
        if promotion.kind == UnitPromotion.Kind.SALE and promotion.saleor_id:
            staff.gql(
                "mutation($id: ID!) { promotionDelete(id: $id) { errors { message } } }",
                {"id": promotion.saleor_id},
            )
        elif promotion.saleor_id:
            live_order.voucher_delete(staff, promotion.saleor_id)


def test_a_units_sale_and_voucher_are_created_in_saleor_on_exactly_its_products(
    saleor_api_url, settings, staff, shop, created
):
    settings.SALEOR_CHANNEL_SLUG = shop.channel_slug
    bookmark, fan = shop.products
    museum, library = unit_with_agreement(71), unit_with_agreement(72)
    type(museum).objects.filter(pk=museum.pk).update(saleor_warehouse_id=bookmark.warehouse_id)
    type(library).objects.filter(pk=library.pk).update(saleor_warehouse_id=fan.warehouse_id)
    museum.refresh_from_db()
    library.refresh_from_db()
    operator, finance = operator_of(museum), operator_of(museum, role=UnitMembership.Role.FINANCE)
    mine, theirs = make_listing(museum, operator), make_listing(library, operator_of(library))
    Listing.objects.filter(pk=mine.pk).update(saleor_product_id=bookmark.id)
    Listing.objects.filter(pk=theirs.pk).update(saleor_product_id=fan.id)
    client = SaleorClient(saleor_api_url, staff.token)  # staff holds MANAGE_DISCOUNTS, as the app asks for
    now = clock.now()
    terms = {
        "starts_at": now - timedelta(minutes=5),
        "ends_at": now + timedelta(days=3),
        "listing_ids": [mine.pk],
    }

    sale = services.promotion_propose(
        unit=museum, actor=operator, kind="sale", name="实况特价", reward="percentage", value=10,
        budget_fen=5_000, **terms,
    )  # fmt: skip
    sale = services.promotion_approve(promotion_id=sale.pk, actor=finance, client=client)
    created.append(sale)
    code = f"WCU{sale.pk}X{now:%H%M%S}"
    voucher = services.promotion_propose(
        unit=museum, actor=operator, kind="voucher", name="实况券", reward="fixed", value=500,
        code=code, usage_limit=3, budget_fen=1_500, **terms,
    )  # fmt: skip
    voucher = services.promotion_approve(promotion_id=voucher.pk, actor=finance, client=client)
    created.append(voucher)

    assert (sale.status, voucher.status) == ("created", "created"), (sale.last_error, voucher.last_error)
    held = client.execute("PromotionScope", {"id": sale.saleor_id})["promotion"]
    assert held["type"] == "CATALOGUE" and len(held["rules"]) == 1
    rule = held["rules"][0]
    assert rule["cataloguePredicate"] == {"productPredicate": {"ids": [bookmark.id]}}  # exactly the unit's
    assert [c["id"] for c in rule["channels"]] == [shop.channel_id]
    assert (rule["rewardValueType"], float(rule["rewardValue"])) == ("PERCENTAGE", 10.0)
    held = client.execute("VoucherScope", {"id": voucher.saleor_id})["voucher"]
    assert held["code"] == code and held["type"] == "SPECIFIC_PRODUCT" and held["usageLimit"] == 3
    assert [e["node"]["id"] for e in held["products"]["edges"]] == [bookmark.id]
    assert [(c["channel"]["id"], c["discountValue"]) for c in held["channelListings"]] == [
        (shop.channel_id, 5.0)
    ]
    rules = {v.funding.key: v for v in DiscountFundingVersion.objects.select_related("funding")}
    assert set(rules) == {sale.saleor_id, code}
    assert {(v.funder, v.proposed_by_id, v.decided_by_id) for v in rules.values()} == {
        ("unit", operator.pk, finance.pk)
    }

    # Saleor folds a catalogue promotion into variant prices in its Celery beat jobs (price recalculation):
    # the Saleor tested against must run them. Wait for the bookmark to be on sale.
    wait_until("Saleor to put the unit's product on sale", lambda: on_sale(staff, shop, bookmark))
    assert not on_sale(staff, shop, fan)

    # Orders of both products: Saleor names the sale (then the voucher too) on the museum's line only, by the
    # keys the unit-funded rules carry; the library's line is undiscounted.
    keys = {}
    for voucher_code in (None, code):
        order_id = live_order.order_place(
            staff,
            channel_id=shop.channel_id,
            variants=[(bookmark.variant_id, 1), (fan.variant_id, 1)],
            voucher=voucher_code,
        )
        delivered = live_order.delivery(staff, order_id)
        lines = {line.saleor_id: line for line in order_data(delivered).lines}
        by_variant = {ln["variant"]["id"]: lines[ln["id"]] for ln in delivered["order"]["lines"]}
        assert by_variant[fan.variant_id].discounts == ()
        keys[voucher_code] = {(d.key, d.amount) for d in by_variant[bookmark.variant_id].discounts}
    assert keys[None] == {(sale.saleor_id, 600)}  # 10 % of 60.00
    assert (code, 500) in keys[code] and {k for k, _ in keys[code]} <= {sale.saleor_id, code}


def test_a_unit_funded_sale_paid_and_partly_refunded_reduces_only_that_units_parties(
    saleor_api_url, settings, staff, app, deliver, created
):
    museum, library = unit_with_agreement(75), unit_with_agreement(76)
    names = ("实况特价书签", "实况原价团扇")
    with bookmark_and_fan_shop(staff, settings, museum, library, names) as (shop, bookmark, fan):
        operator, finance = operator_of(museum), operator_of(museum, role=UnitMembership.Role.FINANCE)
        mine = make_listing(museum, operator)
        Listing.objects.filter(pk=mine.pk).update(saleor_product_id=bookmark.id)
        now = clock.now()
        sale = services.promotion_propose(
            unit=museum, actor=operator, kind="sale", name="实况博物馆日", reward="percentage", value=10,
            budget_fen=5_000, listing_ids=[mine.pk], starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(days=3),
        )  # fmt: skip
        sale = services.promotion_approve(
            promotion_id=sale.pk, actor=finance, client=SaleorClient(saleor_api_url, staff.token)
        )
        created.append(sale)
        assert sale.status == "created", sale.last_error
        wait_until("Saleor to put the museum's bookmark on sale", lambda: on_sale(staff, shop, bookmark))

        order_id, txn, museum_line, fan_line, event = bookmarks_and_fan_paid(
            staff, app, deliver, shop, bookmark, fan
        )

        assert event.status == "done", event.last_error
        assert line_discounts(museum_line["id"]) == [(sale.saleor_id, 1_200)]
        # hand calculation (agreement 60 / 25 / 5 / 10 %): the museum's 2 x 60.00 less 10 % = 108.00 is split
        # among its parties; the library's 80.00 whole; no discount line, the platform funds nothing
        assert party_nets(order_id, museum_line["id"]) == shares(museum, (6_480, 2_700, 540, 1_080))
        assert party_nets(order_id, fan_line["id"]) == shares(library, (4_800, 2_000, 400, 800))
        assert f"{museum_line['id']}:discount" not in ledger.order_line_nets(order_ref=order_id)
        assert selectors.budget_used(sale) == 1_200
        assert ledger.transactions_unbalanced() == []

        # one bookmark granted back (54.00, its discounted price): the museum's parties return their shares
        granted = live_order.refund_granted(staff, order_id, txn, lines=[(museum_line["id"], 1)])
        event = deliver("order_refunded", live_order.delivery(staff, order_id))

        assert event.status == "done", event.last_error
        assert granted == 5_400
        assert party_nets(order_id, museum_line["id"]) == shares(museum, (3_240, 1_350, 270, 540))
        assert party_nets(order_id, fan_line["id"]) == shares(library, (4_800, 2_000, 400, 800))
        assert ledger.transactions_unbalanced() == []
