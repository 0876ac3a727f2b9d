"""A backer's refund follows where the money sits: before the release from the campaign's held account, after
it from the parties the release paid (in proportion to what was released and what is still held), so no
party keeps money the buyer got back and the held account never goes below what it holds.

Figures by hand: one tier item of 12,800 fen (tax 768), the museum's agreement 60/25/5/10 % (unit, operating
entity, staff pool, platform), the tax to the operating entity (seller of record), 30 % released at success.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns import services
from campaigns.models import Campaign, Pledge
from payments import selectors as ledger
from payments.models import LedgerTransaction
from saleor_app.models import WebhookEvent
from tests.campaigns.conftest import END
from tests.campaigns.test_money import backing, held_account, per_party, tier_line

pytestmark = pytest.mark.django_db

LATER = (END + timedelta(days=2)).isoformat()


def parties(campaign) -> tuple[str, str, str, str]:
    unit = campaign.unit
    return unit.party_key, unit.operating_entity.party_key, f"staff_pool:{unit.uid}", "platform"


def refund(deliver, order, event_id: str, amount: int, *, at: str = LATER, quantity: int = 1):
    order.refund_granted(event_id, amount, at, lines=((tier_line(order.id), quantity),))
    event = deliver("order_refunded", order.payload(issued_at=at))
    assert event.status == WebhookEvent.Status.DONE, event.last_error
    return event


@pytest.fixture
def succeeded(live, deliver, time_machine, settings):
    """order-a backs the museum's campaign, which succeeds (3 x 135.68 >= 300.00) and releases 30 %."""
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    orders = {f"order-{n}": backing(live, f"order-{n}") for n in "abc"}
    for order in orders.values():
        deliver("order_fully_paid", order.payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_tick()
    live.refresh_from_db()
    assert live.state == Campaign.State.SUCCEEDED
    unit, entity, pool, platform = parties(live)
    # 30 % of 12,800 = 3,840 released by 60/25/5/10 %, the tax whole; 8,960 still held
    assert per_party("order-a", tier_line("order-a")) == {
        unit: 2_304,
        entity: 960,
        pool: 192,
        platform: 384,
        live.party_key: 8_960,
    }
    assert per_party("order-a", f"{tier_line('order-a')}:tax") == {entity: 768}
    return orders


def test_a_full_refund_after_the_release_takes_back_what_each_party_got_and_what_is_still_held(
    live, deliver, succeeded
):
    unit, entity, pool, platform = parties(live)
    order = succeeded["order-a"]

    event = refund(deliver, order, "refund-a", 12_800 + 768)

    assert per_party("order-a", tier_line("order-a")) == {}  # every party back to zero, the campaign too
    assert per_party("order-a", f"{tier_line('order-a')}:tax") == {}
    assert held_account(live) == -2 * 8_960  # what the two other backers' lines still hold, no more
    assert ledger.transactions_unbalanced() == []
    txn = LedgerTransaction.objects.get(idempotency_key="refund:refund-a")
    legs = {e.account.party: e.amount for e in txn.entries.select_related("account")}
    assert legs == {  # Dr each party what it got back, Cr refunds what went to the buyer
        unit: 2_304,
        entity: 960 + 768,
        pool: 192,
        platform: 384,
        live.party_key: 8_960,
        "": -(12_800 + 768),
    }

    # a duplicate delivery posts nothing more
    again = deliver("order_refunded", {**order.payload(issued_at=LATER), "again": 1})
    assert again.status == WebhookEvent.Status.DONE and event.pk != again.pk
    assert LedgerTransaction.objects.filter(order_ref="order-a", kind="refund").count() == 1
    assert per_party("order-a", tier_line("order-a")) == {}

    # the campaign releases nothing more of a refunded line, even once it ships
    assert services.campaigns_tick()["released"] == 0
    assert ledger.transactions_unbalanced() == []


def test_a_partial_refund_after_the_release_takes_from_released_and_held_in_proportion_and_the_rest_ships(
    live, deliver, succeeded
):
    unit, entity, pool, platform = parties(live)
    order = succeeded["order-a"]

    # half back: Saleor's grant scopes 6,400 to the line and 384 to its tax
    refund(deliver, order, "refund-half", 6_784)

    # the line's 6,400 left stays 30 % released (1,920 by 60/25/5/10 %) and 70 % held (4,480)
    assert per_party("order-a", tier_line("order-a")) == {
        unit: 1_152,
        entity: 480,
        pool: 96,
        platform: 192,
        live.party_key: 4_480,
    }
    assert per_party("order-a", f"{tier_line('order-a')}:tax") == {entity: 384}
    assert held_account(live) == -(4_480 + 2 * 8_960)
    assert ledger.transactions_unbalanced() == []

    # the parcel ships: the rest of what is left on the line (4,480) is released, not the 8,960 of before
    shipped = backing(live, "order-a", fulfilled=1)
    shipped.refunds, shipped.granted = order.refunds, order.granted
    deliver("order_updated", shipped.payload(issued_at=LATER))
    assert services.campaigns_tick()["released"] == 4_480
    assert per_party("order-a", tier_line("order-a")) == {
        unit: 3_840,
        entity: 1_600,
        pool: 320,
        platform: 640,
    }
    assert Pledge.objects.get(line_ref=tier_line("order-a")).released == 6_400

    # the other half back after it is all released: every party to zero, from the parties only
    refund(deliver, shipped, "refund-rest", 6_784)
    assert per_party("order-a", tier_line("order-a")) == {}
    assert per_party("order-a", f"{tier_line('order-a')}:tax") == {}
    assert held_account(live) == -2 * 8_960
    assert ledger.transactions_unbalanced() == []


def test_a_refund_before_the_release_comes_from_what_is_held_and_the_release_is_of_what_is_left(
    live, deliver, time_machine, settings
):
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    orders = {f"order-{n}": backing(live, f"order-{n}", quantity=2) for n in "pq"}
    for order in orders.values():
        deliver("order_fully_paid", order.payload())
    # during the campaign, one of order-p's two items back: from the held account only
    time_machine.move_to(END - timedelta(days=1), tick=False)
    refund(deliver, orders["order-p"], "refund-p", 12_800 + 768, at=(END - timedelta(days=1)).isoformat())
    unit, entity, pool, platform = parties(live)
    assert per_party("order-p", tier_line("order-p")) == {live.party_key: 12_800}
    assert per_party("order-p", f"{tier_line('order-p')}:tax") == {live.party_key: 768}

    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_tick()  # 2 x 2 x 135.68 less one item's 135.68 = 407.04: succeeded
    assert Campaign.objects.get(pk=live.pk).state == Campaign.State.SUCCEEDED
    # 30 % of what is left (12,800): 3,840, and the tax left (768)
    assert per_party("order-p", tier_line("order-p")) == {
        unit: 2_304,
        entity: 960,
        pool: 192,
        platform: 384,
        live.party_key: 8_960,
    }
    assert per_party("order-p", f"{tier_line('order-p')}:tax") == {entity: 768}
    shipped = backing(live, "order-p", quantity=2, fulfilled=2)
    shipped.refunds, shipped.granted = orders["order-p"].refunds, orders["order-p"].granted
    deliver("order_updated", shipped.payload(issued_at=(END + services.DECIDE_GRACE).isoformat()))
    assert services.campaigns_tick()["released"] == 8_960  # the rest of what is left, never refused
    assert per_party("order-p", tier_line("order-p")) == {
        unit: 7_680,
        entity: 3_200,
        pool: 640,
        platform: 1_280,
    }
    assert ledger.transactions_unbalanced() == []
