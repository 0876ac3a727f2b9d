"""Parse the OrderChanges subscription payload into plain typed data (money as integer minor units)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from catalog import saleor_metadata
from orders.error_codes import OrderInputError
from orders.error_codes import OrdersErrorCode as Code
from payments.split import allocate

# Product metadata naming the unit, as catalog sync writes it: unit pk, then unit uid (onboarding's key).
UNIT_METADATA_KEYS = (saleor_metadata.UNIT_ID, saleor_metadata.UNIT_SLUG, "wenchuang.unit")


@dataclass(frozen=True)
class LineDiscount:
    """What one Saleor discount took off a line, net of tax (the line's discounts sum to exactly its
    undiscounted net less its net); `key` names who may fund it: the promotion's ID or the voucher code."""

    key: str  # "" when Saleor names no promotion or voucher (a manual discount): the unit funds it
    type: str  # Saleor OrderDiscountType: PROMOTION, SALE, VOUCHER, ORDER_PROMOTION, MANUAL
    name: str
    amount: int


@dataclass(frozen=True)
class LineData:
    saleor_id: str
    product_name: str
    variant_name: str
    sku: str
    quantity: int
    quantity_fulfilled: int
    warehouse_id: str  # of its allocation (one still holding stock first), "" when it has none
    stocked_warehouses: tuple[str, ...]  # every warehouse still holding an allocation of this line
    metadata_unit: str  # unit pk or uid from the product's metadata, if any
    metadata_listing: str  # this service's listing pk from the product's metadata, if any
    undiscounted_total: int  # gross
    total_net: int  # after discounts Saleor applied to the line, before tax
    total_tax: int
    unit_net: int = 0  # one item, after discounts: what Saleor grants a refund of per item (with unit_tax)
    unit_tax: int = 0
    undiscounted_net: int = 0
    discounts: tuple[LineDiscount, ...] = ()


@dataclass(frozen=True)
class FulfilmentData:
    saleor_id: str
    status: str
    tracking_number: str
    warehouse_id: str
    line_quantities: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PaymentEvent:
    saleor_id: str  # TransactionEvent id: the idempotency key of its posting
    kind: str  # CHARGE_SUCCESS or REFUND_SUCCESS
    amount: int
    created_at: datetime


@dataclass(frozen=True)
class GrantedRefund:
    """A refund granted in Saleor: which lines (quantities) and whether shipping; paid by `event_ids`."""

    saleor_id: str
    amount: int
    shipping_included: bool
    line_quantities: tuple[tuple[str, int], ...]
    event_ids: tuple[str, ...]  # its REFUND_SUCCESS (and other) transaction events


@dataclass(frozen=True)
class OrderData:
    saleor_id: str
    number: str
    status: str
    charge_status: str
    customer_email: str
    created: datetime | None
    updated_at: datetime
    currency: str
    total: int  # gross, what the buyer pays
    shipping_net: int
    shipping_tax: int
    shipping_address: dict[str, Any]
    lines: tuple[LineData, ...]
    fulfilments: tuple[FulfilmentData, ...]
    payments: tuple[PaymentEvent, ...]
    # its transactions' pspReference (Stripe PaymentIntent ids): fees and reconciliation find it by them
    psp_references: tuple[str, ...] = ()
    granted_refunds: tuple[GrantedRefund, ...] = ()
    checkout_id: str = ""  # the checkout it was created from (its shipping quote says what each parcel cost)
    shipping_method_name: str = ""

    def granted_refund_of(self, event_id: str) -> GrantedRefund | None:
        """The granted refund a refund event paid, if Saleor links them."""
        return next((g for g in self.granted_refunds if event_id in g.event_ids), None)

    @property
    def charged(self) -> int:
        return sum(p.amount for p in self.payments if p.kind == "CHARGE_SUCCESS")

    @property
    def paid_at(self) -> datetime | None:
        times = [p.created_at for p in self.payments if p.kind == "CHARGE_SUCCESS"]
        return max(times) if times else None

    @property
    def refunds(self) -> tuple[PaymentEvent, ...]:
        found = [p for p in self.payments if p.kind == "REFUND_SUCCESS"]
        return tuple(sorted(found, key=lambda p: (p.created_at, p.saleor_id)))


def _when(value: Any, what: str) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise OrderInputError(Code.MALFORMED_PAYLOAD, f"{what} is not a date-time: {value!r}")
    return parsed


