"""The last items of a tier, taken by concurrent checkouts on PostgreSQL: never oversold."""

from __future__ import annotations

from functools import partial

import pytest

from campaigns import services
from campaigns.error_codes import CampaignError
from tests.campaigns.conftest import draft, launch
from tests.db_sessions import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_checkouts_for_the_last_five_items_take_exactly_five(museum):
    campaign = launch(draft(museum, goal_amount=30_000, limit=5))
    tier = campaign.tiers.get()
    campaign.listing.saleor_variant_ids = {tier.sku: "variant-tier"}
    campaign.listing.save(update_fields=["saleor_variant_ids"])

    def checkout(n: int) -> str:
        try:
            services.tiers_reserve(checkout_ref=f"checkout-{n}", lines=[("variant-tier", 1)])
        except CampaignError as error:
            return str(error.code)
        return "taken"

    outcomes = race(*(partial(checkout, n) for n in range(8)))

    assert sorted(outcomes) == ["sold_out"] * 3 + ["taken"] * 5
    tier.refresh_from_db()
    assert tier.reserved == 5
    assert sum(tier.reservations.values_list("quantity", flat=True)) == 5
