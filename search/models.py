"""The storefront's search index (one document per product on sale), its vocabulary and the synonyms."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Listing
from unit_onboarding.models import Unit


class SearchDocument(models.Model):
    """A listing on sale as buyers find it: its approved content only, never the working copy.

    A row exists exactly while the listing is on sale (its unit active); it is written in the transaction
    that changes the listing, so a product is findable the moment it is on sale and gone the moment it is not.
    """

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, primary_key=True, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    unit_type = models.CharField(max_length=32, blank=True)
    category = models.CharField(max_length=64)
    material = models.CharField(max_length=32, blank=True)
    era = models.CharField(max_length=32, blank=True)
    price_fen = models.PositiveIntegerField(
        help_text="lowest variant price (Saleor's once a webhook says it)"
    )
    saleor_prices = models.JSONField(default=dict, help_text="{sku: fen} as Saleor's webhooks last said")
    sold = models.PositiveIntegerField(default=0, help_text="units sold in paid orders (orders projection)")
    listed_at = models.DateTimeField(help_text="when it was first found on sale (newest first)")
    slug = models.CharField(max_length=100, unique=True)
    name_zh = models.CharField(max_length=250)
    name_en = models.CharField(max_length=250, blank=True)
    image = models.CharField(
        max_length=500, blank=True, help_text="URL of the first image's 512 px derivative"
    )
    document = SearchVectorField()
    # The name's lexemes only (the A weight of document): small enough to stay in the row, so ranking
    # thousands of matches reads no TOAST; the document is only searched through its GIN index.
    name_vector = SearchVectorField()
    terms = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    indexed_at = models.DateTimeField()

    class Meta:
        indexes = [
            GinIndex(fields=["document"], name="search_document_gin"),
            models.Index(fields=["-listed_at"], name="search_document_newest"),
            models.Index(fields=["price_fen"], name="search_document_price"),
            models.Index(fields=["unit"], name="search_document_unit"),
        ]

    def __str__(self) -> str:
        return self.name_zh


class SearchTerm(models.Model):
    """A word of the products on sale, with its pinyin: suggestions as one types, "did you mean"."""

    term = models.CharField(max_length=100, unique=True)
    pinyin = models.CharField(max_length=400, blank=True)
    initials = models.CharField(max_length=100, blank=True)
    frequency = models.IntegerField(default=0, help_text="documents on sale that contain it")

    class Meta:
        indexes = [
            models.Index(fields=["pinyin"], name="search_term_pinyin", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["initials"], name="search_term_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["term"], name="search_term_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [models.CheckConstraint(condition=Q(frequency__gte=0), name="search_term_frequency")]

    def __str__(self) -> str:
        return self.term


class SearchSynonym(models.Model):
    """Terms a buyer may use for one another (文创 = 文化创意). A unit's apply to its own products only;
    platform-wide ones (no unit) are set by platform staff."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    terms = ArrayField(models.CharField(max_length=50), verbose_name=_("terms"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(terms__len__gte=2), name="search_synonym_two_terms"),
        ]

    def __str__(self) -> str:
        return " = ".join(self.terms)
