"""A unit's own promotion: a Saleor catalogue promotion (sale) or voucher on its products only, funded by the
unit, created in Saleor once the unit's finance member (another person) approves it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing
from core.model_bases import Decided
from unit_onboarding.models import Unit


class UnitPromotion(Decided):
    class Kind(models.TextChoices):
        SALE = "sale", _("Sale (price reduced on the products)")
        VOUCHER = "voucher", _("Voucher (a code the buyer enters)")

    class Reward(models.TextChoices):
        PERCENTAGE = "percentage", _("Percentage off")
        FIXED = "fixed", _("Amount off each item")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed: awaiting the unit's finance")
        CREATING = "creating", _("Approved: being created in the shop")
        CREATED = "created", _("Approved and created in the shop")
        FAILED = "failed", _("Approved, but the shop refused it")
        ENDED = "ended", _("Ended early: its budget is spent")
        REJECTED = "rejected", _("Rejected by the unit's finance")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="promotions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    listings = models.ManyToManyField(Listing, related_name="promotions")
    # the Saleor products it takes, frozen at the proposal: approval is refused when they changed since
    product_ids = models.JSONField(default=list)
    reward = models.CharField(max_length=16, choices=Reward.choices)
    value = models.PositiveIntegerField(help_text="percent (1-90), or fen off each item")
    code = models.CharField(_("voucher code"), max_length=64, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="a voucher's uses")
    budget_fen = models.PositiveBigIntegerField(help_text="the most the unit spends on it, fen")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    note = models.TextField(blank=True)
    saleor_id = models.CharField(max_length=200, blank=True)
    funding_key = models.CharField(
        max_length=200, blank=True, help_text="the key its order-line discounts carry (promotion ID or code)"
    )
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["creating", "created", "failed", "rejected", "ended"])
                | (Q(decided_by__isnull=False, decided_at__isnull=False) & ~Q(decided_by=F("proposed_by"))),
                name="unit_promotion_four_eyes",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="unit_promotion_dates"),
            models.CheckConstraint(condition=Q(budget_fen__gt=0), name="unit_promotion_budget_positive"),
            models.CheckConstraint(
                condition=Q(kind="sale") | (~Q(code="") & Q(usage_limit__gt=0)),
                name="unit_promotion_voucher_code_and_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.kind} {self.name}"
