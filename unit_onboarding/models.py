"""Units, their applications and documents, operating entities, memberships and distribution agreements."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField, DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.model_bases import Decided, Requested, decided_check, four_eyes_check
from core.party import Party
from saleor_app import secrets_at_rest
from unit_onboarding.storage import document_storage, public_storage


class UnitType(models.TextChoices):
    MUSEUM = "museum", _("Museum")
    LIBRARY = "library", _("Library")
    ARCHIVE = "archive", pgettext_lazy("unit type", "Archive")
    MEMORIAL_HALL = "memorial_hall", _("Memorial hall")
    ART_GALLERY = "art_gallery", _("Art gallery")
    CULTURAL_CENTRE = "cultural_centre", _("Cultural centre")
    OTHER = "other", _("Other")


class PilotLevel(models.TextChoices):
    NATIONAL = "national", _("National pilot")
    MUNICIPAL = "municipal", _("Municipal pilot")
    NONE = "none", _("Not a pilot unit")


class OperatingMode(models.TextChoices):
    SELF_OPERATED = "self_operated", _("Self-operated by the unit")
    COMMISSIONED = "commissioned", _("Operated by a commissioned enterprise")
    IP_LICENSED = "ip_licensed", _("IP licensed to an enterprise")
    JOINT_VENTURE = "joint_venture", _("Joint venture")


class Unit(models.Model):
    """A cultural or historical unit selling on the marketplace; maps to one Saleor warehouse."""

    class Status(models.TextChoices):
        APPLYING = "applying", _("Applying")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")

    class Provisioning(models.TextChoices):
        NOT_REQUESTED = "not_requested", _("Not requested")
        PENDING = "pending", _("Pending")
        FAILED = "failed", _("Failed (will be retried)")
        DONE = "done", _("Provisioned")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    legal_name_zh = models.CharField(_("legal name (Chinese)"), max_length=200, blank=True)
    legal_name_en = models.CharField(_("legal name (English)"), max_length=200, blank=True)
    unit_type = models.CharField(_("unit type"), max_length=32, choices=UnitType.choices, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    pilot_level = models.CharField(_("pilot level"), max_length=16, choices=PilotLevel.choices, blank=True)
    operating_mode = models.CharField(
        _("operating mode"), max_length=32, choices=OperatingMode.choices, blank=True
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPLYING)

    saleor_warehouse_id = models.CharField(max_length=200, blank=True)
    provisioning = models.CharField(
        max_length=16, choices=Provisioning.choices, default=Provisioning.NOT_REQUESTED
    )
    provisioning_attempts = models.PositiveIntegerField(default=0)
    provisioning_error = models.TextField(blank=True)
    provisioning_requested_at = models.DateTimeField(null=True, blank=True)
    provisioning_attempted_at = models.DateTimeField(null=True, blank=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    logo = models.FileField(_("logo"), storage=public_storage, upload_to="units/logos/", blank=True)
    banner = models.FileField(_("banner"), storage=public_storage, upload_to="units/banners/", blank=True)
    story = models.TextField(_("story"), blank=True, help_text="sanitised HTML")
    opening_hours = models.TextField(_("opening hours"), blank=True)

    # The institution's own bank account: the unit's share and its staff pool are paid here, never to
    # the operating entity (policy: institution and enterprise kept apart). Bank transfer only.
    payout_account_name = models.CharField(_("account name"), max_length=200, blank=True)
    payout_bank_name = models.CharField(_("bank name"), max_length=100, blank=True)
    payout_bank_account_encrypted = models.TextField(
        blank=True, help_text="the unit's bank account number (encrypted at rest)"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Drafts may lack the code; once given it identifies the unit (one application per code).
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="unit_credit_code_unique"
            ),
            # Order lines are traced to their unit through the warehouse: one unit per warehouse.
            models.UniqueConstraint(
                fields=["saleor_warehouse_id"],
                condition=~Q(saleor_warehouse_id=""),
                name="unit_saleor_warehouse_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.legal_name_zh or self.legal_name_en or str(self.uid)

    @property
    def shop_name(self) -> str:
        """The unit's name in the shop's active language: on English pages its English name where it has
        one, as the catalog sync names it in the products' metadata (so the cards agree)."""
        return self.shop_name_in(get_language() or "")

    def shop_name_in(self, language: str) -> str:
        if language.startswith("en") and self.legal_name_en:
            return self.legal_name_en
        return str(self)

    @property
    def party_key(self) -> str:
        return Party.unit(self.uid).key

    @property
    def warehouse_slug(self) -> str:
        return f"wenchuang-unit-{self.uid}"

    payout_bank_account = secrets_at_rest.encrypted("payout_bank_account_encrypted")

    @property
    def payout_ready(self) -> bool:
        """Whether the unit's own money has somewhere to go: an account name, a bank and an account."""
        return bool(self.payout_account_name and self.payout_bank_name and self.payout_bank_account_encrypted)


