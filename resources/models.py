"""What a unit shares in the public library about one of its collection objects.

The object's own description (titles, era, material, dimensions, story, public domain, image) stays on
catalog.CollectionObject; this adds only what the library needs: whether it is shown, who decided and
when, whether a licence may be asked for, and the object's category (a facet).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import CollectionObject
from core.model_bases import Decided, Proposed, decided_check, four_eyes_check


class ObjectCategory(models.TextChoices):
    BRONZE = "bronze", _("Bronzes")
    CERAMICS = "ceramics", _("Ceramics and porcelain")
    JADE = "jade", _("Jade and stone")
    PAINTING = "painting", _("Painting and calligraphy")
    TEXTILE = "textile", _("Textiles and costume")
    BOOKS = "books", _("Books, manuscripts and archives")
    SCULPTURE = "sculpture", _("Sculpture")
    FURNITURE = "furniture", _("Furniture and wood")
    METALWORK = "metalwork", _("Gold, silver and metalwork")
    OTHER = "other", _("Other")


class Rights(models.TextChoices):
    """The rights status the public reads: public domain comes from the object (CollectionObject)."""

    PUBLIC_DOMAIN = "public_domain", _("Public domain")
    LICENSABLE = "licensable", _("Licensable")
    NOT_LICENSABLE = "not_licensable", _("Not licensable")


class PublishedObject(models.Model):
    """A collection object's place in the public library: shown or not, and on what terms."""

    object = models.OneToOneField(CollectionObject, on_delete=models.CASCADE, related_name="publication")
    published = models.BooleanField(_("shown in the public library"), default=False)
    licensable = models.BooleanField(
        _("licences may be requested"),
        default=False,
        help_text=_("For objects not in the public domain: whether the unit grants licences for it."),
    )
    category = models.CharField(_("object category"), max_length=16, choices=ObjectCategory.choices)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unpublished_at = models.DateTimeField(null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published=False)
                | models.Q(published_at__isnull=False, published_by__isnull=False),
                name="published_object_says_who_and_when",
            )
        ]

    def __str__(self) -> str:
        return f"{self.object} ({'published' if self.published else 'not published'})"

    @property
    def rights(self) -> str:
        if self.object.public_domain:
            return Rights.PUBLIC_DOMAIN
        return Rights.LICENSABLE if self.licensable else Rights.NOT_LICENSABLE


