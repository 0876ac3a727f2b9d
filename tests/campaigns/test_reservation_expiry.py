"""Tier items taken when a checkout went to pay go back to the tier once the checkout is abandoned
(CAMPAIGN_RESERVATION_MINUTES, beat `campaigns-reservations`), never those of a paid order nor of a checkout
whose payment is under way at Stripe; on the business clock the tests move."""

from __future__ import annotations

from datetime import timedelta

import pytest
import respx
from django.conf import settings as django_settings
from django.urls import reverse

from campaigns import selectors, services, tasks
from campaigns.models import CampaignRefund, Reservation
from payments import selectors as ledger
from payments.gateway.models import PaymentIntentRecord
from payments.models import FinanceAuditEvent
from saleor_app.client import SaleorClient
from saleor_app.models import WebhookEvent
from tests.campaigns.conftest import END, NOW
from tests.campaigns.test_money import API, FakeSaleor, backing, held_account, tier_line
from tests.factories import SaleorInstallationFactory

pytestmark = pytest.mark.django_db
VARIANT = "variant-tier"


@pytest.fixture
def tier(live, settings):
    settings.CAMPAIGN_RESERVATION_MINUTES = 30
    tier = live.tiers.get()
    live.listing.saleor_variant_ids = {tier.sku: VARIANT}
    live.listing.save(update_fields=["saleor_variant_ids"])
    return tier


def reserved(tier) -> int:
    tier.refresh_from_db()
    return tier.reserved


def test_an_abandoned_checkout_gives_its_items_back_after_the_set_time_once(tier, time_machine):
    services.tiers_reserve(checkout_ref="checkout-a", lines=[(VARIANT, 2)])
    assert reserved(tier) == 2

    time_machine.move_to(NOW + timedelta(minutes=29, seconds=59), tick=False)
    assert services.reservations_expire() == 0
    assert reserved(tier) == 2

    time_machine.move_to(NOW + timedelta(minutes=30), tick=False)
    assert tasks.reservations_expire.delay().get() == 2  # the beat job, through Celery
    assert reserved(tier) == 0
    assert Reservation.objects.get().returned_at == NOW + timedelta(minutes=30)

    time_machine.move_to(NOW + timedelta(hours=2), tick=False)
    assert services.reservations_expire() == 0  # given back once
    assert reserved(tier) == 0


def test_going_to_pay_again_keeps_the_items_longer_and_after_the_expiry_takes_them_afresh(tier, time_machine):
    services.tiers_reserve(checkout_ref="checkout-b", lines=[(VARIANT, 1)])
    time_machine.move_to(NOW + timedelta(minutes=20), tick=False)
    services.tiers_reserve(checkout_ref="checkout-b", lines=[(VARIANT, 2)])  # back, one more, to pay again
    assert reserved(tier) == 2

    time_machine.move_to(NOW + timedelta(minutes=40), tick=False)  # 20 minutes after it last went to pay
    assert services.reservations_expire() == 0
    time_machine.move_to(NOW + timedelta(minutes=50), tick=False)
    assert services.reservations_expire() == 2
    assert reserved(tier) == 0

    services.tiers_reserve(checkout_ref="checkout-b", lines=[(VARIANT, 2)])  # the buyer comes back
    assert reserved(tier) == 2
    reservation = Reservation.objects.get()
    assert (reservation.quantity, reservation.returned_at) == (2, None)


def test_a_paid_orders_items_are_never_given_back(tier, live, deliver, time_machine):
    services.tiers_reserve(checkout_ref="checkout-paid", lines=[(VARIANT, 2)])
    order = backing(live, "order-r1", quantity=2)
    order.checkout_id = "checkout-paid"
    deliver("order_fully_paid", order.payload())
    assert Reservation.objects.get().paid_at is not None

    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    assert services.reservations_expire() == 0
    assert reserved(tier) == 2


