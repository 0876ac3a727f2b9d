"""Live Saleor: a platform campaign split 50/50 between the platform and the units, approved by a second
member of platform finance, created in Saleor through this app's operations, joined by two units' operators
with one product each; a two-unit order paid and one item refunded, each party's ledger against a hand
calculation (agreement 60 / 25 / 5 / 10 %)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.models import Listing
from core import clock
from orders.models import OrderLine
from payments import selectors as ledger
from payments.funding.models import DiscountFundingVersion
from promotions import campaigns, selectors
from saleor_app.client import SaleorClient
from tests.catalog.factories import make_listing
from tests.live_saleor import wait_until
from tests.orders import live_order
from tests.orders.conftest import unit_with_agreement
from tests.promotions.live import (
    bookmark_and_fan_shop,
    bookmarks_and_fan_paid,
    line_discounts,
    on_sale,
    party_nets,
    shares,
)
from tests.unit_onboarding.factories import operator_of, platform_finance_user

pytestmark = [pytest.mark.saleor_live, pytest.mark.django_db]


def test_a_50_50_platform_campaign_on_a_two_unit_order_splits_each_discount_half_to_the_platform(
    saleor_api_url, settings, staff, app, deliver
):
    museum, library = unit_with_agreement(81), unit_with_agreement(82)
    names = ("实况活动书签", "实况活动团扇")
    with bookmark_and_fan_shop(staff, settings, museum, library, names) as (shop, bookmark, fan):
        client = SaleorClient(saleor_api_url, staff.token)  # staff holds MANAGE_DISCOUNTS, as the app asks
        museum_op, library_op = operator_of(museum), operator_of(library)
        mine, theirs = make_listing(museum, museum_op), make_listing(library, library_op)
        Listing.objects.filter(pk=mine.pk).update(saleor_product_id=bookmark.id)
        Listing.objects.filter(pk=theirs.pk).update(saleor_product_id=fan.id)
        a, b = platform_finance_user(), platform_finance_user()
        now = clock.now()
        campaign = campaigns.campaign_propose(
            actor=a, name="实况国际博物馆日", reward="percentage", value=10, funder="split",
            platform_bps=5_000, starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(days=3),
        )  # fmt: skip
        campaign = campaigns.campaign_approve(campaign_id=campaign.pk, actor=b, client=client)
        try:
            assert campaign.status == "live", campaign.last_error
            for unit, operator, listing in ((museum, museum_op, mine), (library, library_op, theirs)):
                campaigns.campaign_opt_in(
                    campaign_id=campaign.pk, unit=unit, listing_id=listing.pk, actor=operator, client=client
                )
            held = client.execute("PromotionScope", {"id": campaign.saleor_id})["promotion"]
            assert held["type"] == "CATALOGUE"
            assert sorted(
                r["cataloguePredicate"]["productPredicate"]["ids"][0] for r in held["rules"]
            ) == sorted([bookmark.id, fan.id])  # one rule per product, each exactly one unit's
            version = DiscountFundingVersion.objects.get(funding__key=campaign.saleor_id)
            assert (version.funder, version.platform_bps, version.proposed_by, version.decided_by) == (
                "split",
                5_000,
                a,
                b,
            )
            for product in (bookmark, fan):
                wait_until(
                    "Saleor to put the campaign's products on sale", lambda p=product: on_sale(staff, shop, p)
                )

            order_id, txn, museum_line, fan_line, event = bookmarks_and_fan_paid(
                staff, app, deliver, shop, bookmark, fan
            )

            assert event.status == "done", event.last_error
            assert line_discounts(museum_line["id"]) == [(campaign.saleor_id, 1_200)]
            # hand calculation: the bookmarks 2 x 60.00 less 10 % = 108.00 paid, the fan 80.00 less 8.00 =
            # 72.00; the platform funds half of each discount (6.00, 4.00), so the museum's parties share
            # 114.00 and the library's 76.00 (60 / 25 / 5 / 10 %), and the platform pays 6.00 and 4.00
            assert party_nets(order_id, museum_line["id"]) == shares(museum, (6_840, 2_850, 570, 1_140))
            assert party_nets(order_id, fan_line["id"]) == shares(library, (4_560, 1_900, 380, 760))
            assert party_nets(order_id, f"{museum_line['id']}:discount") == {"platform": -600}
            assert party_nets(order_id, f"{fan_line['id']}:discount") == {"platform": -400}
            paid = {ln.saleor_id: ln.total_net for ln in OrderLine.objects.filter(order__saleor_id=order_id)}
            assert paid == {museum_line["id"]: 10_800, fan_line["id"]: 7_200}  # shipping apart
            assert ledger.transactions_unbalanced() == []
            rows, _total = selectors.campaign_report(campaign)
            assert {r.unit.pk: (r.discount, r.platform_funded, r.net) for r in rows} == {
                museum.pk: (1_200, 600, 11_400),
                library.pk: (800, 400, 7_600),
            }

            # one bookmark granted back (54.00 of the 108.00 paid): the platform's funding left on the line
            # stays pro rata (3.00), so the museum's parties keep their shares of 54.00 + 3.00 = 57.00
            granted = live_order.refund_granted(staff, order_id, txn, lines=[(museum_line["id"], 1)])
            event = deliver("order_refunded", live_order.delivery(staff, order_id))

            assert event.status == "done", event.last_error
            assert granted == 5_400
            assert party_nets(order_id, museum_line["id"]) == shares(museum, (3_420, 1_425, 285, 570))
            assert party_nets(order_id, f"{museum_line['id']}:discount") == {"platform": -300}
            assert party_nets(order_id, fan_line["id"]) == shares(library, (4_560, 1_900, 380, 760))
            assert ledger.transactions_unbalanced() == []
            # the campaign's report: the museum's 54.00 given back, its parties' net 57.00 now
            rows, _total = selectors.campaign_report(campaign)
            assert {r.unit.pk: (r.paid, r.refunded, r.net) for r in rows} == {
                museum.pk: (10_800, 5_400, 5_700),
                library.pk: (7_200, 0, 7_600),
            }
        finally:
            if campaign.saleor_id:
                staff.gql(
                    "mutation($id: ID!) { promotionDelete(id: $id) { errors { message } } }",
                    {"id": campaign.saleor_id},
                )
