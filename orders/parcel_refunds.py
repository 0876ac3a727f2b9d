"""Refunds of one unit's parcel: asked by a member, approved by another, then granted and refunded in Saleor.

Saleor grants the refund (the parcel's lines, and an amount that adds the parcel's shipping as paid) and asks
the transaction's payment app to pay it back; the ORDER_REFUNDED delivery then posts the reversal, and
`parcel_of_granted_refund` tells the ledger which unit's parcel shipping it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import audit_record
from core.finance import is_platform_finance
from core.money import minor_to_decimal
from orders import tasks
from orders.error_codes import OrderInputError
from orders.error_codes import OrdersErrorCode as Code
from orders.models import Order, OrderLine, ParcelRefund
from orders.parcels import parcel_ref, posted_shipping
from saleor_app.app_client import app_client
from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorError, SaleorNotInstalled
from unit_onboarding.models import Unit, UnitMembership
from unit_onboarding.permissions import unit_roles

# asked, approved or paid back: its lines and shipping are taken (refused, withdrawn or failed are not)
OPEN = (ParcelRefund.Status.REQUESTED, ParcelRefund.Status.REFUNDING, ParcelRefund.Status.REFUNDED)


def may_request(user, unit: Unit) -> bool:
    """The unit's operators and finance members ask for a parcel refund."""
    return bool(unit_roles(user, unit) & {UnitMembership.Role.OPERATOR, UnitMembership.Role.FINANCE})


def may_decide(user, refund: ParcelRefund) -> bool:
    """The unit's finance members or platform finance decide, never whoever asked (money leaves)."""
    if not user.is_authenticated or user.pk == refund.requested_by_id:
        return False
    return is_platform_finance(user) or UnitMembership.Role.FINANCE in unit_roles(user, refund.unit)


def refundable_quantities(unit: Unit, order: Order) -> dict[int, int]:
    """This unit's lines (pk -> quantity) not yet in an open or paid parcel refund."""
    left = {line.pk: line.quantity for line in OrderLine.objects.filter(order=order, unit=unit)}
    for refund in ParcelRefund.objects.filter(order=order, unit=unit, status__in=OPEN):
        for pk, quantity in refund.lines:
            if pk in left:
                left[pk] -= quantity
    return left


def parcel_shipping(order: Order, unit: Unit) -> int:
    """The unit's parcel shipping (gross, fen) as the order's payment posted it; 0 without parcels."""
    ref = parcel_ref(unit)
    posted = posted_shipping(order.saleor_id)
    return posted.get(ref, 0) + posted.get(f"{ref}:tax", 0)


def _shipping_refunded(order: Order, unit: Unit) -> bool:
    return ParcelRefund.objects.filter(order=order, unit=unit, shipping=True, status__in=OPEN).exists()


@transaction.atomic
def parcel_refund_request(
    *, unit: Unit, order: Order, quantities: Mapping[int, int], shipping: bool, reason: str, actor
) -> ParcelRefund:
    """Ask for a refund of some of this unit's lines (pk -> quantity) and/or its parcel's shipping."""
    if not may_request(actor, unit):
        raise OrderInputError(
            Code.NOT_ALLOWED, _("Only the unit's operators and finance members ask for refunds.")
        )
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not reason.strip():
        raise OrderInputError(
            Code.REASON_REQUIRED, _("Say why the parcel is refunded (the buyer and finance read it).")
        )
    if order.charge_status not in ("PARTIAL", "FULL", "OVERCHARGED"):
        raise OrderInputError(
            Code.NOTHING_TO_REFUND, _("Nothing of this order is paid yet: nothing to refund.")
        )
    left = refundable_quantities(unit, order)
    wanted = {pk: qty for pk, qty in quantities.items() if qty}
    if any(pk not in left for pk in wanted):
        raise OrderInputError(Code.NOTHING_TO_REFUND, _("Choose lines of your own parcel."))
    for pk, qty in wanted.items():
        if not 0 < qty <= left[pk]:
            raise OrderInputError(
                Code.QUANTITY_TOO_HIGH, _("At most %(n)s left to refund on a line.") % {"n": max(left[pk], 0)}
            )
    amount = 0
    lines = {line.pk: line for line in OrderLine.objects.filter(pk__in=wanted)}
    for pk, qty in wanted.items():
        line = lines[pk]
        # what the buyer paid for these items (after discounts, with tax); a whole line exactly
        amount += (line.total_net + line.total_tax) * qty // line.quantity
    shipping_amount = 0
    if shipping:
        if _shipping_refunded(order, unit):
            raise OrderInputError(
                Code.SHIPPING_ALREADY_REFUNDED, _("This parcel's shipping is already refunded.")
            )
        shipping_amount = parcel_shipping(order, unit)
        if shipping_amount <= 0:
            raise OrderInputError(
                Code.NOTHING_TO_REFUND, _("This parcel's shipping was free or not paid per parcel.")
            )
        amount += shipping_amount
    if amount <= 0:
        raise OrderInputError(
            Code.NOTHING_TO_REFUND, _("Choose at least one item or the shipping to refund.")
        )
    now = clock.now()
    refund = ParcelRefund.objects.create(
        order=order,
        unit=unit,
        lines=sorted([pk, qty] for pk, qty in wanted.items()),
        shipping=shipping,
        amount=amount,
        shipping_amount=shipping_amount,
        currency=order.currency,
        reason=reason.strip(),
        order_seen_at=order.saleor_updated_at,
        requested_by=actor,
        requested_at=now,
    )
    audit_record(
        actor=actor,
        action="parcel_refund.request",
        subject=f"order:{order.saleor_id}",
        party=f"unit:{unit.uid}",
        after={"refund": refund.pk, "amount": amount, "lines": refund.lines, "shipping": shipping},
    )
    return refund


