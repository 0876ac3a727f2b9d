"""Crowdfunded pre-sales: a unit's campaign for one listing, its reward tiers, updates, pledges and refunds.

Times are stored in UTC and entered and shown in Asia/Shanghai. Money is fen of CNY. A campaign's money terms
(goal, dates, tiers' prices and limits) are fixed once it is live: the service refuses, and PostgreSQL
triggers (0002_money_terms_fixed) refuse any change of them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing, ListingVariant
from core.model_bases import Decided, Requested, four_eyes_check
from core.party import Party
from unit_onboarding.models import Unit


class Campaign(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        LIVE = "live", _("Live")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Goal(models.TextChoices):
        AMOUNT = "amount", _("An amount raised")
        BACKERS = "backers", _("A number of backers")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaigns")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="campaigns")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    story_zh = models.TextField(_("story (Chinese)"), blank=True)
    story_en = models.TextField(_("story (English)"), blank=True)
    goal_kind = models.CharField(_("goal"), max_length=8, choices=Goal.choices, default=Goal.AMOUNT)
    goal_amount = models.PositiveBigIntegerField(_("goal (fen)"), null=True, blank=True)
    goal_backers = models.PositiveIntegerField(_("goal (backers)"), null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    estimated_delivery = models.DateField(_("estimated delivery"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="when it succeeded or failed")
    raised_at_decision = models.BigIntegerField(null=True, blank=True)
    backers_at_decision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="campaign_ends_after_start"),
            models.CheckConstraint(
                condition=Q(goal_kind="amount", goal_amount__gt=0)
                | Q(goal_kind="backers", goal_backers__gt=0),
                name="campaign_goal_set",
            ),
            models.CheckConstraint(condition=Q(currency="CNY"), name="campaign_currency_cny"),
            # the curator who launches a campaign is never its author (four eyes)
            four_eyes_check(
                "campaign",
                proposer="created_by",
                unless=Q(reviewed_by__isnull=True),
                decider="reviewed_by",
                suffix="reviewer_not_author",
            ),
        ]

    def __str__(self) -> str:
        return self.title_zh

    @property
    def party_key(self) -> str:
        """The ledger party holding its backers' money until it is decided."""
        return Party.campaign(self.uid).key

    @property
    def money_terms_fixed(self) -> bool:
        return self.state not in (self.State.DRAFT, self.State.IN_REVIEW)


class Tier(models.Model):
    """A reward tier: one of the listing's variants, its price frozen, optionally limited."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tiers")
    variant = models.ForeignKey(ListingVariant, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    limit = models.PositiveIntegerField(_("limit"), null=True, blank=True, help_text=_("empty: no limit"))
    reserved = models.PositiveIntegerField(default=0, help_text="items taken by checkouts that went to pay")

    class Meta:
        ordering = ["campaign", "price_fen", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "variant"], name="campaign_tier_variant_uniq"),
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(reserved__lte=F("limit")),
                name="campaign_tier_not_oversold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} / {self.sku}"

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.reserved, 0)


class Reservation(models.Model):
    """Items of a tier taken by one checkout when it went to pay (once per checkout and tier): kept once its
    order is paid (`paid_at`), given back to the tier when the checkout was abandoned
    (`CAMPAIGN_RESERVATION_MINUTES` after it last went to pay, `returned_at`)."""

    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="reservations")
    checkout_ref = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField()
    created_at = models.DateTimeField(
        help_text="when the checkout last went to pay (the expiry counts from it)"
    )
    paid_at = models.DateTimeField(null=True, blank=True, help_text="its order was paid: never given back")
    returned_at = models.DateTimeField(null=True, blank=True, help_text="abandoned: its items given back")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tier", "checkout_ref"], name="campaign_reservation_once"),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | Q(returned_at__isnull=True),
                name="campaign_reservation_paid_never_returned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkout_ref} {self.tier_id} x {self.quantity}"


class CampaignUpdate(models.Model):
    """News the unit posts to its backers and the campaign page."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="updates")
    body_zh = models.TextField(_("update (Chinese)"))
    body_en = models.TextField(_("update (English)"), blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.posted_at:%Y-%m-%d}"


