"""Backers' mails about a campaign's outcome (succeeded, failed, cancelled), in Chinese and English (the
projection carries no buyer language): one per backing order and outcome, sent through the queue."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from campaigns.models import BackerMail, CampaignRefund, Pledge
from core import clock
from orders.emails import money_text
from orders.links import order_link_absolute
from orders.models import Order

LANGUAGES = ("zh-hans", "en")


def backer_mail_send(*, mail_id: int) -> bool:
    """Send one backer's mail unless already sent (row lock: a repeated task sends nothing)."""
    with transaction.atomic():
        mail = (
            BackerMail.objects.select_for_update(of=("self",))
            .select_related("campaign__unit")
            .get(pk=mail_id)
        )
        if mail.sent_at is not None:
            return False
        order = Order.objects.filter(saleor_id=mail.order_ref).first()
        if order is None or not order.customer_email:
            return False
        campaign = mail.campaign
        paid = sum(p.paid for p in Pledge.objects.filter(campaign=campaign, order_ref=mail.order_ref))
        # Sent inside the lock: a failure rolls back and the task retries; a success is marked at once.
        _send_in_both_languages(
            "campaigns/email/backer",
            lambda english: {
                "outcome": mail.outcome,
                **_names(campaign, english),
                "delivery": campaign.estimated_delivery.isoformat(),
                "amount": money_text(paid, campaign.currency),
                "url": order_link_absolute(mail.order_ref),
            },
            order.customer_email,
        )
        mail.sent_at = clock.now()
        mail.save(update_fields=["sent_at"])
    return True


def over_limit_mail_send(*, refund_id: int) -> bool:
    """Tell the buyer that items they paid for after the tier sold out are refunded (how many, how much):
    once (`mailed_at` under a row lock)."""
    with transaction.atomic():
        refund = (
            CampaignRefund.objects.select_for_update(of=("self",))
            .select_related("campaign__unit")
            .get(pk=refund_id)
        )
        if refund.mailed_at is not None or refund.kind != CampaignRefund.Kind.OVER_LIMIT:
            return False
        order = Order.objects.filter(saleor_id=refund.order_ref).first()
        if order is None or not order.customer_email:
            return False
        campaign = refund.campaign
        _send_in_both_languages(
            "campaigns/email/over_limit",
            lambda english: {
                **_names(campaign, english),
                "items": refund.quantity,
                "amount": money_text(refund.amount, refund.currency),
                "url": order_link_absolute(refund.order_ref),
            },
            order.customer_email,
        )
        refund.mailed_at = clock.now()
        refund.save(update_fields=["mailed_at"])
    return True


def _names(campaign, english: bool) -> dict[str, str]:
    """The campaign's and its unit's names in the mail's language (Chinese where no English is given)."""
    unit = campaign.unit
    return {
        "title": campaign.title_en if english and campaign.title_en else campaign.title_zh,
        "unit": unit.legal_name_en if english and unit.legal_name_en else str(unit),
    }


def _send_in_both_languages(template: str, context_of, to: str) -> None:
    """One mail, Chinese then English: `<template>_subject.txt` and `_body.txt` rendered in each language."""
    subjects, bodies = [], []
    for language in LANGUAGES:
        with translation.override(language):
            context = context_of(language == "en")
            subjects.append(render_to_string(f"{template}_subject.txt", context).strip())
            bodies.append(render_to_string(f"{template}_body.txt", context).strip())
    send_mail(" / ".join(subjects), "\n\n----------\n\n".join(bodies) + "\n", None, [to])