def _locked_requested(refund_id: int) -> ParcelRefund:
    """The request, locked, while nobody has decided or withdrawn it (else refused as stale)."""
    refund = ParcelRefund.objects.select_for_update().select_related("order", "unit").get(pk=refund_id)
    if refund.status != ParcelRefund.Status.REQUESTED:
        raise OrderInputError(Code.STALE, _("This request was already decided or withdrawn."))
    return refund


def _decidable(refund_id: int, actor) -> ParcelRefund:
    refund = _locked_requested(refund_id)
    if not may_decide(actor, refund):
        raise OrderInputError(
            Code.NOT_ALLOWED, _("A finance member other than the requester decides refunds.")
        )
    return refund


def parcel_refund_refuse(*, refund_id: int, actor, note: str) -> ParcelRefund:
    """Refuse a requested parcel refund, with the reason the requester reads."""
    if not note.strip():
        raise OrderInputError(Code.REASON_REQUIRED, _("Say why the refund is refused."))
    with transaction.atomic():
        refund = _decidable(refund_id, actor)
        _decide(refund, ParcelRefund.Status.REFUSED, actor, note=note.strip())
    return refund


def parcel_refund_withdraw(*, refund_id: int, actor) -> ParcelRefund:
    """Take back a request not yet decided (its requester, or the unit's finance)."""
    with transaction.atomic():
        refund = _locked_requested(refund_id)
        if actor.pk != refund.requested_by_id and UnitMembership.Role.FINANCE not in unit_roles(
            actor, refund.unit
        ):
            raise OrderInputError(
                Code.NOT_ALLOWED, _("Only the requester or the unit's finance withdraws it.")
            )
        refund.status = ParcelRefund.Status.WITHDRAWN
        refund.save(update_fields=["status"])
        _audit(refund, actor, "parcel_refund.withdraw", ParcelRefund.Status.REQUESTED)
    return refund


def parcel_refund_approve(*, refund_id: int, actor, client: SaleorClient | None = None) -> ParcelRefund:
    """Approve, then grant the refund in Saleor and request it from the order's payment transaction.

    Refused when stale: the order changed in Saleor since the request (another refund, a cancellation), so
    the figures the requester saw may no longer hold. Saleor's own refusals leave the request FAILED with
    their message; nothing is posted here (the ORDER_REFUNDED delivery posts what was really paid back).
    """
    with transaction.atomic():
        refund = _decidable(refund_id, actor)
        if refund.order.saleor_updated_at != refund.order_seen_at:
            raise OrderInputError(
                Code.STALE, _("The order changed since this was asked: ask again with its figures now.")
            )
        _decide(refund, ParcelRefund.Status.REFUNDING, actor)
    try:
        client = client or app_client()
        _grant_and_request(refund, client)  # stores the granted refund's id as soon as Saleor gives it
    except (SaleorError, SaleorNotInstalled, OrderInputError) as exc:
        ParcelRefund.objects.filter(pk=refund.pk).update(
            status=ParcelRefund.Status.FAILED, last_error=str(exc)[:2000]
        )
        refund.refresh_from_db()
        _audit(refund, actor, "parcel_refund.failed", ParcelRefund.Status.REFUNDING, error=str(exc)[:500])
        return refund
    refund.refresh_from_db()
    # granted in Saleor: the buyer is told (robust: a broker outage is logged, never undoes the grant)
    transaction.on_commit(lambda: tasks.mail_parcel_refund.delay(refund.pk), robust=True)
    return refund


def _grant_and_request(refund: ParcelRefund, client: SaleorClient) -> None:
    """The Saleor side: the grant (lines and our amount), then the refund request on a transaction."""
    saleor_lines = dict(
        OrderLine.objects.filter(pk__in=[pk for pk, _ in refund.lines]).values_list("pk", "saleor_id")
    )
    refund_grant_and_request(
        order_id=refund.order.saleor_id,
        lines=[(saleor_lines[pk], qty) for pk, qty in refund.lines],
        amount=refund.amount,
        currency=refund.currency,
        reason=f"包裹退款 #{refund.pk}: {refund.reason}",
        client=client,
        # Stored before the request: the ORDER_REFUNDED it causes may arrive before this function returns.
        on_granted=lambda granted_id: ParcelRefund.objects.filter(pk=refund.pk).update(
            saleor_granted_refund_id=granted_id
        ),
    )


