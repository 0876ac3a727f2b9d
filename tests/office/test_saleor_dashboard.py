"""Platform staff open this app's pages from the Saleor Dashboard: the manifest's extensions, and sign-in by
the Dashboard's token (verified against Saleor's keys), refused for any token Saleor did not make for this
app and a staff user, and never past this service's own roles or second factor."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx
import pytest
import respx
from django.contrib.auth.models import Permission
from django.urls import resolve, reverse

from accounts.models import AccessEvent
from office.saleor_dashboard import PAGES
from saleor_app.manifest import build_manifest
from saleor_app.signatures import forget_cached_keys
from tests.factories import APP_ID, SaleorInstallationFactory
from tests.saleor_signing import SaleorSigner
from tests.unit_onboarding.factories import UserFactory

pytestmark = pytest.mark.django_db
API = "http://127.0.0.1:8000/graphql/"
SESSION = "/office/saleor-dashboard/session"


@pytest.fixture
def installed(signer):
    forget_cached_keys()
    yield SaleorInstallationFactory(api_url=API, app_id=APP_ID, jwks=signer.jwks())
    forget_cached_keys()


def claims(**changes) -> dict:
    """A Dashboard token's claims as Saleor 3.24 makes them for this app and a staff user."""
    base = {
        "iat": int(time.time()),
        "iss": API,
        "exp": int(time.time()) + 300,
        "token": "x",
        "email": "Curator@Example.cn",
        "type": "thirdparty",
        "user_id": "VXNlcjox",
        "is_staff": True,
        "app": APP_ID,
        "permissions": ["MANAGE_PRODUCTS"],
        "user_permissions": ["MANAGE_PRODUCTS", "MANAGE_ORDERS"],
    }
    return {**base, **changes}


def finance_user(email="curator@example.cn"):
    user = UserFactory(email=email)
    user.user_permissions.add(Permission.objects.get(codename="change_settlementbatch"))
    return user


def test_the_manifest_declares_one_app_page_per_office_page():
    extensions = build_manifest()["extensions"]
    assert {e["identifier"] for e in extensions} == set(PAGES)
    for extension in extensions:
        assert extension["target"] == "APP_PAGE" and extension["url"].startswith("/")  # relative to appUrl
        match = resolve(extension["url"])
        assert match.url_name == "saleor_dashboard" and match.kwargs["page"] == extension["identifier"]
        assert set(extension["permissions"]) <= set(build_manifest()["permissions"])  # Saleor requires it
    for name in PAGES.values():
        reverse(name)  # every page an extension opens exists


def test_a_staff_users_token_signs_in_their_account_and_opens_the_page(client, installed, signer):
    user = finance_user()
    entry = client.get("/office/saleor-dashboard/finance/")
    assert entry.status_code == 200 and 'id="appbridge-form"' in entry.content.decode()

    response = client.post(SESSION, {"page": "finance", "token": signer.token(claims())})

    assert response.status_code == 302 and response["Location"] == reverse("finance:home")
    assert int(client.session["_auth_user_id"]) == user.pk  # matched by e-mail, whatever its case
    event = AccessEvent.objects.get(action="login.saleor_dashboard")
    assert (event.user, event.detail["saleor"], event.detail["saleor_user"]) == (user, API, "VXNlcjox")
    # the page that touches money still asks for this account's second factor
    opened = client.get(response["Location"])
    assert opened.status_code == 302 and "/security/two-factor/" in opened["Location"]


@pytest.mark.parametrize(
    "why, token_claims",
    [
        ("expired", claims(exp=int(time.time()) - 1)),
        ("another app's", claims(app="QXBwOjk5OQ==")),
        ("a user's own access token", claims(type="access")),
        ("not staff", claims(is_staff=False)),
        ("another Saleor's", claims(iss="http://saleor.elsewhere/graphql/")),
    ],
)
def test_tokens_saleor_did_not_make_for_this_app_and_staff_sign_nobody_in(
    client, installed, signer, why, token_claims
):
    finance_user()
    response = client.post(SESSION, {"page": "finance", "token": signer.token(token_claims)})
    assert response.status_code == 403, why
    assert 'id="bad-token"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessEvent.objects.filter(action="login.saleor_dashboard").exists()


@respx.mock
def test_a_token_signed_by_another_key_is_refused_after_asking_saleor_for_its_keys(client, installed, signer):
    finance_user()
    jwks = respx.get("http://127.0.0.1:8000/.well-known/jwks.json").mock(
        return_value=httpx.Response(200, json=signer.jwks())
    )
    forged = SaleorSigner.generate(kid="forged").token(claims())
    for token in (forged, "not.a.jwt", ""):
        response = client.post(SESSION, {"page": "finance", "token": token})
        assert response.status_code == 403
    assert jwks.call_count == 1  # an unknown key id is looked up once, not on every attempt
    assert "_auth_user_id" not in client.session


def test_a_staff_user_without_an_account_here_is_told_so_and_not_signed_in(client, installed, signer):
    response = client.post(SESSION, {"page": "listing-review", "token": signer.token(claims())})
    assert response.status_code == 403
    assert "Curator@Example.cn" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_page_is_not_found(client, installed, signer):
    finance_user()
    assert client.get("/office/saleor-dashboard/admin/").status_code == 404
    assert client.post(SESSION, {"page": "admin", "token": signer.token(claims())}).status_code == 404
    assert "_auth_user_id" not in client.session


def test_the_app_url_and_extension_urls_join_to_the_entry_pages(settings):
    settings.APP_PUBLIC_URL = "https://market.example.cn"
    manifest = build_manifest()
    for extension in manifest["extensions"]:
        joined = manifest["appUrl"].rstrip("/") + extension["url"]
        assert urlsplit(joined).path == f"/office/saleor-dashboard/{extension['identifier']}/"
