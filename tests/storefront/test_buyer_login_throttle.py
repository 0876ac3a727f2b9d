"""Buyer sign-in: throttled here per account and per client address before Saleor is asked, and Saleor told
each buyer's own address, so one attacker never fills the bucket every buyer shares.

Saleor is served at the HTTP edge with its recorded answers (a refused password, a token, its own delay).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from django.contrib.auth import get_user_model

from accounts.models import LoginThrottle
from tests.conftest import RECORDED_API_URL
from tests.recording import load_exchange

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 15, 4, tzinfo=UTC)
BUYER, OTHER, RIGHT = "buyer@example.cn", "other.buyer@example.cn", "Right-password-1"
LOGIN = "/account/login/"


class SaleorSignIn:
    """Saleor's tokenCreate as recorded: a token for the right password, INVALID_CREDENTIALS otherwise."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []  # (email, X-Forwarded-For)
        self.delayed = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["operationName"] == "StorefrontTokenCreate"
        email, password = body["variables"]["email"], body["variables"]["password"]
        self.calls.append((email, request.headers.get("X-Forwarded-For", "")))
        if self.delayed:
            recorded = load_exchange("StorefrontTokenCreate.refused")  # Saleor's LOGIN_ATTEMPT_DELAYED
        elif password == RIGHT:
            recorded = copy.deepcopy(load_exchange("StorefrontTokenCreate"))
            recorded["response"]["data"]["tokenCreate"]["user"]["email"] = email
        else:
            recorded = load_exchange("StorefrontTokenCreate.wrong_password")
        return httpx.Response(recorded["status"], json=recorded["response"])


@pytest.fixture
def saleor(settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.SALEOR_API_URL = RECORDED_API_URL
    settings.TRUSTED_PROXIES = []
    settings.LOGIN_THROTTLE_ACCOUNT_FAILURES = 5
    settings.LOGIN_THROTTLE_ADDRESS_FAILURES = 20
    settings.LOGIN_LOCKOUT_SECONDS = 900
    fake = SaleorSignIn()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(RECORDED_API_URL).mock(side_effect=fake)
        yield fake


def sign_in(client, email, password, address, *, path=LOGIN, **extra):
    return client.post(path, {"email": email, "password": password}, REMOTE_ADDR=address, **extra)


def test_fifty_wrong_passwords_reach_saleor_five_times_and_other_buyers_still_sign_in(
    client, saleor, time_machine
):
    statuses = [sign_in(client, BUYER, f"guess-{i}", "203.0.113.66").status_code for i in range(50)]

    assert statuses[:4] == [400] * 4 and set(statuses[4:]) == {429}
    assert len(saleor.calls) == 5  # the other 45 never left this service
    assert {forwarded for _, forwarded in saleor.calls} == {"203.0.113.66"}  # Saleor saw the attacker only

    other = sign_in(client, OTHER, RIGHT, "198.51.100.7")
    assert other.status_code == 302 and saleor.calls[-1] == (OTHER, "198.51.100.7")
    client.logout()
    same_account = sign_in(client, BUYER, RIGHT, "192.0.2.44")  # the shop's default language
    assert same_account.status_code == 429  # per account, wherever from
    assert "登录失败次数过多" in same_account.content.decode()

    time_machine.move_to(NOW + timedelta(seconds=901), tick=False)
    assert sign_in(client, BUYER, RIGHT, "192.0.2.44").status_code == 302  # the lock ends by the clock


def test_one_address_trying_many_accounts_is_stopped_while_other_addresses_sign_in(client, saleor):
    for i in range(50):
        sign_in(client, f"victim{i}@example.cn", "123456", "203.0.113.66")

    assert len(saleor.calls) == 20
    refused = sign_in(client, "victim0@example.cn", RIGHT, "203.0.113.66", path="/en" + LOGIN)
    assert refused.status_code == 429 and "Too many failed sign-in attempts" in refused.content.decode()
    assert sign_in(client, "victim0@example.cn", RIGHT, "198.51.100.7").status_code == 302


def test_saleor_hears_the_buyers_own_address_behind_a_trusted_proxy(client, saleor, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    sign_in(client, BUYER, "wrong", "10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.23")

    assert saleor.calls == [(BUYER, "198.51.100.23")]  # not the proxy, not what the client wrote


def test_saleors_own_delay_is_said_as_a_delay_and_counts_against_the_address_only(client, saleor):
    saleor.delayed = True

    answers = [sign_in(client, BUYER, RIGHT, "203.0.113.9", path="/en" + LOGIN) for _ in range(25)]

    assert {a.status_code for a in answers} == {429}
    assert "wait a moment" in answers[0].content.decode()
    assert len(saleor.calls) == 20  # then the address is locked here and Saleor no longer asked from it
    assert set(LoginThrottle.objects.values_list("kind", flat=True)) == {"address"}
    saleor.delayed = False
    assert sign_in(client, BUYER, RIGHT, "198.51.100.7").status_code == 302  # the account was never locked


def test_buyer_failures_never_lock_a_staff_account_of_the_same_address(client, saleor):
    get_user_model().objects.create_user(username=BUYER, email=BUYER, password="staff-password-1")
    for i in range(10):
        sign_in(client, BUYER, f"guess-{i}", "203.0.113.66")

    staff = client.post(
        "/onboarding/login/", {"username": BUYER, "password": "staff-password-1"}, REMOTE_ADDR="198.51.100.7"
    )

    assert staff.status_code == 302
