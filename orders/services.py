"""Writes of orders: project Saleor orders onto units, post paid orders and refunds to the ledger."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F

from catalog.selectors import royalties_in_force
from orders import holds as line_holds
from orders import parcel_refunds, tasks
from orders.error_codes import OrderInputError
from orders.error_codes import OrdersErrorCode as Code
from orders.models import Fulfilment, NewOrderMail, Order, OrderLine, ShipmentMail
from orders.parcels import order_parcels, parcel_ref, payment_key, posted_shipping
from orders.payload import LineData, OrderData
from orders.refunds import refund_scope
from orders.selectors import PAID
from payments import ledger_services
from payments.funding.models import DiscountFundingVersion
from payments.funding.selectors import funding_in_force
from payments.gateway import fees as payment_fees
from payments.ledger_services import PostResult
from payments.models import LedgerTransaction
from payments.split import (
    BPS_TOTAL,
    AgreementVersion,
    FeeRule,
    PartyShare,
    Recipe,
    Sale,
    SaleLine,
    SaleShipping,
    ShippingRule,
    SplitError,
    TaxRule,
    allocate_bps,
    product_recipe,
    tax_recipe,
)
from saleor_app.app_client import app_client
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError, SaleorMutationError, SaleorNotInstalled
from unit_onboarding.models import Unit
from unit_onboarding.selectors import split_terms_in_force, unit_for_warehouse, units_for_warehouses

_ORDER_INSERT = """
INSERT INTO orders_order (saleor_id, number, status, charge_status, currency, total, shipping,
    shipping_address, customer_email, saleor_updated_at, projected_at)
VALUES (%s, '', '', '', %s, 0, 0, '{}'::jsonb, '', '1970-01-01T00:00:00Z', now())
ON CONFLICT (saleor_id) DO NOTHING
"""


def _line_units(data: OrderData) -> dict[str, Unit]:
    """Each line's unit: the warehouse it was fulfilled from, else its allocation's, else product metadata.

    Raises UNIT_UNRESOLVED naming every line that has none (the event is parked until fixed).
    """
    fulfilled_from = {ref: f.warehouse_id for f in data.fulfilments for ref, _ in f.line_quantities}
    # Every warehouse the order names, in one query (a query per line and warehouse was a fifth of the
    # inbox worker's time in bench/soak.py).
    of_warehouse = units_for_warehouses(
        [
            *fulfilled_from.values(),
            *(line.warehouse_id for line in data.lines),
            *(w for line in data.lines for w in line.stocked_warehouses),
        ]
    )
    units, missing = {}, []
    for line in data.lines:
        unit = of_warehouse.get(fulfilled_from.get(line.saleor_id, "")) or of_warehouse.get(line.warehouse_id)
        allocated = {of_warehouse[w] for w in line.stocked_warehouses if w in of_warehouse}
        if len(allocated) > 1:  # one line's income cannot belong to two units
            raise OrderInputError(
                Code.UNIT_AMBIGUOUS,
                f"order {data.saleor_id}: line {line.saleor_id} ({line.product_name}) is allocated in "
                f"warehouses of {len(allocated)} units; allocate it in one unit's warehouse",
            )
        if unit is None and line.metadata_unit:
            unit = _unit_from_metadata(line.metadata_unit)
        if unit is None:
            missing.append(f"{line.saleor_id} ({line.product_name})")
        else:
            units[line.saleor_id] = unit
    if missing:
        raise OrderInputError(
            Code.UNIT_UNRESOLVED,
            f"order {data.saleor_id}: no unit owns the warehouse or product of line(s) {', '.join(missing)}",
        )
    return units


def _unit_from_metadata(value: str) -> Unit | None:
    """Catalog writes the unit's pk; older products may carry its uid."""
    if value.isdigit():
        return Unit.objects.filter(pk=int(value)).first()
    try:
        return Unit.objects.filter(uid=uuid.UUID(value)).first()
    except ValueError:
        return None


