"""Catalog records. Images are kept apart from products: a product will point at its ImageAssets."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.model_bases import Decided, Proposed, decided_check, four_eyes_check
from core.money import minor_format
from core.party import Party
from unit_onboarding.models import PointRange, TsTzRange, Unit


class ImageAsset(models.Model):
    """One uploaded image: its private original, and once processed its public WebP derivatives."""

    class Status(models.TextChoices):
        PENDING = "pending"
        READY = "ready"
        REFUSED = "refused", "refused (the file is not acceptable)"
        FAILED = "failed", "failed (could not be processed; the file may be fine)"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner_key = models.CharField(
        max_length=100, db_index=True, help_text="who owns it, e.g. 'unit:42', until products exist"
    )
    original_name = models.CharField(max_length=255, unique=True, help_text="name in the private storage")
    original_filename = models.CharField(max_length=255, help_text="the name it was uploaded under")
    content_type = models.CharField(max_length=100, blank=True, help_text="as declared by the uploader")
    format = models.CharField(max_length=10, help_text="JPEG, PNG or WEBP, from the file's header")
    byte_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True, help_text="upright width in px")
    height = models.PositiveIntegerField(null=True, blank=True, help_text="upright height in px")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)
    derivatives = models.JSONField(
        default=list,
        blank=True,
        help_text="[{size, width, height, name, bytes}] per requested size, names in the default storage",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(width__isnull=False, height__isnull=False),
                name="image_asset_ready_has_size",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["refused", "failed"]) | ~models.Q(error_code=""),
                name="image_asset_refusal_has_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} ({self.status})"


class Relation(models.TextChoices):
    """How a product relates to the collection object it draws on."""

    REPRODUCTION = "reproduction", _("Reproduction")
    ADAPTATION = "adaptation", _("Adaptation")
    INSPIRED_BY = "inspired_by", _("Inspired by")


class UnitCatalogSettings(models.Model):
    """Per-unit catalog policy: trusted units publish their edits without a curator's review."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="catalog_settings")
    review_exempt = models.BooleanField(_("exempt from listing review"), default=False)

    def __str__(self) -> str:
        return f"catalog settings of {self.unit}"


