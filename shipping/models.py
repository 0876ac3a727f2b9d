"""A unit's shipping rates (versioned money terms, append-only) and the parcel prices quoted to checkouts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shipping.pricing import RateTerms
from unit_onboarding.models import Unit


class ShippingRates(models.Model):
    """One version of a unit's shipping rates, in force from `effective_from` until the next version's.

    Versions are never changed (a PostgreSQL trigger refuses UPDATE and DELETE): a change is a new version,
    so a checkout priced under one version keeps its price and its record.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="shipping_rates")
    effective_from = models.DateTimeField(_("in force from"))
    default_rate = models.PositiveIntegerField(
        _("default rate (fen)"),
        null=True,
        blank=True,
        help_text="empty: only the listed provinces are served",
    )
    province_rates = models.JSONField(default=dict, help_text="province (as Saleor names it) -> fen")
    free_over = models.PositiveIntegerField(_("free shipping from (fen)"), null=True, blank=True)
    per_item = models.PositiveIntegerField(_("per additional item (fen)"), default=0)
    pickup = models.BooleanField(_("pickup at the counter allowed"), default=False)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="shipping_rates_unit_from_uniq"),
            # a change is made against the latest version: two edits from the same page cannot both land
            models.UniqueConstraint(fields=["based_on"], name="shipping_rates_one_successor"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(based_on=None), name="shipping_rates_one_first_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} shipping rates from {self.effective_from:%Y-%m-%d %H:%M}"

    @property
    def terms(self) -> RateTerms:
        return RateTerms(
            version_id=self.pk,
            default_rate=self.default_rate,
            province_rates={str(k): int(v) for k, v in (self.province_rates or {}).items()},
            free_over=self.free_over,
            per_item=self.per_item,
            pickup=self.pickup,
        )

    def as_dict(self) -> dict:
        """What the audit trail shows before and after a change."""
        return {
            "version": self.pk,
            "effective_from": self.effective_from.isoformat(),
            "default_rate": self.default_rate,
            "province_rates": dict(sorted((self.province_rates or {}).items())),
            "free_over": self.free_over,
            "per_item": self.per_item,
            "pickup": self.pickup,
        }


class ShippingQuote(models.Model):
    """A shipping method this service offered a checkout: its total and what each unit's parcel costs.

    Written when Saleor asks for the checkout's methods (the price the buyer then pays), never changed;
    the order created from the checkout credits each unit its parcel from the quote it was charged.
    """

    checkout_id = models.CharField(max_length=100)
    method_id = models.CharField(max_length=64)  # our id in the method Saleor shows ("app:<app>:<method_id>")
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    total = models.PositiveIntegerField()
    province = models.CharField(max_length=50, blank=True)
    # [{"unit": pk, "party": "unit:<uid>", "amount": fen, "rates": version pk, "pickup": bool, "free": bool}]
    parcels = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkout_id", "method_id"], name="shipping_quote_method_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.checkout_id} {self.name}"
