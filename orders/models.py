"""Local projection of Saleor orders: each line owned by the unit whose warehouse ships it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.model_bases import Requested, four_eyes_check
from orders.labels import CHARGE_STATUS, FULFILMENT_STATUS, ORDER_STATUS, label
from unit_onboarding.models import Unit


class Order(models.Model):
    """The newest state of a Saleor order seen by this app (older deliveries never overwrite it)."""

    saleor_id = models.CharField(max_length=200, unique=True)
    number = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=32, help_text="Saleor OrderStatus")
    charge_status = models.CharField(max_length=32, blank=True, help_text="Saleor OrderChargeStatusEnum")
    currency = models.CharField(max_length=3)
    total = models.BigIntegerField(help_text="gross total in minor units")
    shipping = models.BigIntegerField(default=0, help_text="gross shipping in minor units")
    shipping_address = models.JSONField(default=dict, blank=True)
    customer_email = models.CharField(max_length=254, blank=True)
    created_in_saleor = models.DateTimeField(null=True, blank=True)
    saleor_updated_at = models.DateTimeField(help_text="Saleor's updatedAt of the projected state")
    projected_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"order {self.number or self.saleor_id}"

    @property
    def status_label(self) -> str:
        return label(ORDER_STATUS, self.status)

    @property
    def charge_status_label(self) -> str:
        return label(CHARGE_STATUS, self.charge_status)


class OrderLine(models.Model):
    """One Saleor order line; `unit` is resolved from its allocation's warehouse or product metadata."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    saleor_id = models.CharField(max_length=200, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="order_lines")
    warehouse_id = models.CharField(
        max_length=200, blank=True, help_text="Saleor warehouse of its allocation"
    )
    product_name = models.CharField(max_length=250)
    variant_name = models.CharField(max_length=250, blank=True)
    sku = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField()
    quantity_fulfilled = models.PositiveIntegerField(default=0)
    undiscounted_total = models.BigIntegerField(help_text="gross, before discounts, minor units")
    total_net = models.BigIntegerField(help_text="after discounts, before tax, minor units")
    total_tax = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    discounts = models.JSONField(
        default=list,
        blank=True,
        help_text="[{key, type, name, amount}]: each Saleor discount and what it took off the net (fen)",
    )

    class Meta:
        indexes = [models.Index(fields=["unit", "order"], name="orders_line_unit_order_idx")]

    def __str__(self) -> str:
        return f"{self.product_name} x {self.quantity}"

    @property
    def quantity_to_fulfil(self) -> int:
        return self.quantity - self.quantity_fulfilled


class Fulfilment(models.Model):
    """A Saleor fulfilment of some lines from one warehouse, with its carrier and tracking number."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfilments")
    saleor_id = models.CharField(max_length=200, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, related_name="fulfilments")
    status = models.CharField(max_length=32)
    tracking_number = models.CharField(max_length=255, blank=True)
    carrier = models.CharField(max_length=100, blank=True, help_text="as entered by the unit's operator")

    def __str__(self) -> str:
        return f"fulfilment {self.saleor_id}"

    @property
    def status_label(self) -> str:
        return label(FULFILMENT_STATUS, self.status)


class ShipmentMail(models.Model):
    """The buyer's one mail about one fulfilment: the items it carries, sent once (unique per fulfilment)."""

    fulfilment = models.OneToOneField(Fulfilment, on_delete=models.CASCADE, related_name="shipment_mail")
    items = models.JSONField(default=list, help_text="[[product, variant, quantity], ...] of this parcel")
    language = models.CharField(max_length=16, default="zh-hans")
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"shipment mail for {self.fulfilment_id}"


class NewOrderMail(models.Model):
    """The unit operators' one mail about a paid order with their goods to ship (one per order and unit)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="new_order_mails")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="new_order_mails")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "unit"], name="orders_new_order_mail_once")]

    def __str__(self) -> str:
        return f"new order mail of {self.order_id} for unit {self.unit_id}"


class ParcelRefund(Requested):
    """A refund of one unit's parcel (some of its lines, and its shipping), asked by one member, decided by
    another; once approved it is granted and refunded in Saleor, which asks the payment app to pay it back."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for approval")
        REFUNDING = "refunding", _("Approved, refund requested in Saleor")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FAILED = "failed", _("Saleor refused it")
        REFUNDED = "refunded", _("Refunded")  # the payment app paid it back (Saleor's ORDER_REFUNDED)

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="parcel_refunds")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="parcel_refunds")
    lines = models.JSONField(default=list, help_text="[[order line pk, quantity], ...] of this unit's lines")
    shipping = models.BooleanField(default=False, help_text="the unit's parcel shipping, as paid")
    amount = models.BigIntegerField(
        help_text="gross, minor units: the lines' part plus the parcel's shipping"
    )
    shipping_amount = models.BigIntegerField(
        default=0, help_text="gross, minor units: the parcel's shipping part of `amount` (0 without shipping)"
    )
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    order_seen_at = models.DateTimeField(help_text="the order's Saleor updatedAt when asked: stale after")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    decision_note = models.TextField(blank=True)
    saleor_granted_refund_id = models.CharField(max_length=200, unique=True, null=True, blank=True)
    last_error = models.TextField(blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True, help_text="when Saleor recorded it paid back")
    buyer_mailed_at = models.DateTimeField(null=True, blank=True, help_text="the buyer's mail, sent once")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="parcel_refund_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(shipping_amount__gte=0, shipping_amount__lte=models.F("amount")),
                name="parcel_refund_shipping_within_amount",
            ),
            # four eyes, in the database too: whoever decides is not whoever asked
            four_eyes_check(
                "parcel_refund",
                proposer="requested_by",
                unless=models.Q(decided_by__isnull=True),
                suffix="decided_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"parcel refund {self.pk} of {self.order_id} ({self.status})"

    @property
    def goods_amount(self) -> int:
        """The lines' part of the refund (gross, minor units)."""
        return self.amount - self.shipping_amount