class CollectionObject(models.Model):
    """An object in a unit's collection: the cultural source a product can credit."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="collection_objects")
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    accession_number = models.CharField(_("accession number"), max_length=64)
    era = models.CharField(_("era or dynasty"), max_length=100, blank=True)
    material = models.CharField(_("material"), max_length=100, blank=True)
    dimensions = models.CharField(_("dimensions"), max_length=100, blank=True)
    image = models.ForeignKey(ImageAsset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    story_zh = models.TextField(_("story (Chinese)"), blank=True)
    story_en = models.TextField(_("story (English)"), blank=True)
    public_domain = models.BooleanField(_("in the public domain"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "accession_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "accession_number"], name="collection_object_accession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.accession_number} {self.title_zh}"


class IpLicence(Decided):
    """A licence to use a unit's IP: who grants it, who holds it, for what, until when, at what royalty.

    Its royalty carves part of every sale of the products that carry it, so a licence a person records is in
    force only once a second person (the unit's finance or platform finance) confirms it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second approver")
        IN_FORCE = "in_force", _("In force")
        REJECTED = "rejected", _("Rejected")

    licensor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ip_licences_granted")
    licensee_name = models.CharField(_("licensee entity"), max_length=200)
    licensee_credit_code = models.CharField(_("licensee credit code"), max_length=18, blank=True)
    scope = models.TextField(_("scope"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    royalty_bps = models.PositiveIntegerField(_("royalty (basis points)"))
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Who recorded it (none: seeded, or recorded before licences needed a second person) and who confirmed it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reject_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="ip_licence_term_valid"
            ),
            models.CheckConstraint(condition=Q(royalty_bps__lte=10_000), name="ip_licence_royalty_range"),
            four_eyes_check(
                "ip_licence",
                proposer="created_by",
                unless=~Q(status="in_force") | Q(created_by__isnull=True),
                decided=Q(decided_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licensor} → {self.licensee_name} until {self.valid_until}"


class Listing(models.Model):
    """A unit's product. The fields here are the working copy; buyers see only `live_revision`."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Waiting for review")
        APPROVED = "approved", _("Approved (not on sale)")
        REJECTED = "rejected", _("Rejected")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Sync(models.TextChoices):
        IDLE = "idle", _("Not in Saleor yet")
        PENDING = "pending", _("Waiting to sync")
        SYNCING = "syncing", _("Syncing")
        DONE = "done", _("In sync")
        FAILED = "failed", _("Sync failed (will be retried)")
        DIVERGED = "diverged", _("Changed in Saleor")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="listings")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    on_sale = models.BooleanField(default=False, help_text="the operator wants it published in the channel")

    name_zh = models.CharField(_("name (Chinese)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.CharField(_("category"), max_length=64)
    product_type = models.CharField(_("product type"), max_length=64)
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    seo_description = models.CharField(_("SEO description"), max_length=300, blank=True)
    attributes = models.JSONField(
        _("attributes"), default=dict, blank=True, help_text="{attribute slug: value} (catalog.taxonomy)"
    )

    collection_object = models.ForeignKey(
        CollectionObject, on_delete=models.PROTECT, null=True, blank=True, related_name="listings"
    )
    relation = models.CharField(
        _("relation to the object"), max_length=16, choices=Relation.choices, blank=True
    )
    designer = models.CharField(_("designer credit"), max_length=200, blank=True)
    licence = models.ForeignKey(
        IpLicence, on_delete=models.PROTECT, null=True, blank=True, related_name="listings"
    )

    live_revision = models.ForeignKey(
        "ListingRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pending_revision = models.ForeignKey(
        "ListingRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    saleor_product_id = models.CharField(max_length=200, blank=True)
    saleor_variant_ids = models.JSONField(default=dict, blank=True, help_text="{sku: Saleor variant id}")
    saleor_media_ids = models.JSONField(default=dict, blank=True, help_text="{asset uid: Saleor media id}")
    sync_status = models.CharField(max_length=16, choices=Sync.choices, default=Sync.IDLE)
    sync_error = models.TextField(blank=True)
    sync_attempts = models.PositiveIntegerField(default=0, help_text="failed attempts since the last success")
    sync_requested_at = models.DateTimeField(null=True, blank=True)
    sync_attempted_at = models.DateTimeField(null=True, blank=True)
    synced_revision = models.ForeignKey(
        "ListingRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    synced_fingerprint = models.JSONField(default=dict, blank=True, help_text="what the last sync pushed")
    saleor_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="product.updatedAt after our sync"
    )
    saleor_divergence = models.JSONField(
        default=dict, blank=True, help_text="{field: {ours, saleor}} changed in Saleor, awaiting the operator"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("review_listing", "Can review listings (platform curator)")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(relation="") | Q(collection_object__isnull=True),
                name="listing_object_has_relation",
            ),
            models.CheckConstraint(
                condition=Q(on_sale=False) | Q(live_revision__isnull=False),
                name="listing_on_sale_is_approved",
            ),
        ]

    def __str__(self) -> str:
        return self.name_zh or self.name_en

    @property
    def slug(self) -> str:
        return f"wenchuang-{self.uid}"

    @property
    def external_reference(self) -> str:
        return f"wenchuang-listing-{self.uid}"


class ListingVariant(models.Model):
    """A sellable variant of the working copy; price in fen of `currency`."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name_zh = models.CharField(_("variant name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("variant name (English)"), max_length=100, blank=True)
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    currency = models.CharField(max_length=3, default="CNY")
    stock = models.PositiveIntegerField(_("stock"), default=0)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["listing", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="listing_variant_price_positive"),
            models.CheckConstraint(condition=Q(currency="CNY"), name="listing_variant_currency_cny"),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def price(self) -> str:
        """The price as people read it, in yuan ("38.00")."""
        return minor_format(self.price_fen, self.currency)


class ListingImage(models.Model):
    """An image of the working copy, in display order."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="images")
    asset = models.ForeignKey(ImageAsset, on_delete=models.PROTECT, related_name="+")
    alt = models.CharField(_("alternative text"), max_length=250, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["listing", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["listing", "asset"], name="listing_image_unique")]

    def __str__(self) -> str:
        return f"image {self.position} of {self.listing_id}"


class ListingRevision(models.Model):
    """An immutable snapshot of the reviewable content (text, prices, images) submitted for review."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Replaced by a later edit")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_exempt = models.BooleanField(default=False, help_text="approved without review (trusted unit)")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["listing", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "number"], name="listing_revision_number_unique"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="listing_revision_rejection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"r{self.number} of listing {self.listing_id} ({self.status})"


class DesignerRoyalty(models.Model):
    """A designer's royalty on one product over [effective_from, effective_to): carved from each sale.

    Terms are dated, like agreements, so a payment takes the terms in force when it was made; a change
    is a new row that closes the previous one (no overlaps: a database constraint).
    """

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="designer_royalties")
    # The column keeps the slug (the ledger party is designer:<slug>), now a registered designer's.
    designer = models.ForeignKey(
        "unit_onboarding.Designer",
        to_field="slug",
        db_column="designer_key",
        on_delete=models.PROTECT,
        related_name="royalties",
        verbose_name=_("designer"),
    )
    bps = models.PositiveIntegerField(_("royalty (basis points)"))
    effective_from = models.DateTimeField()
    effective_to = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["listing", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bps__gt=0, bps__lte=10_000), name="designer_royalty_bps_range"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="designer_royalty_period_positive",
            ),
            ExclusionConstraint(
                name="designer_royalty_no_overlap",
                expressions=[
                    (PointRange("listing"), RangeOperators.OVERLAPS),
                    (TsTzRange("effective_from", "effective_to"), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"designer:{self.designer_id} {self.bps} bps on listing {self.listing_id}"

    @property
    def party_key(self) -> str:
        return Party.designer(self.designer_id).key


class DesignerRoyaltyChange(Proposed):
    """A proposed change of a product's designer royalty, in force only once a second person approves it.

    Royalty terms decide who receives part of each sale: one finance member proposes, another (the unit's
    finance or platform finance, never the proposer) approves; the change is refused as stale if the terms
    in force moved or its start passed while it waited.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second approver")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="royalty_changes")
    designer = models.ForeignKey(
        "unit_onboarding.Designer",
        to_field="slug",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("designer"),
    )
    bps = models.PositiveIntegerField(_("royalty (basis points)"), help_text="0 ends the royalty")
    effective_from = models.DateTimeField()
    # The terms in force when it was proposed: approval is refused if they changed meanwhile.
    based_on = models.ForeignKey(
        DesignerRoyalty, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)
    applied = models.OneToOneField(
        DesignerRoyalty, on_delete=models.PROTECT, null=True, blank=True, related_name="change"
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(bps__lte=10_000), name="royalty_change_bps_range"),
            four_eyes_check("royalty_change", proposer="proposed_by", unless=~Q(status="approved")),
            decided_check("royalty_change", waiting="pending"),
            models.UniqueConstraint(
                fields=["listing"], condition=Q(status="pending"), name="royalty_change_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.designer_id or '—'} {self.bps} bps on listing {self.listing_id} ({self.status})"


class ListingImport(models.Model):
    """A CSV import of listings run by the worker: the file, its options, progress and outcome.

    Products are created one by one (a bad product is refused with its rows, the others go on); the
    handles created are kept so a run resumed after a crash never creates a product twice.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="listing_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255, blank=True)
    data = models.BinaryField()
    submit = models.BooleanField(default=False)
    on_sale = models.BooleanField(default=False)
    language = models.CharField(max_length=16, blank=True)  # the importer's: the rows' problems in it
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)  # products in the file
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    handles_done = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    # the listings it created: their push to Saleor (in bulk, after the import) is followed on its page
    listing_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}] of refused products
    error = models.TextField(blank=True)  # why the run stopped
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.uid} of {self.unit_id} ({self.state})"

    @property
    def percent(self) -> int:
        if not self.total:  # not counted yet (queued), or an empty file
            return 100 if self.state == self.State.DONE else 0
        return min(100, self.processed * 100 // self.total)