def refund_grant_and_request(
    *,
    order_id: str,
    lines: Sequence[tuple[str, int]],
    amount: int,
    currency: str,
    reason: str,
    client: SaleorClient,
    on_granted: Callable[[str], object],
    granted_id: str = "",
) -> str:
    """Grant a refund in Saleor (Saleor order line ids and quantities, and `amount` in minor units), tell
    `on_granted` its id, then request it from the order's transaction (this app → Stripe); the grant's id.

    `granted_id`: a grant made by an earlier attempt whose request failed; only the request is retried.
    """
    decimal_amount = minor_to_decimal(amount, currency)
    transaction_id = _transaction_for(client, order_id, decimal_amount)
    if not granted_id:
        granted_id = client.mutate(
            "OrderGrantRefundCreate",
            {
                "order": order_id,
                "input": {
                    "lines": [{"id": line_id, "quantity": qty} for line_id, qty in lines],
                    # Saleor's shipping is the whole order's: ours is in amount
                    "grantRefundForShipping": False,
                    "amount": str(decimal_amount),
                    "reason": reason[:1000],
                    "transactionId": transaction_id,
                    **_reason_reference(client),
                },
            },
            "orderGrantRefundCreate",
        )["grantedRefund"]["id"]
        on_granted(granted_id)
    client.mutate(
        "OrderGrantedRefundRequest",
        {"grantedRefund": granted_id, "transaction": transaction_id},
        "transactionRequestRefundForGrantedRefund",
    )
    return granted_id


def _reason_reference(client: SaleorClient) -> dict[str, str]:
    """{"reasonReference": page id} when the shop requires a refund reason of a page type (Saleor refuses a
    grant without one then); nothing otherwise."""
    settings = client.execute("RefundReasonReference", {}).get("refundSettings") or {}
    kind = (settings.get("reasonReferenceType") or {}).get("id")
    if not kind:
        return {}
    edges = (client.execute("RefundReasonPages", {"types": [kind]}).get("pages") or {}).get("edges") or []
    return {"reasonReference": edges[0]["node"]["id"]} if edges else {}


def _transaction_for(client: SaleorClient, order_id: str, amount: Decimal) -> str:
    """The order's transaction holding at least the refund's amount charged (the largest, if several)."""
    data = client.execute("OrderTransactions", {"order": order_id})
    found = sorted(
        (
            (Decimal(str(t["chargedAmount"]["amount"])), t["id"])
            for t in (data.get("order") or {}).get("transactions") or []
        ),
        reverse=True,
    )
    if not found or found[0][0] < amount:
        raise OrderInputError(
            Code.NOTHING_TO_REFUND, _("No payment of this order holds that much to refund.")
        )
    return found[0][1]


def _decide(refund: ParcelRefund, status: str, actor, *, note: str = "") -> None:
    before = refund.status
    refund.decision_note = note
    refund.record_decision(status, actor, also=("decision_note",))
    _audit(
        refund,
        actor,
        f"parcel_refund.{'approve' if status == ParcelRefund.Status.REFUNDING else 'refuse'}",
        before,
    )


def _audit(refund: ParcelRefund, actor, action: str, before: str, **detail) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=f"order:{refund.order.saleor_id}",
        party=f"unit:{refund.unit.uid}",
        refund=refund.pk,
        amount=refund.amount,
        before={"status": before},
        after={"status": refund.status, "note": refund.decision_note},
        **detail,
    )


def parcel_refund_paid(*, granted_refund_id: str, at) -> ParcelRefund | None:
    """Saleor recorded the granted refund paid back (its ORDER_REFUNDED delivery, posted): the parcel refund
    is REFUNDED at Saleor's time of the refund. Once: a later delivery of the same refund changes nothing."""
    refund = (
        ParcelRefund.objects.select_for_update()
        .select_related("order", "unit")
        .filter(saleor_granted_refund_id=granted_refund_id, status=ParcelRefund.Status.REFUNDING)
        .first()
    )
    if refund is None:
        return None
    refund.status, refund.refunded_at = ParcelRefund.Status.REFUNDED, at
    refund.save(update_fields=["status", "refunded_at"])
    _audit(refund, None, "parcel_refund.refunded", ParcelRefund.Status.REFUNDING, refunded_at=at.isoformat())
    return refund


def parcel_ref_of_granted_refund(granted_refund_id: str) -> str | None:
    """The parcel ref ("shipping:<unit uid>") whose shipping a Saleor granted refund returns; None when it is
    not a parcel refund of ours, or one without shipping."""
    refund = (
        ParcelRefund.objects.filter(saleor_granted_refund_id=granted_refund_id, shipping=True)
        .select_related("unit")
        .first()
    )
    return parcel_ref(refund.unit) if refund else None