class DesignerProfile(models.Model):
    """A designer's or studio's public face on the platform, owned by their account (one per account)."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual designer")
        STUDIO = "studio", _("Design studio")
        ENTERPRISE = "enterprise", _("Enterprise")

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="designer_profile"
    )
    display_name_zh = models.CharField(_("display name (Chinese)"), max_length=100)
    display_name_en = models.CharField(_("display name (English)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    bio = models.TextField(_("about"), max_length=4000, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name_zh


class PortfolioImage(models.Model):
    """One picture of the designer's work (the catalog's image pipeline checks and derives it)."""

    profile = models.ForeignKey(DesignerProfile, on_delete=models.CASCADE, related_name="portfolio")
    image = models.ForeignKey("catalog.ImageAsset", on_delete=models.PROTECT, related_name="+")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.caption or f"portfolio image {self.pk}"


class LicenceRequest(Decided):
    """A designer asks a unit for a licence to make products from one of its published objects.

    Pending until the unit approves (an IpLicence is recorded and linked), declines (with a reason) or the
    designer withdraws it; each decision says who and when.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the unit")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    object = models.ForeignKey(CollectionObject, on_delete=models.PROTECT, related_name="licence_requests")
    unit = models.ForeignKey(
        "unit_onboarding.Unit", on_delete=models.PROTECT, related_name="licence_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="licence_requests"
    )
    profile = models.ForeignKey(DesignerProfile, on_delete=models.PROTECT, related_name="licence_requests")
    product = models.CharField(_("intended product"), max_length=200)
    channels = models.CharField(_("sales channels"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    royalty_bps = models.PositiveIntegerField(_("proposed royalty (basis points)"))
    term_from = models.DateField(_("from"))
    term_until = models.DateField(_("until"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    language = models.CharField(max_length=10, default="zh-hans", help_text="language of the designer's mail")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decline_reason = models.TextField(_("reason"), blank=True)
    licence = models.OneToOneField(
        "catalog.IpLicence", on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_until__gte=models.F("term_from")), name="licence_request_term_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(royalty_bps__lte=10_000), name="licence_request_royalty_range"
            ),
            models.CheckConstraint(
                condition=models.Q(status="approved", licence__isnull=False)
                | (~models.Q(status="approved") & models.Q(licence__isnull=True)),
                name="licence_request_approved_has_licence",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="licence_request_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} → {self.object} ({self.status})"

    @property
    def royalty_percent(self) -> str:
        whole, hundredths = divmod(self.royalty_bps, 100)
        return f"{whole}.{hundredths:02d}".rstrip("0").rstrip(".")


class DesignCall(models.Model):
    """A unit's design call (征集) on some of its published objects: an award and announced royalty terms.

    Open for proposals until the deadline (stored in UTC, typed and shown in Beijing time). `revision` grows
    with every change of its terms, so a winner selected on older terms cannot be confirmed (stale).
    """

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("design call", "Open")
        AWARDED = "awarded", _("Awarded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey("unit_onboarding.Unit", on_delete=models.PROTECT, related_name="design_calls")
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    objects_called = models.ManyToManyField(CollectionObject, related_name="design_calls")
    category = models.CharField(_("product category"), max_length=64)
    award_fen = models.PositiveBigIntegerField(_("award (fen)"))
    currency = models.CharField(max_length=3, default="CNY")
    deadline = models.DateTimeField(_("deadline"))
    rules = models.TextField(_("rules"), max_length=8000)
    royalty_bps = models.PositiveIntegerField(_("announced royalty (basis points)"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), max_length=2000, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(award_fen__gt=0), name="design_call_award_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn")
                | (
                    models.Q(withdrawn_by__isnull=False, withdrawn_at__isnull=False)
                    & ~models.Q(withdraw_reason="")
                ),
                name="design_call_withdrawn_says_who_when_why",
            ),
            models.CheckConstraint(
                condition=models.Q(royalty_bps__lte=10_000), name="design_call_royalty_range"
            ),
            models.CheckConstraint(condition=models.Q(currency="CNY"), name="design_call_currency_cny"),
        ]

    def __str__(self) -> str:
        return self.title_zh

    @property
    def royalty_percent(self) -> str:
        whole, hundredths = divmod(self.royalty_bps, 100)
        return f"{whole}.{hundredths:02d}".rstrip("0").rstrip(".")


class Proposal(models.Model):
    """A designer's answer to a call (one per designer and call), sent before the deadline."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        WON = "won", _("Selected: the winning design")
        NOT_SELECTED = "not_selected", _("Not selected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    call = models.ForeignKey(DesignCall, on_delete=models.PROTECT, related_name="proposals")
    designer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    profile = models.ForeignKey(DesignerProfile, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=8000)
    language = models.CharField(max_length=10, default="zh-hans")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField()
    listing = models.OneToOneField(
        "catalog.Listing", on_delete=models.PROTECT, null=True, blank=True, related_name="proposal"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # one live proposal per designer and call: a withdrawn one may be followed by a new one
            models.UniqueConstraint(
                fields=["call", "designer"],
                condition=~models.Q(status="withdrawn"),
                name="proposal_one_per_designer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn") | models.Q(withdrawn_at__isnull=False),
                name="proposal_withdrawn_says_when",
            ),
            models.UniqueConstraint(
                fields=["call"], condition=models.Q(status="won"), name="proposal_one_winner_per_call"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"


class ProposalImage(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey("catalog.ImageAsset", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["proposal", "position", "pk"]

    def __str__(self) -> str:
        return f"image {self.position} of proposal {self.proposal_id}"


class AwardSelection(Proposed):
    """The winner an operator selects, in force only once a finance member of the unit, another person,
    confirms it (it commits the award money and the royalty terms): four eyes by service and database."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the unit's finance")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    call = models.ForeignKey(DesignCall, on_delete=models.PROTECT, related_name="selections")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="selections")
    call_revision = models.PositiveIntegerField(help_text="the call's terms the selection was made on")
    award_fen = models.PositiveBigIntegerField()
    royalty_bps = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)
    ledger_transaction_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            four_eyes_check(
                "award_selection", proposer="proposed_by", unless=models.Q(decided_by__isnull=True)
            ),
            decided_check("award_selection", waiting="pending"),
            models.UniqueConstraint(
                fields=["call"],
                condition=models.Q(status__in=["pending", "confirmed"]),
                name="award_selection_one_live_per_call",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} for {self.call} ({self.status})"
