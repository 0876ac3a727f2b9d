"""seed_demo onboards three units through the real services and lists about thirty products, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import CollectionObject, ImageAsset, Listing
from unit_onboarding.models import AgreementVersion, Application, Unit

pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> tuple:
    return (
        Unit.objects.count(),
        Listing.objects.count(),
        ImageAsset.objects.count(),
        CollectionObject.objects.count(),
        AgreementVersion.objects.count(),
    )


def test_seed_demo_builds_a_living_shop_and_running_it_again_creates_nothing(settings):
    settings.SALEOR_API_URL = ""
    call_command("seed_demo", stdout=io.StringIO())

    units = Unit.objects.order_by("pk")
    assert [u.unit_type for u in units] == ["museum", "library", "memorial_hall"]
    assert all(u.status == Unit.Status.ACTIVE for u in units)
    assert set(Application.objects.values_list("status", flat=True)) == {"approved"}
    assert all(u.agreement.versions.count() == 1 for u in units)
    assert Listing.objects.count() == 30
    assert set(Listing.objects.values_list("state", "on_sale")) == {("published", True)}
    assert set(ImageAsset.objects.values_list("status", flat=True)) == {"ready"}
    assert Listing.objects.exclude(collection_object=None).count() >= 15
    first = counts()

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert counts() == first
    assert "0 products created, 30 demo products in all" in out.getvalue()
