"""What a unit shares in the public library about one of its collection objects.

The object's own description (titles, era, material, dimensions, story, public domain, image) stays on
catalog.CollectionObject; this adds only what the library needs: whether it is shown, who decided and
when, whether a licence may be asked for, and the object's category (a facet).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import CollectionObject


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