def order_project(*, data: OrderData) -> bool:
    """Store the order as Saleor last saw it; False (nothing written) when a newer state is already stored."""
    units = _line_units(data)
    with connection.cursor() as cursor:  # insert-or-nothing, then lock: concurrent events serialise here
        cursor.execute(_ORDER_INSERT, [data.saleor_id, data.currency])
    order = Order.objects.select_for_update().get(saleor_id=data.saleor_id)
    if order.saleor_updated_at > data.updated_at:
        return False
    order.number = data.number
    order.status = data.status
    order.charge_status = data.charge_status
    order.currency = data.currency
    order.total = data.total
    order.shipping = data.shipping_net + data.shipping_tax
    order.shipping_address = data.shipping_address
    order.customer_email = data.customer_email
    order.created_in_saleor = data.created
    order.saleor_updated_at = data.updated_at
    order.save()
    for line in data.lines:
        OrderLine.objects.update_or_create(
            saleor_id=line.saleor_id,
            defaults={
                "order": order,
                "unit": units[line.saleor_id],
                "warehouse_id": line.warehouse_id,
                "product_name": line.product_name[:250],
                "variant_name": line.variant_name[:250],
                "sku": line.sku[:255],
                "quantity": line.quantity,
                "quantity_fulfilled": line.quantity_fulfilled,
                "undiscounted_total": line.undiscounted_total,
                "total_net": line.total_net,
                "total_tax": line.total_tax,
                "currency": data.currency,
                "discounts": [
                    {"key": d.key, "type": d.type, "name": d.name, "amount": d.amount} for d in line.discounts
                ],
            },
        )
    order.lines.exclude(saleor_id__in=[line.saleor_id for line in data.lines]).delete()
    for f in data.fulfilments:
        Fulfilment.objects.update_or_create(
            saleor_id=f.saleor_id,
            defaults={
                "order": order,
                "unit": unit_for_warehouse(f.warehouse_id),
                "status": f.status,
                "tracking_number": f.tracking_number[:255],
            },
        )
    return True


def _agreement(unit: Unit, at: datetime, order_ref: str) -> AgreementVersion:
    terms = split_terms_in_force(unit, at)
    if terms is None:
        raise OrderInputError(
            Code.NO_AGREEMENT, f"order {order_ref}: unit {unit} has no agreement in force on {at.isoformat()}"
        )
    try:
        return AgreementVersion(
            f"agreement_version:{terms.version_id}",
            tuple(PartyShare(s.party_key, s.role, s.bps) for s in terms.shares),
            fee_rule=FeeRule(terms.fee_rule),
            tax_rule=TaxRule(terms.tax_rule),
            shipping_rule=ShippingRule(terms.shipping_rule),
        )
    except SplitError as exc:
        raise OrderInputError(Code.NO_AGREEMENT, f"order {order_ref}: {exc}") from exc


def product_line_recipe(*, unit: Unit, listing_id: int | None, at: datetime, order_ref: str) -> Recipe:
    """How a product line of `unit` (and listing) paid at `at` is split: its agreement and the listing's
    royalties in force then (what a held line is released by); NO_AGREEMENT when none is in force."""
    royalties = royalties_in_force(listing_ids=[listing_id], at=at)[listing_id] if listing_id else ()
    return product_recipe(
        _agreement(unit, at, order_ref), tuple(PartyShare(r.party, r.role, r.bps) for r in royalties)
    )


def tax_line_recipe(*, unit: Unit, at: datetime, order_ref: str) -> Recipe:
    """How the tax of a line of `unit` paid at `at` is split (seller of record or platform, by agreement)."""
    return tax_recipe(_agreement(unit, at, order_ref), _seller_of_record(unit))


def _seller_of_record(unit: Unit) -> str:
    entity = getattr(unit, "operating_entity", None)
    return entity.party_key if entity is not None else unit.party_key


def _shipping_unit(lines: tuple[LineData, ...], units: dict[str, Unit]) -> Unit:
    """An order without a per-parcel quote (Saleor's own one-price method, or older than shipping/): its
    shipping goes to the unit with most goods (first on ties)."""
    goods: dict[int, int] = defaultdict(int)
    first: dict[int, int] = {}
    for i, line in enumerate(lines):
        unit = units[line.saleor_id]
        goods[unit.pk] += line.total_net
        first.setdefault(unit.pk, i)
    best = min(goods, key=lambda pk: (-goods[pk], first[pk]))
    return next(u for u in units.values() if u.pk == best)


def _royalties(data: OrderData, at: datetime) -> dict[str, tuple[PartyShare, ...]]:
    """Each line's per-product royalties (designer, IP licence) in force at payment, by its listing."""
    listing_of = {
        ln.saleor_id: int(ln.metadata_listing) for ln in data.lines if ln.metadata_listing.isdigit()
    }
    in_force = royalties_in_force(listing_ids=listing_of.values(), at=at)
    return {
        ref: tuple(PartyShare(r.party, r.role, r.bps) for r in in_force[listing_id])
        for ref, listing_id in listing_of.items()
    }


