"""Library test data made through the real services."""

from __future__ import annotations

from catalog.provenance import collection_object_save
from resources import services
from tests.unit_onboarding.factories import operator_of


def library_object(unit, accession: str, *, publish: bool = True, category: str = "bronze", **fields):
    """A collection object of the unit, described for the library and (by default) published."""
    operator = operator_of(unit)
    obj = collection_object_save(
        unit=unit, data={"title_zh": fields.pop("title_zh", accession), "accession_number": accession}
    )
    licensable = fields.pop("licensable", False)
    services.publication_save(obj=obj, data={**fields, "category": category, "licensable": licensable})
    if publish:
        services.publication_set(obj=obj, published=True, actor=operator)
    obj.refresh_from_db()
    return obj