def test_a_checkout_whose_payment_is_under_way_at_stripe_keeps_its_items(tier, time_machine):
    services.tiers_reserve(checkout_ref="checkout-paying", lines=[(VARIANT, 1)])
    services.tiers_reserve(checkout_ref="checkout-gave-up", lines=[(VARIANT, 1)])
    for checkout, status in (
        ("checkout-paying", "processing"),
        ("checkout-gave-up", "requires_payment_method"),
    ):
        PaymentIntentRecord.objects.create(
            installation=SaleorInstallationFactory(),
            saleor_transaction_id=f"tr-{checkout}",
            idempotency_key=f"key-{checkout}",
            payment_intent_id=f"pi_{checkout}",
            amount=13_568,
            currency="CNY",
            action_type="CHARGE",
            source_type="Checkout",
            source_id=checkout,
            stripe_status=status,
        )

    time_machine.move_to(NOW + timedelta(minutes=31), tick=False)
    assert services.reservations_expire() == 1
    assert reserved(tier) == 1
    assert Reservation.objects.get(checkout_ref="checkout-paying").returned_at is None


def test_a_payment_after_the_expiry_takes_the_items_again_never_past_the_limit(
    tier, live, deliver, time_machine
):
    services.tiers_reserve(checkout_ref="checkout-late", lines=[(VARIANT, 2)])
    time_machine.move_to(NOW + timedelta(minutes=31), tick=False)
    assert services.reservations_expire() == 2
    services.tiers_reserve(checkout_ref="checkout-other", lines=[(VARIANT, 4)])  # 1 of 5 left

    order = backing(live, "order-r2", quantity=2)
    order.checkout_id = "checkout-late"
    deliver("order_fully_paid", order.payload())

    assert reserved(tier) == 5  # one taken again; the limit is never passed (the CHECK stands behind it)
    late = Reservation.objects.get(checkout_ref="checkout-late")
    assert (late.paid_at is not None, late.returned_at) == (True, None)
    time_machine.move_to(NOW + timedelta(days=1), tick=False)
    assert services.reservations_expire() == 4  # the other checkout, abandoned; the paid one stays
    assert reserved(tier) == 1


def test_the_beat_runs_the_expiry_every_minute():
    job = django_settings.CELERY_BEAT_SCHEDULE["campaigns-reservations"]
    assert (job["task"], job["schedule"]) == ("campaigns.tasks.reservations_expire", 60.0)


def test_items_paid_beyond_the_limit_after_the_expiry_are_refunded_the_buyer_told_and_the_unit_shown(
    tier, live, deliver, time_machine, client, mailoutbox, django_capture_on_commit_callbacks
):
    """The late payment of 2 items finds 1 left: that one is the buyer's, the other is refunded at once (its
    share of the line, tax included: 13,568 fen) through Saleor as the campaign's refunds are, the buyer is
    mailed, the unit sees it and it is audited; it counts neither as raised nor, later, refunded twice."""
    services.tiers_reserve(checkout_ref="checkout-late", lines=[(VARIANT, 2)])
    time_machine.move_to(NOW + timedelta(minutes=31), tick=False)
    assert services.reservations_expire() == 2
    services.tiers_reserve(checkout_ref="checkout-other", lines=[(VARIANT, 4)])  # 1 of 5 left
    mailoutbox.clear()

    order = backing(live, "order-r3", quantity=2)
    order.checkout_id = "checkout-late"
    with django_capture_on_commit_callbacks(execute=True):
        event = deliver("order_fully_paid", order.payload())
    assert event.status == WebhookEvent.Status.DONE, event.last_error

    assert reserved(tier) == 5  # never past the limit
    refund = CampaignRefund.objects.get()
    assert (refund.kind, refund.order_ref, refund.quantity, refund.amount, refund.status) == (
        CampaignRefund.Kind.OVER_LIMIT,
        "order-r3",
        1,
        12_800 + 768,
        CampaignRefund.Status.PENDING,
    )
    assert refund.lines == [[tier_line("order-r3"), 1]]
    assert FinanceAuditEvent.objects.filter(action="campaign.over_limit_refund").count() == 1
    (mail,) = [m for m in mailoutbox if "sold out" in m.subject]
    assert mail.to == ["buyer@example.cn"] and "¥135.68" in mail.body and "sold out" in mail.subject
    p = selectors.progress(live)
    assert (p.raised, p.backers) == (12_800 + 768, 1)  # the refunded item is not raised

    # a redelivered payment refunds nothing twice
    deliver("order_fully_paid", {**order.payload(), "x": 1})
    assert CampaignRefund.objects.count() == 1

    # the beat job requests it from Saleor: one item of the line, its fen
    fine = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fine)
        assert services.campaigns_tick(client=SaleorClient(API, "token"))["attempted"] == 1
    grant = next(v for name, v in fine.calls if name == "OrderGrantRefundCreate")["input"]
    assert grant["lines"] == [{"id": tier_line("order-r3"), "quantity": 1}] and grant["amount"] == "135.68"
    assert "售罄" in grant["reason"]
    refund.refresh_from_db()
    assert refund.status == CampaignRefund.Status.REQUESTED

    # the unit sees it on its campaign's page
    client.force_login(live.created_by)
    page = client.get(reverse("campaigns:campaign", args=[live.uid])).content.decode()
    assert 'class="refund-over_limit"' in page and "order-r3" in page

    # Saleor refunds it: one item's money leaves the held account, the other stays held
    order.refund_granted(
        "refund-r3", 12_800 + 768, (NOW + timedelta(hours=1)).isoformat(), lines=((tier_line("order-r3"), 1),)
    )
    assert deliver("order_refunded", order.payload()).status == WebhookEvent.Status.DONE
    assert held_account(live) == -(12_800 + 768)
    assert ledger.transactions_unbalanced() == []

    # the campaign fails: the order's one remaining item is refunded, not the one refunded already
    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    fine = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fine)
        services.campaigns_tick(client=SaleorClient(API, "token"))
    outcome = CampaignRefund.objects.get(kind=CampaignRefund.Kind.OUTCOME)
    assert (outcome.order_ref, outcome.amount, outcome.status) == ("order-r3", 12_800 + 768, "requested")
    grant = next(v for name, v in fine.calls if name == "OrderGrantRefundCreate")["input"]
    assert grant["lines"] == [{"id": tier_line("order-r3"), "quantity": 1}] and grant["amount"] == "135.68"


