"""Two units with agreements, their operators and finance members, and one listing each in Saleor."""

from __future__ import annotations

import pytest

from catalog.models import Listing
from tests.catalog.factories import make_listing
from tests.orders.conftest import app, deliver, staff, unit_with_agreement  # noqa: F401 (fixtures, but the last)
from tests.unit_onboarding.factories import operator_of
from unit_onboarding.models import UnitMembership

from .test_unit_promotions import PROPOSED_AT

FINANCE = UnitMembership.Role.FINANCE


@pytest.fixture
def world(time_machine):
    time_machine.move_to(PROPOSED_AT, tick=False)
    museum, library = unit_with_agreement(1), unit_with_agreement(2)
    people = {
        "operator": operator_of(museum),
        "finance": operator_of(museum, role=FINANCE),
        "library_operator": operator_of(library),
        "library_finance": operator_of(library, role=FINANCE),
    }
    mirror = make_listing(museum, people["operator"])  # two variants of 128.00
    fan = make_listing(library, people["library_operator"])
    Listing.objects.filter(pk=mirror.pk).update(saleor_product_id="UHJvZHVjdDoxMDE=")
    Listing.objects.filter(pk=fan.pk).update(saleor_product_id="UHJvZHVjdDoyMDI=")
    return museum, library, people, mirror, fan