class OperatingEntity(models.Model):
    """Who runs the unit's shop (the unit itself or an enterprise) and how it is paid."""

    class Settlement(models.TextChoices):
        BANK = "bank", _("Bank transfer")
        STRIPE = "stripe", _("Stripe")

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="operating_entity")
    legal_name = models.CharField(_("operating entity legal name"), max_length=200, blank=True)
    credit_code = models.CharField(_("operating entity credit code"), max_length=18, blank=True)
    settlement_method = models.CharField(
        _("settlement method"), max_length=16, choices=Settlement.choices, default=Settlement.BANK
    )
    bank_name = models.CharField(_("bank name"), max_length=100, blank=True)
    bank_account_encrypted = models.TextField(blank=True, help_text="bank account number (encrypted at rest)")
    stripe_account_id = models.CharField(_("Stripe account id"), max_length=64, blank=True)
    stripe_account_created_here = models.BooleanField(default=False)
    # Stripe Connect onboarding link for an account this service created (short-lived, refreshed on demand).
    stripe_onboarding_url = models.URLField(max_length=500, blank=True)
    stripe_onboarding_expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.legal_name

    @property
    def party_key(self) -> str:
        return Party.entity(self.pk).key

    bank_account = secrets_at_rest.encrypted("bank_account_encrypted")


