"""The buyer's shipping mail: which unit shipped which items, carrier, tracking number, order link."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from core import clock
from orders.links import order_link_absolute
from orders.models import ShipmentMail


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
            subject = render_to_string("orders/email/shipped_subject.txt", context).strip()
            body = render_to_string("orders/email/shipped_body.txt", context)
        # Sent inside the lock: a failure rolls back and the task retries; a success is marked at once.
        send_mail(subject, body, None, [order.customer_email])
        mail.sent_at = clock.now()
        mail.save(update_fields=["sent_at"])
    return True