def _platform_funding(line: LineData, funding: dict[str, DiscountFundingVersion]) -> dict:
    """The platform's part of the line's discounts under the funding versions in force at payment, and
    those versions (frozen on the split). A discount with no funding rule is the unit's, as before."""
    funded, versions = 0, set()
    for discount in line.discounts:
        version = funding.get(discount.key) if discount.key else None
        if version is None or not version.platform_bps:
            continue
        funded += allocate_bps(discount.amount, [version.platform_bps, BPS_TOTAL - version.platform_bps])[0]
        versions.add(version.pk)
    if not funded:
        return {}
    return {
        "platform_funded": funded,
        "funding": "discount_funding:" + "+".join(str(pk) for pk in sorted(versions)),
    }


def _held_agreement(hold: line_holds.Hold, agreement: AgreementVersion) -> AgreementVersion:
    """A held line's recipe: all of it, and its tax, to the holder; its card fee the platform's."""
    return AgreementVersion(
        hold.version,
        (PartyShare(hold.party, "held", BPS_TOTAL),),
        fee_rule=FeeRule.PLATFORM,
        tax_rule=TaxRule.SELLER_OF_RECORD,
        shipping_rule=agreement.shipping_rule,
    )


def sale_for(
    data: OrderData, units: dict[str, Unit], holds: dict[str, line_holds.Hold] | None = None
) -> Sale:
    """The split input of a fully charged order; AMOUNT_MISMATCH when it does not add up to Saleor's total.

    Held lines (`holds`, by default as the registered app says) go whole to their holder, unsplit."""
    paid_at = data.paid_at
    assert paid_at is not None
    if holds is None:
        holds = line_holds.lines_held(data=data, paid_at=paid_at)
    agreements = {
        u.pk: _agreement(u, paid_at, data.saleor_id) for u in {u.pk: u for u in units.values()}.values()
    }
    royalties = _royalties(data, paid_at)
    funding = funding_in_force(keys={d.key for ln in data.lines for d in ln.discounts if d.key}, at=paid_at)
    lines = tuple(
        SaleLine(
            ref=line.saleor_id,
            gross=line.total_net,
            agreement=_held_agreement(hold, agreements[units[line.saleor_id].pk]),
            seller_of_record=hold.party,
            tax=line.total_tax,
        )
        if (hold := holds.get(line.saleor_id))
        else SaleLine(
            ref=line.saleor_id,
            gross=line.total_net,
            agreement=agreements[units[line.saleor_id].pk],
            seller_of_record=_seller_of_record(units[line.saleor_id]),
            tax=line.total_tax,
            royalties=royalties.get(line.saleor_id, ()),
            **_platform_funding(line, funding),
        )
        for line in data.lines
    )
    shipping, parcels = None, ()
    if data.shipping_net or data.shipping_tax:
        parcels = tuple(
            SaleShipping(
                amount=p.net,
                party=p.unit.party_key,
                agreement=agreements[p.unit.pk],
                tax=p.tax,
                ref=parcel_ref(p.unit),
            )
            for p in order_parcels(data, units)
        )
    if (data.shipping_net or data.shipping_tax) and not parcels:
        shipper = _shipping_unit(data.lines, units)
        shipping = SaleShipping(
            amount=data.shipping_net,
            party=shipper.party_key,
            agreement=agreements[shipper.pk],
            tax=data.shipping_tax,
        )
    listed = sum(ln.gross + ln.tax for ln in lines) + data.shipping_net + data.shipping_tax
    # Saleor usually folds order discounts into line prices; what it did not is spread here by the engine.
    discount = listed - data.total
    if discount < 0:
        raise OrderInputError(
            Code.AMOUNT_MISMATCH,
            f"order {data.saleor_id}: lines and shipping add up to {listed}, "
            f"less than the total {data.total}",
        )
    if data.charged != data.total:
        raise OrderInputError(
            Code.AMOUNT_MISMATCH,
            f"order {data.saleor_id}: {data.charged} charged, but the order total is {data.total}",
        )
    # Stripe's fee is posted apart when Stripe reports it (payments.gateway.fees), so the payment's
    # figures, and so its idempotency fingerprint, never depend on which of the two arrived first.
    return Sale(
        data.saleor_id,
        data.currency,
        data.total,
        lines,
        discount=discount,
        shipping=shipping,
        parcels=parcels,
    )


def _fully_charged(data: OrderData) -> bool:
    return data.charged >= data.total > 0 and data.paid_at is not None


