"""A month of demo orders with refunds (November 2026), projected and posted the way orders does.

Each order is an OrderChanges delivery (tests/orders/payloads.py) parsed by orders.payload, projected
by orders.services.order_project and split by orders.services.sale_for; the ledger postings then go
through payments.ledger_services with the payment's and each refund's own time as posting date (the
inbox posts at delivery time, which would put a whole month on one day).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from catalog import listings
from catalog.models import Listing
from orders.models import OrderLine
from orders.parcels import payment_key
from orders.payload import order_data
from orders.services import order_project, sale_for
from payments.gateway.fees import fee_key
from payments.ledger_services import payment_fee_post, payment_post, refund_post
from tests.catalog.factories import curator, listing_data, variant
from tests.orders.conftest import unit_with_agreement
from tests.orders.payloads import Line, SaleorOrder
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import OperatingEntity, Unit


def _listing(unit: Unit, sku: str, category: str, *, publish: bool) -> Listing:
    operator = operator_of(unit)
    listing = listings.listing_create(
        unit=unit, data=listing_data(category=category), variants=[variant(sku)], actor=operator
    )
    listings.listing_submit(listing=listing, actor=operator)
    listings.listing_review(listing=listing, approve=True, reviewer=curator())
    if publish:
        listings.listing_publish(listing=listing, on_sale=True)
    return listing


def order_post(order: SaleorOrder, *, email: str, skus: dict[str, str], fee: int = 0) -> None:
    """Project one delivery and post its payment and refunds, as orders.services.order_postings does,
    and the fee Stripe kept on its charge, as payments.gateway.fees does."""
    payload = order.payload(issued_at=order.updated_at)
    payload["order"]["userEmail"] = email
    for line in payload["order"]["lines"]:
        line["productSku"] = skus[line["id"]]
    data = order_data(payload)
    with transaction.atomic():
        order_project(data=data)
        units = {ln.saleor_id: ln.unit for ln in OrderLine.objects.filter(order__saleor_id=data.saleor_id)}
        payment_post(
            idempotency_key=payment_key(data.saleor_id), sale=sale_for(data, units), posted_at=data.paid_at
        )
        if fee:
            payment_fee_post(
                idempotency_key=fee_key(f"txn_{data.saleor_id}"),
                order_ref=data.saleor_id,
                fee=fee,
                currency=data.currency,
                posted_at=data.paid_at,
            )
        for refund in data.refunds:
            refund_post(
                idempotency_key=f"refund:{refund.saleor_id}",
                order_ref=data.saleor_id,
                currency=data.currency,
                amount=refund.amount,
                posted_at=refund.created_at,
            )


@dataclass
class Month:
    museum: Unit  # its operating entity is paid by Stripe Connect
    library: Unit  # its operating entity by bank file
    orders: list[SaleorOrder] = field(default_factory=list)
    fees: dict[str, int] = field(default_factory=dict)  # order -> Stripe's fee, posted at payment


def _at(day: int, month: int = 11) -> str:
    return f"2026-{month:02d}-{day:02d}T10:00:00+00:00"


def november() -> Month:
    """Two units (a museum paid by Stripe, a library by bank), three listings, seven orders, three
    refunds, Stripe's fee on two orders.

    Goods sales before tax and shipping, net of refunds, in November 2026 (by hand):
    stationery 7,800 + 3,900 = 11,700; ceramics 8,000 - 800 + 8,000 - 8,000 = 7,200;
    books and prints 12,000 - 1,200 + 24,000 + 12,000 - 6,000 = 40,800; the museum 18,900,
    the library 40,800; six orders paid by four buyers (fees change none of it). October holds one more
    order (3,900).
    """
    museum, library = unit_with_agreement(101), unit_with_agreement(102)
    museum.unit_type, library.unit_type = "museum", "library"
    museum.save(update_fields=["unit_type"])
    library.save(update_fields=["unit_type"])
    OperatingEntity.objects.filter(unit=museum).update(
        settlement_method=OperatingEntity.Settlement.STRIPE, stripe_account_id="acct_museum"
    )
    library_entity = OperatingEntity.objects.get(unit=library)
    library_entity.settlement_method = OperatingEntity.Settlement.BANK
    library_entity.bank_name = "中国工商银行"
    library_entity.bank_account = "6222020200112233"
    library_entity.save()
    # The institutions' own accounts: their shares and staff pools are paid there, not to the entities.
    for unit, name, bank, account in (
        (museum, "某某博物馆", "中国建设银行重庆分行", "6227000011112222"),
        (library, "某某图书馆", "中国银行重庆分行", "6217000033334444"),
    ):
        unit.payout_account_name, unit.payout_bank_name, unit.payout_bank_account = name, bank, account
        unit.save(update_fields=["payout_account_name", "payout_bank_name", "payout_bank_account_encrypted"])
    museum.refresh_from_db()
    library.refresh_from_db()
    _listing(museum, "M-BOOKMARK", "wenchuang-stationery", publish=True)
    _listing(museum, "M-CUP", "wenchuang-ceramics", publish=False)  # approved, taken off sale
    _listing(library, "L-PRINT", "wenchuang-books-prints", publish=True)

    mw, lw = museum.saleor_warehouse_id, library.saleor_warehouse_id
    month = Month(museum=museum, library=library)
    plan = [
        # (order, lines (id, warehouse, unit price, qty, tax, sku), shipping, paid day, refunds, buyer)
        ("m-0", [("m0-a", mw, 3_900, 1, 0, "M-BOOKMARK")], 0, (30, 10), [], "b1@example.cn"),
        ("m-1", [("m1-a", mw, 3_900, 2, 0, "M-BOOKMARK")], 0, (2, 11), [], "b1@example.cn"),
        (
            "m-2",
            [("m2-a", lw, 12_000, 1, 0, "L-PRINT"), ("m2-b", mw, 8_000, 1, 0, "M-CUP")],
            1_000,
            (5, 11),
            [("m2-r1", 2_100, (9, 11))],  # 10% of the order: 1,200 + 800 + 100 (shipping)
            "b2@example.cn",
        ),
        (
            "m-3",
            [("m3-a", mw, 8_000, 1, 0, "M-CUP")],
            0,
            (12, 11),
            [("m3-r1", 8_000, (14, 11))],
            "B1@Example.cn",
        ),
        ("m-4", [("m4-a", lw, 12_000, 2, 1_440, "L-PRINT")], 0, (20, 11), [], "b3@example.cn"),
        (
            "m-6",
            [("m6-a", lw, 12_000, 1, 0, "L-PRINT")],
            0,
            (22, 11),
            [("m6-r1", 6_000, (27, 11))],
            "b2@example.cn",
        ),
        ("m-5", [("m5-a", mw, 3_900, 1, 0, "M-BOOKMARK")], 0, (26, 11), [], "b4@example.cn"),
    ]
    for ref, lines, shipping, (day, mon), refunds, email in plan:
        order = SaleorOrder(
            id=ref,
            lines=[Line(lid, wh, price, quantity=qty, tax=tax) for lid, wh, price, qty, tax, _sku in lines],
            shipping=shipping,
            updated_at=_at(28),
        )
        order.paid(f"{ref}-charge", _at(day, mon))
        order.refunds = [(rid, amount, _at(d, m)) for rid, amount, (d, m) in refunds]
        fee = {"m-1": 300, "m-4": 1_000}.get(ref, 0)
        order_post(order, email=email, skus={lid: sku for lid, *_rest, sku in lines}, fee=fee)
        month.orders.append(order)
        month.fees[ref] = fee
    return month
