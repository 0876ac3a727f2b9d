"""Order mails: the buyer's shipping mail (which unit shipped which items, carrier, tracking number, order
link), the buyer's parcel refund mail (which unit refunds what, goods and shipping apart, when granted) and a
unit's operators' new-order mail (their lines only, a link to the order in the back office)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core import clock
from core.money import minor_format
from orders.links import order_link_absolute
from orders.models import NewOrderMail, OrderLine, ParcelRefund, ShipmentMail
from orders.selectors import parcel_refund_items
from unit_onboarding.models import UnitMembership

# The operators' back office speaks the default language; their own choice is not stored.
OPERATOR_LANGUAGE = "zh-hans"
# The projection carries no Saleor languageCode yet: buyers' mails are in the default language.
BUYER_LANGUAGE = "zh-hans"


def money_text(minor: int, currency: str) -> str:
    """'¥12.50' for yuan, '12.50 USD' otherwise (mails are plain text)."""
    amount = minor_format(minor, currency, grouping=True)
    return f"¥{amount}" if currency == "CNY" else f"{amount} {currency}"


def _send_and_stamp(row, stamp: str, template: str, context: dict, recipients: list[str]) -> None:
    """Sends orders/email/<template>_subject.txt and _body.txt rendered in the active language, and stamps
    `row.<stamp>`. Called inside the row's lock: a failure rolls back and the task retries; a success is
    marked at once."""
    subject = render_to_string(f"orders/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"orders/email/{template}_body.txt", context)
    send_mail(subject, body, None, recipients)
    setattr(row, stamp, clock.now())
    row.save(update_fields=[stamp])


def shipment_mail_send(*, mail_id: int) -> bool:
    """Send one fulfilment's mail unless already sent (row lock: a repeated task sends nothing)."""
    with transaction.atomic():
        mail = (
            ShipmentMail.objects.select_for_update(of=("self",))
            .select_related("fulfilment__order", "fulfilment__unit")
            .get(pk=mail_id)
        )
        if mail.sent_at is not None:
            return False
        fulfilment = mail.fulfilment
        order = fulfilment.order
        if not order.customer_email:
            return False
        with translation.override(mail.language):
            context = {
                "order": order,
                "unit": str(fulfilment.unit) if fulfilment.unit else "",
                "items": [{"product": p, "variant": v, "quantity": q} for p, v, q in mail.items],
                "carrier": fulfilment.carrier,
                "tracking_number": fulfilment.tracking_number,
                "url": order_link_absolute(order.saleor_id),
            }
            _send_and_stamp(mail, "sent_at", "shipped", context, [order.customer_email])
    return True


def parcel_refund_mail_send(*, refund_id: int) -> bool:
    """Tell the buyer a unit's parcel refund was granted (once: the row lock and `buyer_mailed_at`)."""
    with transaction.atomic():
        refund = (
            ParcelRefund.objects.select_for_update(of=("self",))
            .select_related("order", "unit")
            .get(pk=refund_id)
        )
        granted = (ParcelRefund.Status.REFUNDING, ParcelRefund.Status.REFUNDED)
        if refund.buyer_mailed_at is not None or refund.status not in granted:
            return False
        order = refund.order
        if not order.customer_email:
            return False
        with translation.override(BUYER_LANGUAGE):
            context = {
                "order": order,
                "unit": str(refund.unit),
                "items": parcel_refund_items(refund),
                "goods": money_text(refund.goods_amount, refund.currency) if refund.goods_amount else "",
                "shipping": money_text(refund.shipping_amount, refund.currency) if refund.shipping else "",
                "amount": money_text(refund.amount, refund.currency),
                "reason": refund.reason,
                "granted_on": clock.local(refund.decided_at or clock.now()).date().isoformat(),
                "url": order_link_absolute(order.saleor_id),
            }
            _send_and_stamp(refund, "buyer_mailed_at", "parcel_refund", context, [order.customer_email])
    return True


def new_order_mail_send(*, mail_id: int) -> bool:
    """Send a unit's operators the order's lines of their unit, once (row lock: a repeated task sends
    nothing)."""
    with transaction.atomic():
        mail = (
            NewOrderMail.objects.select_for_update(of=("self",))
            .select_related("order", "unit")
            .get(pk=mail_id)
        )
        if mail.sent_at is not None:
            return False
        order, unit = mail.order, mail.unit
        recipients = sorted(
            get_user_model()
            .objects.filter(
                is_active=True,
                unit_memberships__unit=unit,
                unit_memberships__role=UnitMembership.Role.OPERATOR,
            )
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if not recipients:
            return False
        lines = OrderLine.objects.filter(
            order=order, unit=unit, quantity_fulfilled__lt=F("quantity")
        ).order_by("pk")
        path = reverse("orders:detail", kwargs={"uid": unit.uid, "pk": order.pk})
        with translation.override(OPERATOR_LANGUAGE):
            context = {
                "order": order,
                "unit": str(unit),
                "lines": lines,
                "url": f"{settings.APP_PUBLIC_URL}{path}",
            }
            _send_and_stamp(mail, "sent_at", "new_order", context, recipients)
    return True