def order_postings(*, data: OrderData, announced_paid: bool) -> list[PostResult]:
    """Post the payment once the order is fully charged, then every refund Saleor reports on it
    (line by line when a granted refund scopes it, else pro rata).

    Any delivery that shows the charge can post the payment (same figures, same key), so the order
    in which events arrive does not matter; ledger refusals propagate (PostingRefused, PostingNotReady).
    """
    results = []
    fully_charged = _fully_charged(data)
    # Later events (refunds, fulfilments) never re-derive a posted payment: a unit's details may have
    # changed since, and the refund reuses the recipe frozen at payment. ORDER_FULLY_PAID itself always
    # re-posts, so a second payment with other figures is refused (parked) rather than ignored.
    posted = LedgerTransaction.objects.filter(idempotency_key=payment_key(data.saleor_id)).exists()
    if announced_paid or (fully_charged and not posted):
        if data.paid_at is None:
            raise OrderInputError(
                Code.AMOUNT_MISMATCH, f"order {data.saleor_id}: fully paid without a charge"
            )
        holds = line_holds.lines_held(data=data, paid_at=data.paid_at)
        sale = sale_for(data, _line_units(data), holds)
        results.append(ledger_services.payment_post(idempotency_key=payment_key(data.saleor_id), sale=sale))
        line_holds.payment_posted(data=data, holds=holds)
    parcels = posted_shipping(data.saleor_id) if data.refunds else {}
    for refund in data.refunds:  # a granted refund's lines and shipping say whose shares it reverses
        if refund.amount == 0:  # a refund of nothing (e.g. a zero grant) moves no money: nothing to post
            continue
        results.append(
            ledger_services.refund_post(
                idempotency_key=f"refund:{refund.saleor_id}",
                order_ref=data.saleor_id,
                currency=data.currency,
                lines=refund_scope(data, refund, parcels, parcel_refunds.parcel_ref_of_granted_refund),
                amount=refund.amount,
            )
        )
        granted = data.granted_refund_of(refund.saleor_id)
        if granted is not None:  # a parcel refund of ours, now paid back: the buyer's page says so
            parcel_refunds.parcel_refund_paid(granted_refund_id=granted.saleor_id, at=refund.created_at)
    return results


@transaction.atomic
def order_event_apply(*, data: OrderData, announced_paid: bool) -> None:
    """Project the order and post what it shows, all or nothing."""
    order_project(data=data)
    # Stripe's fee: link the order's PaymentIntents first (their lock precedes the ledger's), then post
    # the fees Stripe already reported once the payment is posted (payments.gateway.fees).
    payment_fees.order_payment_link(order_ref=data.saleor_id, psp_references=data.psp_references)
    order_postings(data=data, announced_paid=announced_paid)
    payment_fees.order_fees_post(order_ref=data.saleor_id, psp_references=data.psp_references)
    new_order_mails(data=data)


# Orders whose goods nobody should pack: never announced to the units.
NOT_TO_SHIP = ("DRAFT", "UNCONFIRMED", "CANCELED", "EXPIRED")


def new_order_mails(*, data: OrderData) -> list[NewOrderMail]:
    """Tell each unit with goods left to ship in a fully charged order, once: a redelivered or later event
    finds the unit's row (unique per order and unit) and sends nothing. Call with the order locked."""
    order = Order.objects.get(saleor_id=data.saleor_id)
    if not _fully_charged(data) or order.status in NOT_TO_SHIP:
        return []
    unit_ids = (
        OrderLine.objects.filter(order=order, unit__isnull=False, quantity_fulfilled__lt=F("quantity"))
        .values_list("unit", flat=True)
        .distinct()
        .order_by("unit")
    )
    created = []
    for unit_id in unit_ids:
        mail, new = NewOrderMail.objects.get_or_create(order=order, unit_id=unit_id)
        if new:  # robust: a broker outage is logged, never fails the event already committed
            transaction.on_commit(lambda pk=mail.pk: tasks.mail_new_order.delay(pk), robust=True)
            created.append(mail)
    return created