class _Money:
    """Reads Money objects of one order, refusing any other currency."""

    def __init__(self, currency: str, order_id: str) -> None:
        self.currency, self.order_id = currency, order_id

    def fen(self, money: dict[str, Any] | None, what: str) -> int:
        if not money or not isinstance(money.get("fractionalAmount"), int):
            raise OrderInputError(
                Code.MALFORMED_PAYLOAD, f"order {self.order_id}: {what} has no fractionalAmount"
            )
        if money.get("currency") != self.currency:
            raise OrderInputError(
                Code.CURRENCY_MISMATCH,
                f"order {self.order_id}: {what} is in {money.get('currency')}, the order in {self.currency}",
            )
        return money["fractionalAmount"]


_REASON_KEYS = ("Promotion: ", "Sale: ", "Voucher code: ")


def _discount_key(raw: dict[str, Any], voucher_code: str) -> str:
    """The promotion's ID or the voucher code a Saleor discount names (Saleor writes them in its reason)."""
    reason = raw.get("reason") or ""
    for prefix in _REASON_KEYS:
        if reason.startswith(prefix):
            return reason.removeprefix(prefix).strip()
    return voucher_code if raw.get("type") == "VOUCHER" else ""


def _line_discounts(
    raw: dict[str, Any], money: _Money, order_discounts: list[tuple[str, str, str, int]], voucher_code: str
) -> tuple[LineDiscount, ...]:
    """Which discounts took the line from its undiscounted net to its net, and how much each (exactly).

    Saleor lists a line's own discounts with what each took off; what else the line lost is its part of
    the order-level discounts (Saleor spreads them into line prices), divided as their totals are.
    """
    ref = raw["id"]
    off_net = money.fen(raw["undiscountedTotalPrice"]["net"], f"line {ref} undiscounted net") - money.fen(
        raw["totalPrice"]["net"], f"line {ref} total net"
    )
    off_gross = money.fen(
        raw["undiscountedTotalPrice"]["gross"], f"line {ref} undiscounted total"
    ) - money.fen(raw["totalPrice"]["gross"], f"line {ref} total gross")
    if off_net <= 0:
        return ()
    parts = [
        (
            _discount_key(d, raw.get("voucherCode") or voucher_code),
            d.get("type") or "",
            d.get("name") or "",
            money.fen(d["total"], f"line {ref} discount {d.get('id')}"),
        )
        for d in raw.get("discounts") or []
    ]
    rest = off_gross - sum(weight for *_, weight in parts)
    order_weights = [weight for *_, weight in order_discounts]
    if rest > 0 and sum(order_weights) > 0:
        parts += [
            (key, kind, name, share)
            for (key, kind, name, _), share in zip(
                order_discounts, allocate(rest, order_weights), strict=True
            )
        ]
    elif rest > 0:  # Saleor named nothing for it: nobody is known to fund it but the unit
        parts.append(("", "", "", rest))
    weights = [max(weight, 0) for *_, weight in parts]
    if not sum(weights):
        return (LineDiscount("", "", "", off_net),)
    return tuple(
        LineDiscount(key, kind, name[:200], amount)
        for (key, kind, name, _), amount in zip(parts, allocate(off_net, weights), strict=True)
        if amount
    )


def _line(
    raw: dict[str, Any],
    money: _Money,
    order_discounts: list[tuple[str, str, str, int]] | None = None,
    voucher_code: str = "",
) -> LineData:
    ref = raw["id"]
    # Fulfilling from another warehouse leaves the original allocation behind with quantity 0.
    allocations = sorted(raw.get("allocations") or [], key=lambda a: not a.get("quantity"))
    product = (raw.get("variant") or {}).get("product") or {}
    metadata = {m["key"]: m["value"] for m in product.get("metadata") or []}
    total = raw["totalPrice"]
    return LineData(
        saleor_id=ref,
        product_name=raw.get("productName") or "",
        variant_name=raw.get("variantName") or "",
        sku=raw.get("productSku") or "",
        quantity=raw["quantity"],
        quantity_fulfilled=raw.get("quantityFulfilled") or 0,
        warehouse_id=allocations[0]["warehouse"]["id"] if allocations else "",
        stocked_warehouses=tuple(sorted({a["warehouse"]["id"] for a in allocations if a.get("quantity")})),
        metadata_unit=next((metadata[k] for k in UNIT_METADATA_KEYS if metadata.get(k)), ""),
        metadata_listing=metadata.get(saleor_metadata.LISTING_ID, ""),
        undiscounted_total=money.fen(
            raw["undiscountedTotalPrice"]["gross"], f"line {ref} undiscounted total"
        ),
        total_net=money.fen(total["net"], f"line {ref} total net"),
        total_tax=money.fen(total["tax"], f"line {ref} total tax"),
        unit_net=money.fen(raw["unitPrice"]["net"], f"line {ref} unit net"),
        unit_tax=money.fen(raw["unitPrice"]["tax"], f"line {ref} unit tax"),
        undiscounted_net=money.fen(raw["undiscountedTotalPrice"]["net"], f"line {ref} undiscounted net"),
        discounts=_line_discounts(raw, money, order_discounts or [], voucher_code),
    )


