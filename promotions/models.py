"""A unit's own promotion: a Saleor catalogue promotion (sale) or voucher on its products only, funded by the
unit, created in Saleor once the unit's finance member (another person) approves it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing
from core.model_bases import Proposed, four_eyes_check
from unit_onboarding.models import Unit

# a decided promotion or campaign says who decided it and when
DECIDED = Q(decided_by__isnull=False, decided_at__isnull=False)


class UnitPromotion(Proposed):
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
    note = models.TextField(blank=True)
    saleor_id = models.CharField(max_length=200, blank=True)
    funding_key = models.CharField(
        max_length=200, blank=True, help_text="the key its order-line discounts carry (promotion ID or code)"
    )
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            four_eyes_check(
                "unit_promotion",
                proposer="proposed_by",
                unless=~Q(status__in=["creating", "created", "failed", "rejected", "ended"]),
                decided=DECIDED,
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


class PlatformCampaign(Proposed):
    """A festival campaign across units (春节, 国际博物馆日, 双十一): proposed by platform finance with its
    first funding terms, created in Saleor as one catalogue promotion once another member approves; each
    unit's operator opts its own products in (one Saleor rule each). Who funds it is the discount funding
    rule of its promotion (`payments.funding`), versioned and frozen on each order at payment."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed: awaiting a second member of platform finance")
        CREATING = "creating", _("Approved: being created in the shop")
        LIVE = "live", _("Approved and created in the shop")
        FAILED = "failed", _("Approved, but the shop refused it")
        REJECTED = "rejected", _("Rejected by platform finance")

    class Funder(models.TextChoices):
        PLATFORM = "platform", _("The platform funds the discount")
        UNIT = "unit", _("The unit funds the discount")
        SPLIT = "split", _("Platform and unit share the discount")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    reward = models.CharField(max_length=16, choices=UnitPromotion.Reward.choices)
    value = models.PositiveIntegerField(help_text="percent (1-90), or fen off each item")
    combinable = models.BooleanField(
        default=False, help_text="may a unit's own sale or voucher run on a product opted in"
    )
    # the first funding terms (version 1 of its funding rule); later changes are funding versions
    funder = models.CharField(max_length=16, choices=Funder.choices)
    platform_bps = models.PositiveIntegerField(help_text="the platform's part of the discount, in bps")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    saleor_id = models.CharField(max_length=200, blank=True)
    funding_key = models.CharField(max_length=200, blank=True, help_text="its Saleor promotion ID")
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            four_eyes_check(
                "platform_campaign",
                proposer="proposed_by",
                unless=~Q(status__in=["creating", "live", "failed", "rejected"]),
                decided=DECIDED,
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="platform_campaign_dates"),
            models.CheckConstraint(
                condition=(
                    Q(funder="platform", platform_bps=10_000)
                    | Q(funder="unit", platform_bps=0)
                    | Q(funder="split", platform_bps__gt=0, platform_bps__lt=10_000)
                ),
                name="platform_campaign_bps_fit_funder",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignOptIn(models.Model):
    """One product of a unit in a platform campaign, opted in by the unit's operator: a Saleor rule of the
    campaign's promotion on that product only."""

    campaign = models.ForeignKey(PlatformCampaign, on_delete=models.PROTECT, related_name="opt_ins")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaign_opt_ins")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="campaign_opt_ins")
    product_id = models.CharField(max_length=200)
    saleor_rule_id = models.CharField(max_length=200)
    opted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "listing"], name="campaign_opt_in_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.listing}"
