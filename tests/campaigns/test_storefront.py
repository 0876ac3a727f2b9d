"""The public campaign page (zh-Hans and English, cached until a paid backing arrives) and the tier stock
taken at checkout: a sold-out tier is refused before the payment."""

from __future__ import annotations

import pytest
import respx

from campaigns.models import Reservation
from storefront.views import CHECKOUT_KEY
from tests.campaigns.test_money import backing
from tests.conftest import RECORDED_API_URL
from tests.recording import load_exchange, replay_scenes

pytestmark = pytest.mark.django_db
READY = load_exchange("StorefrontCheckout.ready")
CHECKOUT_ID = READY["variables"]["id"]
LINES = [(ln["variant"]["id"], ln["quantity"]) for ln in READY["response"]["data"]["checkout"]["lines"]]


def test_the_page_shows_progress_in_chinese_and_english_with_beijing_days_left(client, live):
    page = client.get(f"/campaigns/{live.uid}/").content.decode()
    assert live.title_zh in page and "以馆藏为本" in page
    assert 'id="days-left">剩余 10 天' in page  # to 30 Nov 14:00 Beijing, from 20 Nov 14:00
    assert "¥0.00" in page and "¥300.00" in page
    assert "剩 5 件" in page  # the tier's stock

    english = client.get(f"/en/campaigns/{live.uid}/").content.decode()
    assert live.title_en in english and "10 days left" in english and "5 left" in english


def test_the_page_is_cached_until_a_paid_backing_arrives(
    client, live, deliver, django_capture_on_commit_callbacks
):
    url = f"/campaigns/{live.uid}/"
    client.get(url)
    type(live).objects.filter(pk=live.pk).update(title_zh="改过的标题")  # no invalidation: still cached
    assert "改过的标题" not in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the invalidation runs once the posting commits
        deliver("order_fully_paid", backing(live, "order-p1", quantity=2).payload())

    page = client.get(url).content.decode()
    assert "改过的标题" in page
    assert 'id="raised">¥271.36<' in page and "1 位支持者" in page and "90%" in page


def test_the_draft_of_a_campaign_is_not_public(client, museum):
    from tests.campaigns.conftest import draft

    assert client.get(f"/campaigns/{draft(museum, goal_amount=100).uid}/").status_code == 404


@pytest.fixture
def checkout_of_tier(live, client, settings):
    """The recorded checkout's second line (2 items) is the live campaign's tier."""
    settings.SALEOR_API_URL = RECORDED_API_URL
    tier = live.tiers.get()
    live.listing.saleor_variant_ids = {tier.sku: LINES[1][0]}
    live.listing.save(update_fields=["saleor_variant_ids"])
    session = client.session
    session[CHECKOUT_KEY] = CHECKOUT_ID
    session.save()
    with respx.mock(assert_all_called=False) as mock:
        replay_scenes(mock, RECORDED_API_URL, "StorefrontCheckout.ready")
        yield tier


def test_going_to_pay_takes_the_tier_items_once(client, checkout_of_tier):
    for _ in range(2):  # back and forth: the same checkout takes its items once
        started = client.post("/checkout/pay/")
        assert started.status_code == 302 and started["Location"].startswith("/payments/gateway/pay?")
    checkout_of_tier.refresh_from_db()
    assert checkout_of_tier.reserved == 2
    assert Reservation.objects.get().quantity == 2


def test_a_sold_out_tier_is_refused_before_the_payment(client, checkout_of_tier):
    type(checkout_of_tier).objects.filter(pk=checkout_of_tier.pk).update(reserved=4)  # 1 of 5 left

    refused = client.post("/checkout/pay/")

    assert refused.status_code == 302 and refused["Location"] == "/cart/"
    checkout_of_tier.refresh_from_db()
    assert checkout_of_tier.reserved == 4
    assert not Reservation.objects.filter(quantity__gt=0).exists()
    cart = client.get("/cart/").content.decode()
    assert "只剩 1 件" in cart or "Only 1 left" in cart