def _order_discounts(order: dict[str, Any], money: _Money) -> list[tuple[str, str, str, int]]:
    """(key, type, name, total) of the order-level discounts Saleor spread into its lines' prices."""
    voucher_code = order.get("voucherCode") or ""
    return [
        (
            _discount_key(d, voucher_code),
            d.get("type") or "",
            d.get("name") or "",
            money.fen(d["total"], f"order discount {d.get('id')}"),
        )
        for d in order.get("discounts") or []
    ]


def order_data(payload: dict[str, Any]) -> OrderData:
    """The order inside an OrderChanges delivery; MALFORMED_PAYLOAD when it is not one."""
    order = payload.get("order") if isinstance(payload, dict) else None
    if not order or not order.get("id"):
        raise OrderInputError(Code.MALFORMED_PAYLOAD, "the delivery holds no order")
    try:
        currency = order["total"]["gross"]["currency"]
        money = _Money(currency, order["id"])
        total = money.fen(order["total"]["gross"], "order total")
        shipping = order["shippingPrice"]
        payments = tuple(
            PaymentEvent(
                saleor_id=event["id"],
                kind=event["type"],
                amount=money.fen(event["amount"], f"transaction event {event['id']}"),
                created_at=_when(event["createdAt"], f"transaction event {event['id']} createdAt"),
            )
            for txn in order.get("transactions") or []
            for event in txn.get("events") or []
            if event.get("type") in ("CHARGE_SUCCESS", "REFUND_SUCCESS")
        )
        return OrderData(
            saleor_id=order["id"],
            number=str(order.get("number") or ""),
            status=order["status"],
            charge_status=order.get("chargeStatus") or "",
            customer_email=order.get("userEmail") or "",
            created=_when(order["created"], "order created") if order.get("created") else None,
            updated_at=_when(order["updatedAt"], "order updatedAt"),
            currency=currency,
            total=total,
            shipping_net=money.fen(shipping["net"], "shipping net"),
            shipping_tax=money.fen(shipping["tax"], "shipping tax"),
            shipping_address=order.get("shippingAddress") or {},
            lines=tuple(
                _line(raw, money, _order_discounts(order, money), order.get("voucherCode") or "")
                for raw in order["lines"]
            ),
            fulfilments=tuple(
                FulfilmentData(
                    saleor_id=f["id"],
                    status=f["status"],
                    tracking_number=f.get("trackingNumber") or "",
                    warehouse_id=(f.get("warehouse") or {}).get("id", ""),
                    line_quantities=tuple(
                        (fl["orderLine"]["id"], fl["quantity"])
                        for fl in f.get("lines") or []
                        if fl.get("orderLine")
                    ),
                )
                for f in order.get("fulfillments") or []
            ),
            payments=payments,
            psp_references=tuple(
                sorted({t["pspReference"] for t in order.get("transactions") or [] if t.get("pspReference")})
            ),
            granted_refunds=tuple(
                GrantedRefund(
                    saleor_id=g["id"],
                    amount=money.fen(g["amount"], f"granted refund {g['id']}"),
                    shipping_included=bool(g.get("shippingCostsIncluded")),
                    line_quantities=tuple(
                        (gl["orderLine"]["id"], gl["quantity"])
                        for gl in g.get("lines") or []
                        if gl.get("orderLine")
                    ),
                    event_ids=tuple(e["id"] for e in g.get("transactionEvents") or []),
                )
                for g in order.get("grantedRefunds") or []
            ),
            checkout_id=str(order.get("checkoutId") or ""),
            shipping_method_name=str(order.get("shippingMethodName") or ""),
        )
    except (KeyError, TypeError) as exc:
        raise OrderInputError(
            Code.MALFORMED_PAYLOAD, f"order {order['id']}: missing {exc} in the delivery"
        ) from exc
