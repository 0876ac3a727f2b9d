"""The last items of a tier, taken by concurrent checkouts on PostgreSQL: never oversold."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from campaigns import services
from campaigns.error_codes import CampaignError
from tests.campaigns.conftest import draft, launch

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_checkouts_for_the_last_five_items_take_exactly_five(museum):
    campaign = launch(draft(museum, goal_amount=30_000, limit=5))
    tier = campaign.tiers.get()
    campaign.listing.saleor_variant_ids = {tier.sku: "variant-tier"}
    campaign.listing.save(update_fields=["saleor_variant_ids"])
    barrier, outcomes = threading.Barrier(8), []

    def checkout(n: int) -> None:
        try:
            barrier.wait()
            services.tiers_reserve(checkout_ref=f"checkout-{n}", lines=[("variant-tier", 1)])
            outcomes.append("taken")
        except CampaignError as error:
            outcomes.append(str(error.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=checkout, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["sold_out"] * 3 + ["taken"] * 5
    tier.refresh_from_db()
    assert tier.reserved == 5
    assert sum(tier.reservations.values_list("quantity", flat=True)) == 5
