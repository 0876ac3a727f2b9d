"""OrderChanges deliveries built in the exact shape of the order_changes.graphql subscription."""

from __future__ import annotations

from dataclasses import dataclass, field


def money(fen: int, currency: str = "CNY") -> dict:
    return {"currency": currency, "fractionalAmount": fen, "fractionDigits": 2}


def taxed(net: int, tax: int = 0, currency: str = "CNY") -> dict:
    return {
        "currency": currency,
        "gross": money(net + tax, currency),
        "net": money(net, currency),
        "tax": money(tax, currency),
    }


@dataclass
class Line:
    id: str
    warehouse: str | None  # None: no allocation left
    unit_price: int  # net, before discounts, fen
    quantity: int = 1
    discount: int = 0  # part of the order discount Saleor folded into this line's total
    tax: int = 0
    unit_metadata: str = ""
    quantity_fulfilled: int = 0
    listing: int | None = None  # catalog listing pk, as catalog sync writes it into product metadata
    line_discounts: list[dict] = field(default_factory=list)  # OrderLine.discounts (see line_discount)
    voucher_code: str | None = None

    def shape(self, currency: str) -> dict:
        undiscounted = self.unit_price * self.quantity
        net = undiscounted - self.discount
        metadata = [{"key": "wenchuang.unit_id", "value": self.unit_metadata}] if self.unit_metadata else []
        if self.listing is not None:
            metadata.append({"key": "wenchuang.listing_id", "value": str(self.listing)})
        return {
            "id": self.id,
            "productName": f"Product of {self.id}",
            "variantName": "",
            "productSku": f"SKU-{self.id}",
            "quantity": self.quantity,
            "quantityFulfilled": self.quantity_fulfilled,
            "undiscountedUnitPrice": taxed(self.unit_price, currency=currency),
            "unitPrice": taxed(net // self.quantity, self.tax // self.quantity, currency),
            "undiscountedTotalPrice": taxed(undiscounted, self.tax, currency),
            "totalPrice": taxed(net, self.tax, currency),
            "voucherCode": self.voucher_code,
            "discounts": self.line_discounts,
            "allocations": (
                [{"quantity": self.quantity, "warehouse": {"id": self.warehouse}}] if self.warehouse else []
            ),
            "variant": {
                "id": f"variant-{self.id}",
                "product": {"id": f"product-{self.id}", "metadata": metadata},
            },
        }


@dataclass
class SaleorOrder:
    id: str
    lines: list[Line]
    shipping: int = 0
    currency: str = "CNY"
    status: str = "UNFULFILLED"
    updated_at: str = "2026-11-27T10:00:00+00:00"
    charges: list[tuple[str, int, str]] = field(default_factory=list)  # (event id, fen, createdAt)
    refunds: list[tuple[str, int, str]] = field(default_factory=list)
    extra_discount: int = 0  # an order discount Saleor did not fold into lines
    fulfillments: list[dict] = field(default_factory=list)
    granted: list[dict] = field(default_factory=list)  # grantedRefunds, as the subscription reads them
    checkout_id: str | None = None  # the checkout it was created from
    order_discounts: list[dict] = field(default_factory=list)  # Order.discounts (see order_discount)
    voucher_code: str | None = None
    shipping_method_name: str | None = None

    def refund_granted(
        self,
        event_id: str,
        amount: int,
        at: str,
        *,
        lines: tuple[tuple[str, int], ...] = (),
        shipping: bool = False,
    ) -> SaleorOrder:
        """A refund granted in Saleor for these (line, quantity) and/or shipping, paid by one refund event."""
        self.refunds.append((event_id, amount, at))
        self.granted.append(
            {
                "id": f"granted-{event_id}",
                "shippingCostsIncluded": shipping,
                "amount": money(amount, self.currency),
                "lines": [{"quantity": q, "orderLine": {"id": ref}} for ref, q in lines],
                "transactionEvents": [{"id": event_id}],
            }
        )
        return self

    @property
    def total(self) -> int:
        lines = sum(ln.unit_price * ln.quantity - ln.discount + ln.tax for ln in self.lines)
        return lines + self.shipping - self.extra_discount

    def paid(self, event_id: str = "charge-1", at: str = "2026-11-27T10:05:00+00:00") -> SaleorOrder:
        self.charges.append((event_id, self.total, at))
        return self

    def payload(self, issued_at: str = "2026-11-27T10:10:00+00:00") -> dict:
        c = self.currency
        events = [
            {
                "id": i,
                "type": "CHARGE_SUCCESS",
                "createdAt": at,
                "pspReference": f"pi_{i}",
                "amount": money(a, c),
            }
            for i, a, at in self.charges
        ] + [
            {
                "id": i,
                "type": "REFUND_SUCCESS",
                "createdAt": at,
                "pspReference": f"re_{i}",
                "amount": money(a, c),
            }
            for i, a, at in self.refunds
        ]
        charged = sum(a for _, a, _ in self.charges)
        return {
            "issuedAt": issued_at,
            "version": "3.24.0-a.0",
            "order": {
                "id": self.id,
                "number": self.id.removeprefix("order-"),
                "checkoutId": self.checkout_id,
                "shippingMethodName": self.shipping_method_name,
                "created": "2026-11-27T09:59:00+00:00",
                "updatedAt": self.updated_at,
                "status": self.status,
                "chargeStatus": "FULL" if charged >= self.total else ("PARTIAL" if charged else "NONE"),
                "userEmail": "buyer@example.cn",
                "voucherCode": self.voucher_code
                or ("SPRING" if any(ln.discount for ln in self.lines) else None),
                "shippingAddress": {
                    "firstName": "小明",
                    "lastName": "王",
                    "companyName": "",
                    "streetAddress1": "解放碑步行街1号",
                    "streetAddress2": "",
                    "city": "渝中区",
                    "cityArea": "",
                    "countryArea": "重庆市",
                    "postalCode": "400010",
                    "phone": "+8613800000000",
                    "country": {"code": "CN"},
                },
                "total": taxed(self.total, currency=c),
                "undiscountedTotal": taxed(self.total + sum(ln.discount for ln in self.lines), currency=c),
                "subtotal": taxed(self.total - self.shipping, currency=c),
                "shippingPrice": taxed(self.shipping, currency=c),
                "undiscountedShippingPrice": money(self.shipping, c),
                "discounts": self.order_discounts,
                "lines": [ln.shape(c) for ln in self.lines],
                "fulfillments": self.fulfillments,
                "grantedRefunds": self.granted,
                "transactions": [{"id": f"txn-{self.id}", "pspReference": f"pi_{self.id}", "events": events}],
            },
        }


def order_discount(kind: str, reason: str, amount: int, name: str = "", currency: str = "CNY") -> dict:
    """An Order.discounts entry as Saleor writes it: `reason` is "Voucher code: <code>" for a voucher,
    "Promotion: <promotion global ID>" for an order promotion."""
    return {
        "id": f"discount-{reason}",
        "type": kind,
        "name": name or reason,
        "reason": reason,
        "total": money(amount, currency),
    }


def line_discount(kind: str, reason: str, amount: int, name: str = "", currency: str = "CNY") -> dict:
    """An OrderLine.discounts entry (catalogue promotion, specific-product voucher) as Saleor writes it."""
    return {
        "id": f"line-discount-{reason}",
        "type": kind,
        "name": name or reason,
        "reason": reason,
        "total": money(amount, currency),
    }


def two_unit_order(units, order_id: str = "order-1") -> SaleorOrder:
    """Two units, a voucher folded into line totals: 3 x 25.00 (-3.00), 1 x 88.00 (-2.00), 10.00 shipping."""
    return SaleorOrder(
        id=order_id,
        lines=[
            Line("line-a", units[0].saleor_warehouse_id, 2500, quantity=3, discount=300),
            Line("line-b", units[1].saleor_warehouse_id, 8800, discount=200),
        ],
        shipping=1000,
    )


def fulfilled(order_id: str, ful_id: str, tracking: str, warehouse: str) -> dict:
    """Saleor's answer to orderFulfill: one fulfilment of the order, shipped from the warehouse."""
    return {
        "data": {
            "orderFulfill": {
                "fulfillments": [
                    {
                        "id": ful_id,
                        "status": "FULFILLED",
                        "trackingNumber": tracking,
                        "warehouse": {"id": warehouse},
                    }
                ],
                "errors": [],
            }
        }
    }
