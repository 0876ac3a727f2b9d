"""A real order in the live Saleor, placed as staff would in the Dashboard, read with our fragment."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from saleor_app.operations import subscription
from tests.live_saleor import StaffSession

ADDRESS = {
    "firstName": "Ming",
    "lastName": "Wang",
    "streetAddress1": "1600 Amphitheatre Pkwy",
    "city": "Mountain View",
    "countryArea": "CA",
    "postalCode": "94043",
    "country": "US",
}


def projection_query() -> str:
    """The subscription's fragments, asked as a staff query: the very shape a delivery carries."""
    text = subscription("order_changes")
    fragments = text[text.index("fragment Amount") :]
    return "query LiveOrder($id: ID!) { order(id: $id) { ...OrderProjection } }\n" + fragments


def delivery(staff: StaffSession, order_id: str) -> dict:
    order = staff.gql(projection_query(), {"id": order_id})["order"]
    return {"issuedAt": datetime.now(UTC).isoformat(), "version": "3.24", "order": order}


def _ok(payload: dict) -> dict:
    assert not payload.get("errors"), payload["errors"]
    return payload


def voucher_create(staff: StaffSession, channel_id: str, amount: str) -> tuple[str, str]:
    code = f"WC-{uuid.uuid4().hex[:8].upper()}"
    voucher = _ok(
        staff.gql(
            "mutation($i: VoucherInput!) { voucherCreate(input: $i)"
            " { voucher { id } errors { field message } } }",
            {"i": {"name": code, "addCodes": [code], "type": "ENTIRE_ORDER", "discountValueType": "FIXED"}},
        )["voucherCreate"]
    )["voucher"]
    _ok(
        staff.gql(
            "mutation($id: ID!, $i: VoucherChannelListingInput!)"
            " { voucherChannelListingUpdate(id: $id, input: $i) { errors { field message } } }",
            {"id": voucher["id"], "i": {"addChannels": [{"channelId": channel_id, "discountValue": amount}]}},
        )["voucherChannelListingUpdate"]
    )
    return voucher["id"], code


def voucher_delete(staff: StaffSession, voucher_id: str) -> None:
    staff.gql("mutation($id: ID!) { voucherDelete(id: $id) { errors { message } } }", {"id": voucher_id})


def order_place(
    staff: StaffSession, *, channel_id: str, variants: list[tuple[str, int]], voucher: str
) -> str:
    """A completed order of the given variants with a voucher and a shipping method."""
    draft = _ok(
        staff.gql(
            "mutation($i: DraftOrderCreateInput!) { draftOrderCreate(input: $i)"
            " { order { id shippingMethods { id active } } errors { field message } } }",
            {
                "i": {
                    "channelId": channel_id,
                    "userEmail": "buyer@example.cn",
                    "lines": [{"variantId": v, "quantity": q} for v, q in variants],
                    "shippingAddress": ADDRESS,
                    "billingAddress": ADDRESS,
                    "voucherCode": voucher,
                }
            },
        )["draftOrderCreate"]
    )["order"]
    method = next(m["id"] for m in draft["shippingMethods"] if m["active"])  # the variants are shippable
    _ok(
        staff.gql(
            "mutation($id: ID!, $i: DraftOrderInput!) { draftOrderUpdate(id: $id, input: $i)"
            " { errors { field message } } }",
            {"id": draft["id"], "i": {"shippingMethod": method}},
        )["draftOrderUpdate"]
    )
    _ok(
        staff.gql(
            "mutation($id: ID!) { draftOrderComplete(id: $id) { errors { field message } } }",
            {"id": draft["id"]},
        )["draftOrderComplete"]
    )
    return draft["id"]


def charge(staff: StaffSession, order_id: str, amount: str, currency: str) -> str:
    """Record a charge as a payment app would (manual adjustment: a CHARGE_SUCCESS event)."""
    return _ok(
        staff.gql(
            "mutation($id: ID!, $t: TransactionCreateInput!) { transactionCreate(id: $id, transaction: $t)"
            " { transaction { id } errors { field message } } }",
            {
                "id": order_id,
                "t": {
                    "name": "live-test",
                    "pspReference": f"pi_{uuid.uuid4().hex[:12]}",
                    "amountCharged": {"amount": amount, "currency": currency},
                    "availableActions": ["REFUND"],
                },
            },
        )["transactionCreate"]
    )["transaction"]["id"]


def refund(staff: StaffSession, transaction_id: str, amount: str, currency: str) -> None:
    _ok(
        staff.gql(
            "mutation($id: ID!, $t: TransactionUpdateInput!) { transactionUpdate(id: $id, transaction: $t)"
            " { errors { field message } } }",
            {"id": transaction_id, "t": {"amountRefunded": {"amount": amount, "currency": currency}}},
        )["transactionUpdate"]
    )
