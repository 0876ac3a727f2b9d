"""The processor fee at release: a held line's card fee is the platform's while the campaign holds it (nothing
of a failed campaign is ever charged to a party); once released, the parties bear it as the agreement frozen
at payment says (pro rata, as on any other line), in proportion to what was released.

By hand: one tier item, 12,800 fen and tax 768 (captured 13,568); Stripe keeps 400 fen, weighed over the
order's lines by what they captured: 377 on the line, 23 on its tax (largest remainder). 30 % at success.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns import services
from payments import ledger_services
from payments import selectors as ledger
from payments.models import Account, LedgerTransaction, SplitLine
from saleor_app.models import WebhookEvent
from tests.campaigns.conftest import END
from tests.campaigns.test_money import backing, tier_line
from tests.campaigns.test_refund_after_release import parties, refund

pytestmark = pytest.mark.django_db


def fees(order_ref: str, line_ref: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for party, fee in SplitLine.objects.filter(order_ref=order_ref, line_ref=line_ref).values_list(
        "party", "fee"
    ):
        out[party] = out.get(party, 0) + fee
    return {p: f for p, f in out.items() if f}


def processor_fees() -> int:
    return ledger.account_balances().get((Account.Kind.PROCESSOR_FEES, "", "CNY"), 0)


def test_the_parties_bear_the_card_fee_of_what_is_released_by_the_frozen_fee_rule(
    live, deliver, time_machine, settings
):
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    orders = {f"order-{n}": backing(live, f"order-{n}") for n in "xyz"}
    for order in orders.values():
        event = deliver("order_fully_paid", order.payload())
        assert event.status == WebhookEvent.Status.DONE, event.last_error
    ledger_services.payment_fee_post(idempotency_key="fee:ch_x", order_ref="order-x", fee=400, currency="CNY")
    assert fees("order-x", tier_line("order-x")) == {}  # while held: the platform's expense, no party's
    assert processor_fees() == 400

    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_tick()
    unit, entity, pool, platform = parties(live)
    # 30 % released (3,840): its part of the line's 377 is 113 (of 3,840 / 12,800), by the shares released
    # (2,304 / 960 / 192 / 384): 68 / 28 / 6 / 11; the platform's 11 stays its own expense
    assert fees("order-x", tier_line("order-x")) == {unit: 68, entity: 28, pool: 6, platform: 11}
    # the tax, released whole to the seller of record, bears its 23
    assert fees("order-x", f"{tier_line('order-x')}:tax") == {entity: 23}
    assert processor_fees() == 400 - (68 + 28 + 6) - 23
    balances = ledger.account_balances()
    assert balances[(Account.Kind.PARTY_PAYABLE, unit, "CNY")] == -(3 * 2_304) + 68
    assert balances[(Account.Kind.PARTY_PAYABLE, entity, "CNY")] == -3 * (960 + 768) + 28 + 23
    assert ledger.transactions_unbalanced() == []

    # half refunded (fees are not returned on refunds), then shipped: the rest of the line's 377 by what is
    # now released (6,400 of 12,800 → 189 in all), never more than the line's fee
    refund(deliver, orders["order-x"], "refund-x", 6_784)
    shipped = backing(live, "order-x", fulfilled=1)
    shipped.refunds, shipped.granted = orders["order-x"].refunds, orders["order-x"].granted
    deliver("order_updated", shipped.payload(issued_at=(END + timedelta(days=2)).isoformat()))
    assert services.campaigns_tick()["released"] == 4_480
    line_fees = fees("order-x", tier_line("order-x"))
    assert sum(line_fees.values()) == 189  # 377 x 6,400 / 12,800 = 188.5, the remainder rounded up
    # the new 76 over this release's shares in recipe order (entity 1,120 / platform 448 / pool 224 / unit
    # 2,688): floors 19 / 7 / 3 / 45, the two fen left to the largest remainders (pool .8, then platform .6
    # before unit .6, the earlier share): 19 / 8 / 4 / 45
    assert line_fees == {unit: 68 + 45, entity: 28 + 19, pool: 6 + 4, platform: 11 + 8}
    assert processor_fees() == 400 - (113 + 47 + 10) - 23
    assert ledger.transactions_unbalanced() == []
    assert LedgerTransaction.objects.filter(order_ref="order-y", kind="release").exists()
    assert fees("order-y", tier_line("order-y")) == {}  # no fee reported on order-y: nothing to bear


def test_a_fee_stripe_reports_after_the_whole_line_was_released_is_borne_by_the_parties_it_paid(
    live, deliver, time_machine
):
    # shipped before the campaign ends: released whole at success, before Stripe's fee is known
    deliver("order_fully_paid", backing(live, "order-f", fulfilled=1).payload())
    for other in ("order-f2", "order-f3"):  # the goal (300.00) reached by three backers
        deliver("order_fully_paid", backing(live, other).payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_tick()
    line = tier_line("order-f")
    assert fees("order-f", line) == {}
    unit, entity, pool, platform = parties(live)
    before = ledger.account_balances()

    ledger_services.payment_fee_post(idempotency_key="fee:ch_f", order_ref="order-f", fee=400, currency="CNY")

    # the line's 377 over the released shares in recipe order (entity 3,200 / platform 1,280 / pool 640 /
    # unit 7,680): floors 94 / 37 / 18 / 226, the two fen left to pool (.85) and platform (.7)
    assert fees("order-f", line) == {entity: 94, platform: 38, pool: 19, unit: 226}
    assert fees("order-f", f"{line}:tax") == {entity: 23}
    assert processor_fees() == 38  # the platform's own part only
    after = ledger.account_balances()
    borne = {
        p: after[(Account.Kind.PARTY_PAYABLE, p, "CNY")] - before[(Account.Kind.PARTY_PAYABLE, p, "CNY")]
        for p in (unit, entity, pool)
    }
    assert borne == {unit: 226, entity: 94 + 23, pool: 19}  # what each is owed is that much less
    assert ledger.transactions_unbalanced() == []

    # the same fee again (a redelivered Stripe event) charges nothing twice; a release later finds it charged
    ledger_services.payment_fee_post(idempotency_key="fee:ch_f", order_ref="order-f", fee=400, currency="CNY")
    assert services.campaigns_tick()["released"] == 0
    assert sum(fees("order-f", line).values()) == 377
    assert processor_fees() == 38


def test_a_fee_reported_between_two_releases_is_charged_for_the_released_part_then_the_rest(
    live, deliver, time_machine, settings
):
    settings.CAMPAIGN_RELEASE_AT_SUCCESS_BPS = 3000
    for order in ("order-g", "order-g2", "order-g3"):
        deliver("order_fully_paid", backing(live, order).payload())
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    services.campaigns_tick()  # 30 % (3,840) released with no fee known yet
    line = tier_line("order-g")
    unit, entity, pool, platform = parties(live)

    ledger_services.payment_fee_post(idempotency_key="fee:ch_g", order_ref="order-g", fee=400, currency="CNY")

    # 377 x 3,840 / 12,800 = 113.1 → 113 now, as the release would have charged had the fee been known
    assert fees("order-g", line) == {unit: 68, entity: 28, pool: 6, platform: 11}
    assert processor_fees() == 400 - (68 + 28 + 6) - 23

    shipped = backing(live, "order-g", fulfilled=1)
    deliver("order_updated", shipped.payload(issued_at=(END + timedelta(days=2)).isoformat()))
    assert services.campaigns_tick()["released"] == 8_960
    assert sum(fees("order-g", line).values()) == 377  # the whole line's fee, once
    assert (
        processor_fees()
        == 400 - (377 - sum(v for p, v in fees("order-g", line).items() if p == platform)) - 23
    )
    assert ledger.transactions_unbalanced() == []
