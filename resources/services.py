"""Writes of the library: a unit's operator shows or hides its objects and describes them for the public."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from catalog import provenance
from catalog.models import CollectionObject, ImageAsset
from core import clock
from resources.models import ObjectCategory, PublishedObject

# What the library edits on the object itself (through the catalog's own write, which tells the index).
OBJECT_FIELDS = ("title_en", "era", "material", "dimensions", "story_zh", "story_en", "public_domain")
PUBLICATION_FIELDS = ("licensable", "category")


def publication_of(obj: CollectionObject) -> PublishedObject:
    """The object's publication record, unsaved and unpublished when it has none yet."""
    try:
        return obj.publication
    except PublishedObject.DoesNotExist:
        return PublishedObject(object=obj, category=ObjectCategory.OTHER)


@transaction.atomic
def publication_save(*, obj: CollectionObject, data: Mapping[str, Any]) -> PublishedObject:
    """Save the object's public description and library terms (publishing is a separate, explicit step)."""
    object_data = {name: data[name] for name in OBJECT_FIELDS if name in data}
    if object_data:
        provenance.collection_object_save(unit=obj.unit, data=object_data, obj=obj)
    publication = publication_of(obj)
    for name in PUBLICATION_FIELDS:
        if name in data:
            setattr(publication, name, data[name])
    publication.save()
    return publication


@transaction.atomic
def publication_set(*, obj: CollectionObject, published: bool, actor) -> PublishedObject:
    """Show the object in the public library, or take it out; who and when are kept."""
    publication = publication_of(obj)
    if publication.pk:
        publication = PublishedObject.objects.select_for_update().get(pk=publication.pk)
    if publication.published == published and publication.pk:
        return publication
    publication.published = published
    if published:
        publication.published_at, publication.published_by = clock.now(), actor
    else:
        publication.unpublished_at, publication.unpublished_by = clock.now(), actor
    publication.save()
    return publication


@transaction.atomic
def object_image_set(*, obj: CollectionObject, asset: ImageAsset) -> CollectionObject:
    """The object's picture (its public derivatives appear once the image pipeline has made them)."""
    return provenance.collection_object_save(unit=obj.unit, data={"image": asset}, obj=obj)
