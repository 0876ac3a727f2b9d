"""Signed webhooks: verified against the Saleor's JWKS, stored once, processed after commit."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from saleor_app import selectors
from saleor_app.models import SaleorInstallation, WebhookEvent
from tests.factories import APP_ID, SaleorInstallationFactory
from tests.saleor_signing import SaleorSigner, tamper

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/saleor/webhooks/product-changes"
handled: list[dict] = []


def record_handler(*, event_type, payload, installation):
    handled.append({"event_type": event_type, "payload": payload})


@pytest.fixture(autouse=True)
def handler(settings):
    handled.clear()
    settings.SALEOR_WEBHOOK_HANDLERS = {"product_updated": f"{__name__}.record_handler"}


@pytest.fixture
def installation():
    return SaleorInstallationFactory()


@pytest.fixture
def jwks(signer, installation):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(installation.jwks_url).mock(return_value=httpx.Response(200, json=signer.jwks()))
        yield route


def product_updated_body(
    name="Bronze Mirror Bookmark", issued_at="2026-11-27T10:00:00+00:00", recipient: object = APP_ID
) -> bytes:
    payload = {"issuedAt": issued_at, "version": "3.24.0-a.0"}
    payload["product"] = {"id": "UHJvZHVjdDox", "name": name}
    if recipient is not None:
        payload["recipient"] = {"id": recipient}
    return json.dumps(payload).encode()


def deliver(client, body, signature, *, event="product_updated", api_url="http://127.0.0.1:8000/graphql/"):
    headers = {"Saleor-Event": event, "Saleor-Api-Url": api_url, "Saleor-Domain": "127.0.0.1:8000"}
    if signature is not None:
        headers["Saleor-Signature"] = signature
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def test_a_verified_event_is_stored_and_processed_once(client, signer, jwks):
    body = product_updated_body()

    response = deliver(client, body, signer.sign(body))

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.event_type == "product_updated"
    assert event.status == WebhookEvent.Status.DONE
    assert event.body == body.decode()
    assert handled == [{"event_type": "product_updated", "payload": json.loads(body)}]


def test_a_replayed_body_is_a_no_op(client, signer, jwks):
    body = product_updated_body()
    signature = signer.sign(body)

    responses = [deliver(client, body, signature) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [r.json()["stored"] for r in responses] == [True, False, False]
    assert WebhookEvent.objects.count() == 1
    assert len(handled) == 1


def test_two_events_with_different_issued_at_are_both_stored(client, signer, jwks):
    first, second = (
        product_updated_body(issued_at="2026-11-27T10:00:00Z"),
        product_updated_body(issued_at="2026-11-27T10:00:01Z"),
    )

    deliver(client, first, signer.sign(first))
    deliver(client, second, signer.sign(second))

    assert WebhookEvent.objects.count() == 2


SALEOR_HEADER = {"alg": "RS256", "b64": False, "crit": ["b64"], "kid": "test-key-1", "typ": "JWT"}


def signed_with(**changes):
    """A delivery signed by the right key under Saleor's header with `changes` (a None value removes it)."""
    header = {k: v for k, v in {**SALEOR_HEADER, **changes}.items() if v is not None}
    return lambda s, b: (b, s.sign_with_header(b, header))


