"""Discount funding rules: who bears a Saleor promotion or voucher, in versions frozen at payment."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.model_bases import Proposed, four_eyes_check


class DiscountFunding(models.Model):
    """One Saleor discount this service knows the funder of, by the key Saleor's order data names it by:
    a promotion's (or old sale's) global ID, or a voucher's code (the app reads no voucher IDs: that
    needs MANAGE_DISCOUNTS)."""

    key = models.CharField(max_length=200, unique=True, help_text="Saleor promotion ID, or voucher code")
    name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name or self.key


class DiscountFundingVersion(Proposed):
    """Terms in force from their approval on (orders paid after it); approved by platform finance other
    than the proposer, against the version in force when proposed: of two competing proposals, the one
    approved second is stale."""

    class Funder(models.TextChoices):
        PLATFORM = "platform", _("The platform funds the discount")
        UNIT = "unit", _("The unit funds the discount")
        SPLIT = "split", _("Platform and unit share the discount")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed: awaiting approval by platform finance")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected by platform finance")

    funding = models.ForeignKey(DiscountFunding, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    funder = models.CharField(max_length=16, choices=Funder.choices)
    platform_bps = models.PositiveIntegerField(help_text="the platform's part of the discount, in bps")
    base_number = models.PositiveIntegerField(
        default=0, help_text="the approved version in force when proposed (0: none); approval needs it still"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    effective_from = models.DateTimeField(null=True, blank=True, help_text="its approval")
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["funding", "number"], name="discount_funding_version_number"),
            models.CheckConstraint(
                condition=(
                    Q(funder="platform", platform_bps=10_000)
                    | Q(funder="unit", platform_bps=0)
                    | Q(funder="split", platform_bps__gt=0, platform_bps__lt=10_000)
                ),
                name="discount_funding_bps_fit_funder",
            ),
            four_eyes_check(
                "discount_funding",
                proposer="proposed_by",
                unless=~Q(status="approved"),
                decided=Q(decided_by__isnull=False, effective_from__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funding} v{self.number} {self.funder} {self.platform_bps} bps"

    @property
    def ref(self) -> str:
        """How the split lines freeze it (their agreement_version column)."""
        return f"discount_funding:{self.pk}"