def test_an_over_limit_refund_not_yet_in_the_ledger_is_not_refunded_again_when_the_campaign_fails(
    tier, live, deliver, time_machine
):
    services.tiers_reserve(checkout_ref="checkout-slow", lines=[(VARIANT, 3)])
    time_machine.move_to(NOW + timedelta(minutes=31), tick=False)
    services.reservations_expire()
    services.tiers_reserve(checkout_ref="checkout-fast", lines=[(VARIANT, 5)])  # the tier sold out
    order = backing(live, "order-r4", quantity=3)
    order.checkout_id = "checkout-slow"
    deliver("order_fully_paid", order.payload())
    over = CampaignRefund.objects.get()
    assert (over.quantity, over.amount) == (3, 3 * (12_800 + 768))  # none of its items could be taken
    assert selectors.progress(live).backers == 0  # it backs nothing

    time_machine.move_to(END + services.DECIDE_GRACE, tick=False)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=FakeSaleor())
        services.campaigns_tick(client=SaleorClient(API, "token"))
    assert list(CampaignRefund.objects.values_list("kind", flat=True)) == [CampaignRefund.Kind.OVER_LIMIT]


def test_a_backers_own_refund_after_an_over_limit_refund_gives_back_only_the_items_it_holds(
    tier, live, deliver, time_machine
):
    services.tiers_reserve(checkout_ref="checkout-late2", lines=[(VARIANT, 2)])
    time_machine.move_to(NOW + timedelta(minutes=31), tick=False)
    services.reservations_expire()
    services.tiers_reserve(checkout_ref="checkout-other2", lines=[(VARIANT, 4)])  # 1 of 5 left
    order = backing(live, "order-r5", quantity=2)
    order.checkout_id = "checkout-late2"
    deliver("order_fully_paid", order.payload())
    assert reserved(tier) == 5

    asked = services.backer_refund_request(campaign=live, order_ref="order-r5", reason="改变主意")
    assert asked.amount == 12_800 + 768  # the one item it holds
    fine = FakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API).mock(side_effect=fine)
        services.backer_refund_decide(
            refund_id=asked.pk, actor=live.created_by, approve=True, client=SaleorClient(API, "token")
        )
    grant = next(v for name, v in fine.calls if name == "OrderGrantRefundCreate")["input"]
    assert grant["lines"] == [{"id": tier_line("order-r5"), "quantity": 1}] and grant["amount"] == "135.68"
    assert reserved(tier) == 4  # its one item back in stock, not the one it never took
