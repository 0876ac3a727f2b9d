"""Saleor's order, payment and fulfilment states in words (buyers' and operators' pages share them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ORDER_STATUS = {
    "DRAFT": _("Draft"),
    "UNCONFIRMED": _("Awaiting confirmation"),
    "UNFULFILLED": _("Not shipped yet"),
    "PARTIALLY_FULFILLED": _("Partly shipped"),
    "FULFILLED": _("Shipped"),
    "PARTIALLY_RETURNED": _("Partly returned"),
    "RETURNED": _("Returned"),
    "CANCELED": _("Canceled"),
    "EXPIRED": _("Expired"),
}
CHARGE_STATUS = {
    "NONE": _("Unpaid"),
    "PARTIAL": _("Partly paid"),
    "FULL": _("Paid"),
    "OVERCHARGED": _("Overpaid"),
}
FULFILMENT_STATUS = {
    "FULFILLED": _("Shipped"),
    "CANCELED": _("Canceled"),
    "RETURNED": _("Returned"),
    "REFUNDED": _("Refunded"),
    "REFUNDED_AND_RETURNED": _("Refunded and returned"),
    "REPLACED": _("Replaced"),
    "WAITING_FOR_APPROVAL": _("Awaiting approval"),
}


def label(labels: dict, code: str) -> str:
    """The words for a state; an unknown code (a newer Saleor) is shown as it is."""
    return str(labels.get(code, code))