class Designer(models.Model):
    """A designer the unit pays (an agreement share or a product royalty), and where the money goes.

    Registered per unit, by its finance staff; the ledger party is `designer:<slug>`, which names no unit,
    so the slug is unique across the platform and never changes once given (ledger rows refer to it).
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="designers")
    slug = models.SlugField(_("identifier"), max_length=100, unique=True)
    name_zh = models.CharField(pgettext_lazy("person", "name (Chinese)"), max_length=100)
    name_en = models.CharField(pgettext_lazy("person", "name (English)"), max_length=100, blank=True)
    settlement_method = models.CharField(
        _("settlement method"),
        max_length=16,
        choices=OperatingEntity.Settlement.choices,
        default=OperatingEntity.Settlement.BANK,
    )
    account_holder = models.CharField(
        _("account holder"), max_length=200, blank=True, help_text="payee name at the bank if not name_zh"
    )
    bank_name = models.CharField(_("bank name"), max_length=100, blank=True)
    bank_account_encrypted = models.TextField(blank=True, help_text="bank account number (encrypted at rest)")
    stripe_account_id = models.CharField(_("Stripe account id"), max_length=64, blank=True)
    # The designer's own account, once they claimed this registration (DesignerClaim): their statements.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designer_registrations",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "slug"]

    def __str__(self) -> str:
        return self.name_zh or self.slug

    @property
    def party_key(self) -> str:
        return Party.designer(self.slug).key

    @property
    def payee_name(self) -> str:
        return self.account_holder or self.name_zh

    bank_account = secrets_at_rest.encrypted("bank_account_encrypted")

    @property
    def pays_by_stripe(self) -> bool:
        return self.settlement_method == OperatingEntity.Settlement.STRIPE and bool(self.stripe_account_id)

    @property
    def payout_ready(self) -> bool:
        """Whether a payout has somewhere to go: a connected Stripe account, or a bank and an account."""
        return self.pays_by_stripe or bool(self.bank_name and self.bank_account_encrypted)


class PayeeChange(Requested):
    """A requested change of where a payee's money goes (the unit's own account, its operating entity's
    bank or Stripe account, a designer's); it takes effect only when platform finance confirms it, and
    the confirmer is never the requester (checked by the service and by a database constraint).

    The request holds the whole target (the account encrypted at rest) and a keyed digest of the details
    it was made against: confirming it after they changed is refused (optimistic check).
    """

    class Kind(models.TextChoices):
        UNIT = "unit", _("The unit's own account")
        ENTITY = "entity", _("The operating entity's account")
        DESIGNER = "designer", _("A designer's account")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation by platform finance")
        CONFIRMED = "confirmed", _("Confirmed: in effect")
        REJECTED = "rejected", _("Rejected by platform finance")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payee_changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    designer = models.ForeignKey(
        "Designer", on_delete=models.PROTECT, null=True, blank=True, related_name="payee_changes"
    )
    party = models.CharField(max_length=100, help_text="the ledger party paid to this account")
    settlement_method = models.CharField(max_length=16, choices=OperatingEntity.Settlement.choices)
    account_name = models.CharField(max_length=200, blank=True, help_text="payee name at the bank")
    bank_name = models.CharField(max_length=100, blank=True)
    bank_account_encrypted = models.TextField(blank=True, help_text="encrypted at rest")
    stripe_account_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(default=dict, help_text="the details on record when requested (masked)")
    after = models.JSONField(default=dict, help_text="the requested details (masked)")
    base_digest = models.CharField(max_length=64, help_text="keyed digest of the details when requested")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # one request at a time per payee: a second waits until the first is decided or withdrawn
            models.UniqueConstraint(
                fields=["party"], condition=Q(status="pending"), name="payee_change_one_pending"
            ),
            # four eyes: whoever confirms a change is never whoever asked for it
            four_eyes_check(
                "payee_change",
                proposer="requested_by",
                unless=~Q(status="confirmed"),
                decided=Q(decided_by__isnull=False),
            ),
            decided_check("payee_change", waiting="pending"),
            models.CheckConstraint(
                condition=Q(kind="designer", designer__isnull=False)
                | (~Q(kind="designer") & Q(designer__isnull=True)),
                name="payee_change_designer_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} ({self.status})"

    bank_account = secrets_at_rest.encrypted("bank_account_encrypted")


class Application(models.Model):
    """A unit's request to join; its status only moves through services.application_transition."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="application")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    language = models.CharField(
        max_length=10, default="zh-hans", help_text="language of the applicant's mail"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("review_application", "Can review unit applications (platform reviewer)")]
        constraints = [
            # One application in progress per applicant (a double click must not start two).
            models.UniqueConstraint(
                fields=["applicant"],
                condition=~Q(status__in=["approved", "rejected"]),
                name="application_one_open_per_applicant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.status})"


class ApplicationTransition(models.Model):
    """Audit trail: who moved an application from one status to another, when, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=Application.Status.choices)
    to_status = models.CharField(max_length=20, choices=Application.Status.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class Document(models.Model):
    """A supporting document; the file is private and served only through short-lived links."""

    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("Business licence / legal person certificate")
        AUTHORISATION_LETTER = "authorisation_letter", _("Authorisation letter")
        OTHER = "other", _("Other")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document kind"), max_length=32, choices=Kind.choices)
    file = models.FileField(storage=document_storage, upload_to="applications/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class UnitMembership(models.Model):
    """A user's role in one unit; every operator page is scoped through this."""

    class Role(models.TextChoices):
        OPERATOR = "operator", _("Unit operator")
        FINANCE = "finance", _("Unit finance")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unit_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.unit}"


class MailedOffer(models.Model):
    """An offer mailed to an address as a signed single-row link (`unit_onboarding.links`): who sent
    it, in which language, the nonce the link carries, and until when it may be taken up."""

    email = models.EmailField(_("email"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=10, default="zh-hans", help_text="language of the invitee's mail")
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        abstract = True


class Invitation(MailedOffer, Decided):
    """A role in a unit offered to an e-mail address; the role attaches only when its holder accepts.

    The mailed link carries a signed token naming this row (`unit_onboarding.memberships`); it works while
    the invitation is pending and before `expires_at` (the business clock), and only once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=16, choices=UnitMembership.Role.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # A finance role decides where the unit's money goes: its offer is mailed only once a second platform
    # reviewer, not the one who offered it, endorses it.
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    endorsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One open offer of a role per address and unit (inviting again re-sends it).
            models.UniqueConstraint(
                fields=["unit", "email", "role"],
                condition=Q(status="pending"),
                name="invitation_one_pending",
            ),
            # Added NOT VALID (0012_finance_invitation_endorsement): offers accepted before this rule are not
            # re-checked.
            four_eyes_check(
                "invitation_finance",
                proposer="invited_by",
                unless=~Q(role="finance") | ~Q(status="accepted"),
                decided=Q(endorsed_by__isnull=False),
                decider="endorsed_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.role} @ {self.unit} ({self.status})"

    @property
    def needs_endorsement(self) -> bool:
        return self.role == UnitMembership.Role.FINANCE and self.endorsed_by_id is None


class Agreement(models.Model):
    """The unit's income distribution agreement; its terms live in immutable versions."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="agreement")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"agreement of {self.unit}"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PointRange(Func):
    """[x, x] as an int8range: lets a GiST exclusion compare ids with && and no btree_gist extension
    (the embedded PostgreSQL ships without contrib modules)."""

    function = "INT8RANGE"
    template = "%(function)s(%(expressions)s, %(expressions)s, '[]')"
    output_field = BigIntegerRangeField()


class AgreementVersion(Decided):
    """Terms over [effective_from, effective_to), in force only once approved by platform finance.

    A version is proposed (by the unit's finance staff, a reviewer or platform finance) and approved by a
    platform finance member who did not propose it (service check and database constraint), before its
    start unless it is the agreement's first: an approval never rewrites the terms of sales already made.
    The database keeps proposals and decisions as records and approved terms immutable (triggers).
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed: awaiting approval by platform finance")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected by platform finance")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Values are the split engine's (payments.split FeeRule/TaxRule/ShippingRule); a test keeps them equal.
    class FeeRule(models.TextChoices):
        PRO_RATA = "pro_rata", _("Each party bears the card fee in proportion to its share")
        PLATFORM = "platform", _("The platform bears the card fee")

    class TaxRule(models.TextChoices):
        SELLER_OF_RECORD = "seller_of_record", _("Tax goes to the seller of record")
        PLATFORM = "platform", _("Tax goes to the platform")

    class ShippingRule(models.TextChoices):
        SHIPPING_UNIT = "shipping_unit", _("Shipping income goes to the unit that ships")
        AGREEMENT = "agreement", _("Shipping income is split like goods")
        PLATFORM = "platform", _("Shipping income goes to the platform")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateTimeField()
    effective_to = models.DateTimeField(null=True, blank=True)
    fee_rule = models.CharField(max_length=20, choices=FeeRule.choices, default=FeeRule.PRO_RATA)
    tax_rule = models.CharField(max_length=20, choices=TaxRule.choices, default=TaxRule.SELLER_OF_RECORD)
    shipping_rule = models.CharField(
        max_length=20, choices=ShippingRule.choices, default=ShippingRule.SHIPPING_UNIT
    )
    note = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decision_note = models.TextField(blank=True)
    approved_before_review = models.BooleanField(
        default=False, help_text="in force before versions needed approval (set by migration only)"
    )

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=models.F("effective_from")),
                name="agreement_version_period_positive",
            ),
            # approved versions never overlap; a proposal is not in force and may overlap them
            ExclusionConstraint(
                name="agreement_version_no_overlap",
                expressions=[
                    (PointRange("agreement"), RangeOperators.OVERLAPS),
                    (TsTzRange("effective_from", "effective_to"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="approved"),
            ),
            # one proposal at a time per agreement
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(status="proposed"), name="agreement_version_one_proposed"
            ),
            # four eyes: an approved version was approved by someone other than its proposer
            four_eyes_check(
                "agreement_version",
                proposer="created_by",
                unless=~Q(status="approved") | Q(approved_before_review=True),
                decided=Q(decided_by__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(approved_before_review=True) | Q(decided_by__isnull=False),
                name="agreement_version_decided_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} of {self.agreement}"


class AgreementShare(models.Model):
    """One party's share of income, in basis points; a version's shares sum to 10,000 (DB trigger)."""

    class Role(models.TextChoices):
        UNIT = "unit", _("Unit")
        OPERATING_ENTITY = "operating_entity", _("Operating entity")
        DESIGNER = "designer", _("Designer royalty")
        STAFF_POOL = "staff_pool", _("Staff incentive pool")
        PLATFORM = "platform", _("Platform")

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="shares")
    role = models.CharField(max_length=20, choices=Role.choices)
    party_key = models.CharField(max_length=100)
    bps = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party_key"], name="agreement_share_party_unique"),
            models.CheckConstraint(condition=Q(bps__gt=0, bps__lte=10_000), name="agreement_share_bps_range"),
        ]

    def __str__(self) -> str:
        return f"{self.party_key} {self.bps} bps"


class DesignerClaim(MailedOffer):
    """An offer, sent by the unit's finance to an address, to link a registered designer to an account.

    The mailed link carries a signed token naming this row (`unit_onboarding.designers`); it works while
    pending and before `expires_at`, once, and only for the account with the invited address.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")

    designer = models.ForeignKey(Designer, on_delete=models.CASCADE, related_name="claims")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["designer"],
                condition=models.Q(status="pending"),
                name="designer_claim_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.designer} → {self.email} ({self.status})"
