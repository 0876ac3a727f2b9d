"""The buyer's payment page: one PaymentIntent per cart total, order on success, clear words otherwise.

Stripe.js itself is not driven here (the storefront's browser journey does): the buyer's confirmation is
made directly against localstripe, as the Payment Element would, or through the Card Element fallback's
token, as localstripe's Stripe.js makes it."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
import requests
import respx
from django.template.loader import render_to_string

from core.cart_session import CHECKOUT_KEY
from core.csp import widened
from payments.gateway import checkout_payment
from payments.gateway.models import PaymentIntentRecord
from tests.payments.gateway.buyer_saleor import StorefrontSaleor

pytestmark = pytest.mark.django_db

PAY_URL = "/payments/gateway/pay"
RETURN_URL = "/payments/gateway/pay/return"
CARD_URL = "/payments/gateway/pay/card"


@pytest.fixture
def shop(installation, settings):
    settings.SALEOR_APP_IDENTIFIER = "cn.wenchuang.payments"
    fake = StorefrontSaleor(installation)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(installation.api_url).mock(side_effect=fake.handle)
        yield fake


def own_cart(client, checkout_id: str) -> None:
    """The storefront put this checkout in the buyer's session (their cart)."""
    session = client.session
    session[CHECKOUT_KEY] = checkout_id
    session.save()


def pay_page(client, checkout_id: str):
    own_cart(client, checkout_id)
    return client.get(PAY_URL, {"checkout": checkout_id})


def csp(response) -> dict[str, list[str]]:
    directives = (d.split() for d in response["Content-Security-Policy"].split(";"))
    return {name: sources for name, *sources in directives}


def client_secret(response) -> str:
    return response.context["stripe_config"]["clientSecret"]


def test_the_payment_page_shows_the_card_form_for_the_exact_total_with_a_test_marker(
    client, shop, localstripe, localstripe_url
):
    checkout_id = shop.add_checkout("268.80")

    response = pay_page(client, checkout_id)

    html = response.content.decode()
    assert response.status_code == 200
    assert "TEST MODE" in html
    assert f'<script src="{localstripe_url}/js.stripe.com/v3/">' in html
    assert client_secret(response) in html
    pi = localstripe.get(f"payment_intents/{client_secret(response).split('_secret_')[0]}")
    assert (pi["amount"], pi["currency"], pi["metadata"]["saleor_source_id"]) == (26880, "cny", checkout_id)


def test_the_payment_page_alone_lets_stripe_js_load_from_localstripe(client, shop, localstripe_url):
    checkout_id = shop.add_checkout("268.80")

    policy = csp(pay_page(client, checkout_id))
    elsewhere = csp(client.get(RETURN_URL, {"checkout": checkout_id}))

    assert policy["script-src"] == ["'self'", localstripe_url]
    assert policy["connect-src"] == ["'self'", localstripe_url]
    assert policy["frame-src"] == ["'none'"]  # localstripe's Stripe.js has no iframe
    assert elsewhere["script-src"] == ["'self'"] and elsewhere["connect-src"] == ["'self'"]


def test_with_stripe_itself_the_page_allows_stripes_documented_origins(settings):
    settings.STRIPE_API_BASE = ""

    policy = widened(settings.SECURE_CSP, checkout_payment.stripe_csp())

    assert policy["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert policy["frame-src"] == [
        "https://js.stripe.com",
        "https://*.js.stripe.com",
        "https://hooks.stripe.com",
    ]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert policy["style-src"] == ["'self'"]


def test_reloading_or_retrying_the_page_resumes_the_same_payment(client, shop):
    checkout_id = shop.add_checkout("99.00")

    secrets = {client_secret(pay_page(client, checkout_id)) for _ in range(3)}

    assert len(secrets) == 1
    assert PaymentIntentRecord.objects.count() == 1


def test_a_paid_card_completes_the_checkout_and_hands_the_order_to_the_storefront(client, shop, localstripe):
    checkout_id = shop.add_checkout("45.00")
    pi_id = client_secret(pay_page(client, checkout_id)).split("_secret_")[0]
    localstripe.pay(pi_id)

    response = client.get(
        RETURN_URL, {"checkout": checkout_id, "payment_intent": pi_id, "redirect_status": "succeeded"}
    )

    assert response.status_code == 302
    path, query = response["Location"].split("?")
    assert path == "/checkout/paid/"
    assert parse_qs(query) == {"checkout": [checkout_id], "order": [shop.orders[checkout_id]]}
    assert shop.completed == [checkout_id]


def test_a_declined_card_says_so_and_offers_a_retry_without_charging(client, shop, localstripe):
    checkout_id = shop.add_checkout("45.00")
    pi_id = client_secret(pay_page(client, checkout_id)).split("_secret_")[0]
    localstripe.pay(pi_id, card="4000000000000341")

    response = client.get(RETURN_URL, {"checkout": checkout_id, "payment_intent": pi_id})

    html = response.content.decode()
    assert "declined" in html.lower()
    assert "nothing was charged" in html
    assert 'href="/payments/gateway/pay?checkout=' in html
    assert shop.completed == []


def test_an_abandoned_payment_is_not_completed_and_can_be_resumed(client, shop):
    checkout_id = shop.add_checkout("12.00")
    first = client_secret(pay_page(client, checkout_id))
    pi_id = first.split("_secret_")[0]

    response = client.get(RETURN_URL, {"checkout": checkout_id, "payment_intent": pi_id})
    resumed = client_secret(pay_page(client, checkout_id))

    assert "The payment was not completed; nothing was charged." in response.content.decode()
    assert resumed == first
    assert shop.completed == []


