"""Tier items taken when a checkout went to pay go back to the tier once the checkout is abandoned
(CAMPAIGN_RESERVATION_MINUTES, beat `campaigns-reservations`), never those of a paid order nor of a checkout
whose payment is under way at Stripe; on the business clock the tests move."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from campaigns import services, tasks
from campaigns.models import Reservation
from payments.gateway.models import PaymentIntentRecord
from tests.campaigns.conftest import NOW
from tests.campaigns.test_money import backing
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