def fulfilment_create(
    *,
    unit: Unit,
    order: Order,
    quantities: dict[int, int],
    carrier: str,
    tracking_number: str,
    client: SaleorClient | None = None,
) -> list[Fulfilment]:
    """Fulfil this unit's lines (local line pk -> quantity) in Saleor from the unit's warehouse."""
    if not tracking_number.strip() or not carrier.strip():
        raise OrderInputError(Code.TRACKING_REQUIRED, "give the carrier and the tracking number")
    lines = {line.pk: line for line in OrderLine.objects.filter(order=order, unit=unit)}
    wanted = {pk: qty for pk, qty in quantities.items() if qty}
    if not wanted or any(pk not in lines for pk in wanted):
        raise OrderInputError(Code.NOTHING_TO_FULFIL, "choose at least one of your lines to fulfil")
    for pk, qty in wanted.items():
        if not 0 < qty <= lines[pk].quantity_to_fulfil:
            raise OrderInputError(
                Code.QUANTITY_TOO_HIGH,
                f"{lines[pk].product_name}: at most {lines[pk].quantity_to_fulfil} left to fulfil",
            )
    client = client or _client()
    try:
        result = client.mutate(
            "OrderFulfill",
            {
                "order": order.saleor_id,
                "input": {
                    "lines": [
                        {
                            "orderLineId": lines[pk].saleor_id,
                            "stocks": [{"quantity": qty, "warehouse": unit.saleor_warehouse_id}],
                        }
                        for pk, qty in sorted(wanted.items())
                    ],
                    "trackingNumber": tracking_number.strip(),
                    "notifyCustomer": True,
                },
            },
            "orderFulfill",
        )
    except SaleorMutationError as exc:
        raise OrderInputError(Code.SALEOR_REFUSED, str(exc)) from exc
    created = []
    with transaction.atomic():
        for f in result.get("fulfillments") or []:
            fulfilment, _ = Fulfilment.objects.update_or_create(
                saleor_id=f["id"],
                defaults={
                    "order": order,
                    "unit": unit,
                    "status": f["status"],
                    "tracking_number": f.get("trackingNumber") or tracking_number.strip(),
                    "carrier": carrier.strip()[:100],
                },
            )
            created.append(fulfilment)
            _shipment_mail(
                fulfilment,
                [[lines[pk].product_name, lines[pk].variant_name, qty] for pk, qty in sorted(wanted.items())],
            )
        for pk, qty in wanted.items():  # until the FULFILLMENT_CREATED event brings Saleor's figures
            OrderLine.objects.filter(pk=pk).update(quantity_fulfilled=F("quantity_fulfilled") + qty)
    return created


@dataclass(frozen=True)
class Shipment:
    """One row of a bulk shipment: an order of the unit, its carrier and tracking number."""

    order_pk: int
    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class ShipmentOutcome:
    shipment: Shipment
    order: Order | None
    error: OrderInputError | None = None


def fulfilments_create_bulk(
    *, unit: Unit, shipments: list[Shipment], client: SaleorClient | None = None
) -> list[ShipmentOutcome]:
    """Ship everything of this unit left in each paid order, each through fulfilment_create (one Saleor
    fulfilment per order); a refused order is reported in its outcome and the others still ship."""
    orders = Order.objects.filter(pk__in=[s.order_pk for s in shipments], lines__unit=unit).distinct()
    by_pk = {order.pk: order for order in orders}
    outcomes = []
    for shipment in shipments:
        order = by_pk.get(shipment.order_pk)
        try:
            if order is None:  # another unit's order, or none: refused like a wrong id
                raise OrderInputError(
                    Code.ORDER_NOT_FOUND, f"order {shipment.order_pk} is not of unit {unit}"
                )
            if order.charge_status not in PAID:  # Saleor would refuse it
                raise OrderInputError(Code.NOT_PAID, f"order {order.number} is {order.charge_status}")
            left = {
                line.pk: line.quantity_to_fulfil
                for line in OrderLine.objects.filter(order=order, unit=unit)
                if line.quantity_to_fulfil
            }
            if client is None:
                client = _client()
            fulfilment_create(
                unit=unit,
                order=order,
                quantities=left,
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                client=client,
            )
        except OrderInputError as error:
            outcomes.append(ShipmentOutcome(shipment, order, error))
        except SaleorError as error:  # an outage: this order is not shipped, the next may be
            outcomes.append(
                ShipmentOutcome(shipment, order, OrderInputError(Code.SALEOR_UNREACHABLE, str(error)))
            )
        else:
            outcomes.append(ShipmentOutcome(shipment, order))
    return outcomes


def _client() -> SaleorClient:
    try:
        return app_client()
    except SaleorNotInstalled as exc:
        raise OrderInputError(Code.SALEOR_REFUSED, str(exc)) from exc


def _shipment_mail(fulfilment: Fulfilment, items: list) -> None:
    """The buyer's mail about this parcel: one row per fulfilment, sent after commit by a task."""
    mail, created = ShipmentMail.objects.get_or_create(
        fulfilment=fulfilment, defaults={"items": items, "language": _buyer_language(fulfilment.order)}
    )
    if created:  # robust: a broker outage is logged, never fails the shipping action already committed
        transaction.on_commit(lambda: tasks.mail_shipment.delay(mail.pk), robust=True)


def _buyer_language(order: Order) -> str:
    """The projection carries no Saleor languageCode yet: the buyer's mail is in the default, zh-Hans."""
    return "zh-hans"