def test_an_unknown_cart_gets_a_clear_message(client, shop):
    response = pay_page(client, "Q2hlY2tvdXQ6bm9uZQ==")

    assert response.status_code == 400
    assert "This cart no longer exists or has already been ordered." in response.content.decode()


def test_saleor_down_gets_a_clear_message_not_a_traceback(client, shop):
    shop.down = True

    response = pay_page(client, shop.add_checkout("1.00"))

    assert response.status_code == 400
    assert "The shop is not reachable right now" in response.content.decode()


def test_a_return_for_someone_elses_payment_is_refused(client, shop, localstripe):
    checkout_id = shop.add_checkout("45.00")
    pi_id = client_secret(pay_page(client, checkout_id)).split("_secret_")[0]
    localstripe.pay(pi_id)

    other_cart = shop.add_checkout("1.00")
    own_cart(client, other_cart)  # this browser's cart is now another one

    response = client.get(RETURN_URL, {"checkout": other_cart, "payment_intent": pi_id})

    assert "This payment is not known to the Stripe gateway." in response.content.decode()
    assert shop.completed == []


def test_the_payment_page_refuses_a_checkout_that_is_not_this_browsers_cart(client, shop, django_user_model):
    victim = shop.add_checkout("45.00")
    own_cart(client, shop.add_checkout("9.00"))  # this browser has a cart, just not that one

    response = client.get(PAY_URL, {"checkout": victim})
    stranger = client.__class__().get(PAY_URL, {"checkout": victim})  # no session at all

    for answer in (response, stranger):
        assert answer.status_code == 403
        assert "This payment link is not for the cart in this browser." in answer.content.decode()
        assert 'href="/cart/"' in answer.content.decode()
    assert PaymentIntentRecord.objects.count() == 0  # nothing was started for the stranger


def test_a_return_or_card_post_for_a_checkout_not_in_the_session_is_refused(client, shop, localstripe):
    checkout_id = shop.add_checkout("45.00")
    pi_id = client_secret(pay_page(client, checkout_id)).split("_secret_")[0]
    localstripe.pay(pi_id)
    stranger = client.__class__()

    returned = stranger.get(RETURN_URL, {"checkout": checkout_id, "payment_intent": pi_id})
    carded = stranger.post(CARD_URL, {"checkout": checkout_id, "payment_intent": pi_id, "token": "tok_x"})

    assert (returned.status_code, carded.status_code) == (403, 403)
    assert shop.completed == []


def card_token(localstripe_url: str, number: str) -> str:
    """What localstripe's Stripe.js createToken(card) posts from the buyer's browser (publishable key)."""
    card = {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"}
    data = {f"card[{k}]": v for k, v in card.items()} | {"key": "pk_test_wenchuang"}
    return requests.post(f"{localstripe_url}/v1/tokens", data=data, timeout=10).json()["id"]


def test_on_localstripe_the_card_element_token_pays_and_completes_the_checkout(
    client, shop, localstripe, localstripe_url
):
    checkout_id = shop.add_checkout("45.00")
    page = pay_page(client, checkout_id)
    pi_id = client_secret(page).split("_secret_")[0]
    assert 'id="card-element"' in page.content.decode() and "payment-element" not in page.content.decode()

    posted = client.post(
        CARD_URL,
        {
            "checkout": checkout_id,
            "payment_intent": pi_id,
            "token": card_token(localstripe_url, "4242424242424242"),
        },
    )
    returned = client.get(posted["Location"])

    assert posted.status_code == 302
    assert localstripe.get(f"payment_intents/{pi_id}")["status"] in ("succeeded", "requires_capture")
    assert returned.status_code == 302 and returned["Location"].startswith("/checkout/paid/?")
    assert shop.completed == [checkout_id]


def test_the_card_fallback_refuses_a_payment_intent_of_another_checkout(client, shop, localstripe_url):
    theirs = client_secret(pay_page(client, shop.add_checkout("45.00"))).split("_secret_")[0]
    mine = shop.add_checkout("9.00")
    pay_page(client, mine)

    response = client.post(
        CARD_URL,
        {
            "checkout": mine,
            "payment_intent": theirs,
            "token": card_token(localstripe_url, "4242424242424242"),
        },
    )

    assert response.status_code == 400
    assert "This payment is not known to the Stripe gateway." in response.content.decode()


def test_the_card_fallback_is_off_with_stripe_itself(client, shop, settings):
    checkout_id = shop.add_checkout("45.00")
    own_cart(client, checkout_id)
    settings.STRIPE_API_BASE = ""  # production: Stripe's own Stripe.js and its Payment Element

    response = client.post(CARD_URL, {"checkout": checkout_id, "payment_intent": "pi_x", "token": "tok_x"})

    assert response.status_code == 404
    assert shop.completed == []


def test_with_stripe_itself_the_page_mounts_the_payment_element_only():
    html = render_to_string(
        "payments/gateway/pay.html",
        {"card_element": False, "stripe_js_url": "https://js.stripe.com/v3/", "stripe_config": {}},
    )

    assert 'id="payment-element"' in html and "payments/gateway/pay.js" in html
    assert "card-element" not in html and "pay/card" not in html


def test_a_declined_card_on_the_card_element_says_so_and_offers_a_retry(client, shop, localstripe_url):
    checkout_id = shop.add_checkout("45.00")
    pi_id = client_secret(pay_page(client, checkout_id)).split("_secret_")[0]

    response = client.post(
        CARD_URL,
        {
            "checkout": checkout_id,
            "payment_intent": pi_id,
            "token": card_token(localstripe_url, "4000000000000341"),
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "declined" in html.lower() and "nothing was charged" in html
    assert 'href="/payments/gateway/pay?checkout=' in html
    assert shop.completed == []