def restyled_last_char(signature: str) -> str:
    """The same signature bytes written another way: the last character's unused low bits set."""
    last = signature[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return signature[:-1] + alphabet[alphabet.index(last) | 1]


def test_saleors_own_header_signed_independently_of_pyjwt_is_accepted(client, signer, jwks):
    body = product_updated_body()

    response = deliver(client, body, signer.sign_with_header(body, SALEOR_HEADER))

    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1


@pytest.mark.parametrize(
    "make_request",
    [
        pytest.param(lambda s, b: (tamper(b), s.sign(b)), id="tampered-body"),
        pytest.param(lambda s, b: (b, None), id="unsigned"),
        pytest.param(lambda s, b: (b, "not-a-jws"), id="garbage-signature"),
        pytest.param(lambda s, b: (b, SaleorSigner.generate(kid=s.kid).sign(b)), id="forged-same-kid"),
        pytest.param(lambda s, b: (b, s.sign(b).replace("..", ".e30.")), id="attached-payload"),
        pytest.param(lambda s, b: (b, s.sign(b) + "=="), id="padded-signature"),
        pytest.param(lambda s, b: (b, s.sign(b)[:-3] + "!" + s.sign(b)[-2:]), id="junk-in-signature"),
        pytest.param(lambda s, b: (b, restyled_last_char(s.sign(b))), id="same-bytes-spelt-otherwise"),
        pytest.param(lambda s, b: (b, s.sign(b).split(".")[0]), id="header-only"),
        pytest.param(lambda s, b: (b, s.sign(b) + ".x"), id="four-segments"),
        pytest.param(signed_with(crit=None), id="b64-not-critical"),
        pytest.param(signed_with(crit=["b64", "exp"]), id="unknown-critical-extension"),
        pytest.param(signed_with(alg="RS512"), id="other-alg"),
        pytest.param(signed_with(b64=True), id="b64-true"),
        pytest.param(signed_with(kid=1), id="kid-not-a-string"),
        pytest.param(lambda s, b: (b, s.sign_with_header(b, ["a", "list"])), id="header-not-object"),
    ],
)
def test_unsigned_forged_or_tampered_requests_get_401_and_store_nothing(client, signer, jwks, make_request):
    body, signature = make_request(signer, product_updated_body())

    response = deliver(client, body, signature)

    assert response.status_code == 401
    assert WebhookEvent.objects.count() == 0
    assert handled == []


def test_an_unknown_saleor_gets_401(client, signer, jwks):
    body = product_updated_body()

    response = deliver(client, body, signer.sign(body), api_url="http://evil.example/graphql/")

    assert response.status_code == 401
    assert WebhookEvent.objects.count() == 0


def test_an_event_not_subscribed_on_that_endpoint_is_refused(client, signer, jwks):
    body = product_updated_body()

    response = deliver(client, body, signer.sign(body), event="order_created")

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_jwks_is_cached_and_refetched_once_on_a_rotated_key(client, signer, installation, jwks, settings):
    settings.SALEOR_JWKS_MIN_REFRESH_SECONDS = 0  # the rotation happens after the refresh window
    body = product_updated_body()
    deliver(client, body, signer.sign(body))
    assert jwks.call_count == 1
    rotated = SaleorSigner.generate(kid="rotated-key")
    jwks.mock(return_value=httpx.Response(200, json=rotated.jwks()))
    second = product_updated_body(issued_at="2026-11-27T11:00:00Z")

    response = deliver(client, second, rotated.sign(second))

    assert response.status_code == 200
    assert jwks.call_count == 2
    assert WebhookEvent.objects.count() == 2


def test_keys_stored_on_the_installation_serve_without_a_fetch(client, signer, installation, jwks):
    installation.jwks = signer.jwks()
    installation.save()
    body = product_updated_body()

    response = deliver(client, body, signer.sign(body))

    assert response.status_code == 200
    assert jwks.call_count == 0


def test_unknown_key_ids_do_not_hammer_the_jwks_endpoint(client, signer, installation, jwks, settings):
    settings.SALEOR_JWKS_MIN_REFRESH_SECONDS = 30
    installation.jwks = signer.jwks()
    installation.save()
    body = product_updated_body()
    stranger = SaleorSigner.generate(kid="unknown")

    codes = [deliver(client, body, stranger.sign(body)).status_code for _ in range(3)]

    assert codes == [401, 401, 401]
    assert jwks.call_count == 1  # the first unknown kid refetches; the rest are refused from cache


def test_a_signed_body_that_is_not_json_is_refused_and_not_stored(client, signer, jwks):
    body = b"not json"

    response = deliver(client, body, signer.sign(body))

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_a_signed_body_that_is_not_utf8_is_refused_and_not_stored(client, signer, jwks):
    body = b'{"n": "\xff"}'

    response = deliver(client, body, signer.sign(body))

    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_a_delivery_signed_by_our_saleor_but_for_another_app_is_refused_and_not_stored(client, signer, jwks):
    body = product_updated_body(recipient="QXBwOjk5")  # another app's webhook aimed at this service

    response = deliver(client, body, signer.sign(body))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "recipient_mismatch"
    assert WebhookEvent.objects.count() == 0 and handled == []


def test_a_delivery_naming_no_recipient_is_refused_for_now_so_saleor_retries_it(client, signer, jwks):
    body = product_updated_body(recipient=None)  # e.g. a webhook whose subscription predates recipient

    response = deliver(client, body, signer.sign(body))

    assert response.status_code == 503  # Saleor retries async deliveries on 5xx, never on 4xx
    assert response.json()["error"]["code"] == "recipient_unknown"
    assert WebhookEvent.objects.count() == 0 and handled == []


def test_until_the_app_id_is_confirmed_deliveries_wait(client, signer, installation, jwks):
    SaleorInstallation.objects.filter(pk=installation.pk).update(app_id="")
    body = product_updated_body()

    response = deliver(client, body, signer.sign(body))

    assert response.status_code == 503
    assert WebhookEvent.objects.count() == 0


def test_after_a_reinstall_the_new_app_id_is_read_despite_the_cache(client, signer, installation, jwks):
    first = product_updated_body(name="before")
    assert deliver(client, first, signer.sign(first)).status_code == 200  # the installation is cached now
    SaleorInstallation.objects.filter(pk=installation.pk).update(app_id="QXBwOjI=")  # confirmed anew
    new_app = product_updated_body(name="after", recipient="QXBwOjI=")
    other_app = product_updated_body(name="other", recipient="QXBwOjk5")

    accepted = deliver(client, new_app, signer.sign(new_app))
    refused = deliver(client, other_app, signer.sign(other_app))

    assert (accepted.status_code, refused.status_code) == (200, 403)
    assert WebhookEvent.objects.count() == 2


def test_the_installation_cache_is_bounded_and_keyed_by_the_normalised_url(settings):
    urls = [f"http://saleor{n}.example/graphql/" for n in range(selectors.INSTALLATION_CACHE_SIZE + 5)]
    for url in urls:
        SaleorInstallationFactory(api_url=url)

    for url in urls:
        assert selectors.installation_get_cached(api_url=url).api_url == url
    found = selectors.installation_get_cached(api_url=urls[-1].rstrip("/"))

    assert len(selectors._recent) == selectors.INSTALLATION_CACHE_SIZE
    assert found.api_url == urls[-1]
    assert selectors.installation_get_cached(api_url="http://unknown.example/graphql/") is None
    assert len(selectors._recent) == selectors.INSTALLATION_CACHE_SIZE  # misses are never remembered