class Pledge(models.Model):
    """One paid order line of a tier: its income held for the campaign, and the recipe frozen at payment."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="pledges")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="pledges")
    order_ref = models.CharField(max_length=100, db_index=True)
    line_ref = models.CharField(max_length=100, unique=True)
    quantity = models.PositiveIntegerField()
    held = models.BigIntegerField(help_text="fen held (the line's net after order discounts)")
    paid = models.BigIntegerField(help_text="fen the backer paid for the line (held plus its tax)")
    currency = models.CharField(max_length=3)
    recipe = models.JSONField(help_text="agreement and royalties in force at payment, frozen")
    paid_at = models.DateTimeField()
    released = models.BigIntegerField(default=0, help_text="fen released to the parties so far")
    tax_held = models.BigIntegerField(default=0, help_text="fen of the line's tax held with it")
    tax_recipe = models.JSONField(default=dict, help_text="who the tax goes to by that agreement, frozen")
    tax_released = models.BooleanField(default=False, help_text="the tax goes whole, at success")

    class Meta:
        ordering = ["paid_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(released__gte=0) & Q(released__lte=F("held")),
                name="campaign_pledge_release_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_ref} ({self.held})"


class CampaignRefund(models.Model):
    """A refund of one order's tier items of a campaign through Saleor (this app → Stripe): in full when the
    campaign failed or was cancelled (`OUTCOME`), or of the items a payment could no longer take because its
    checkout's reservation had expired and the tier sold out meanwhile (`OVER_LIMIT`, at payment)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        REQUESTED = "requested", _("Requested from Saleor")
        FAILED = "failed", _("Failed (will be retried)")

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("The campaign failed or was cancelled: in full")
        OVER_LIMIT = "over_limit", _("Paid after the tier sold out: the items beyond its limit")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OUTCOME)
    order_ref = models.CharField(max_length=100)
    lines = models.JSONField(
        default=list, blank=True, help_text="over the limit: [[Saleor order line id, items]] refunded"
    )
    quantity = models.PositiveIntegerField(default=0, help_text="over the limit: the items refunded")
    mailed_at = models.DateTimeField(null=True, blank=True, help_text="over the limit: the buyer was told")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    saleor_granted_refund_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "order_ref", "kind"], name="campaign_refund_once_per_order_and_kind"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="campaign_refund_positive"),
            models.CheckConstraint(
                condition=Q(kind="outcome") | Q(quantity__gt=0), name="campaign_refund_over_limit_items"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_ref} {self.kind} {self.status}"


class CampaignCancellation(Requested):
    """A unit's request to cancel its campaign (every backer refunded in full), asked by an operator with a
    reason and confirmed by another person (the unit's finance or platform finance); refused when the
    campaign changed since it was asked (`campaign_seen`)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed: cancelled, backers refunded")
        REFUSED = "refused", _("Refused")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="cancellations")
    reason = models.TextField(_("reason"))
    campaign_seen = models.CharField(max_length=200, help_text="the campaign's state and backings when asked")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # four eyes, in the database too: whoever confirms is not whoever asked
            four_eyes_check(
                "campaign_cancellation",
                proposer="requested_by",
                unless=Q(decided_by__isnull=True),
                suffix="decided_by_another",
            ),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(status="requested"), name="campaign_cancellation_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"cancellation {self.pk} of {self.campaign_id} ({self.status})"


class BackerRefund(Decided):
    """A backer's request, during the campaign, to have their order's tier lines of it refunded in full:
    asked on the buyer's order page, decided by the unit; approved, it is granted and refunded in Saleor
    (this app → Stripe), the tier's items go back to its stock and the backing no longer counts."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Asked by the backer")
        REFUNDING = "refunding", _("Approved, refund requested in Saleor")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Saleor refused it")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="backer_refunds")
    order_ref = models.CharField(max_length=100)
    reason = models.TextField(blank=True)
    amount = models.BigIntegerField(help_text="fen left on the order's tier lines of the campaign when asked")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField()
    decision_note = models.TextField(blank=True)
    saleor_granted_refund_id = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="campaign_backer_refund_positive"),
            # one open or granted request per backing order: never refunded twice
            models.UniqueConstraint(
                fields=["campaign", "order_ref"],
                condition=Q(status__in=["requested", "refunding"]),
                name="campaign_backer_refund_once",
            ),
        ]

    def __str__(self) -> str:
        return f"backer refund {self.order_ref} ({self.status})"


class BackerMail(models.Model):
    """A backer's mail about the campaign's outcome (succeeded, failed, cancelled): once per order and
    outcome (the row, unique; `sent_at` under a row lock)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="backer_mails")
    order_ref = models.CharField(max_length=100)
    outcome = models.CharField(max_length=16, choices=Campaign.State.choices)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "order_ref", "outcome"], name="campaign_backer_mail_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_ref} {self.outcome}"
