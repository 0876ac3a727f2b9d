"""Against the live Saleor, in chromium: an attacker's 50 wrong passwords for one buyer are stopped here (per
account and per address) and Saleor hears only the attacker's address, so another buyer still signs in.

Each browser context stands for a client behind our proxy (127.0.0.1, trusted) with its own address.
Screenshots go to tests/artifacts/storefront/."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.storefront.conftest import ARTIFACTS

pytestmark = [pytest.mark.saleor_live, pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Throttle-pass-123"
CONFIRM = "mutation($id: ID!) { customerUpdate(id: $id, input: {isConfirmed: true}) { errors { field } } }"


@pytest.fixture(autouse=True)
def _live_server_connections(monkeypatch):
    """The live server's threads close their connections (or the test database cannot be dropped)."""
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    yield
    connections.close_all()


@pytest.fixture
def buyers(settings, staff, saleor_api_url, client):
    """Two confirmed buyer accounts in the live Saleor (opened through our register page), removed after."""
    settings.SALEOR_API_URL = saleor_api_url
    emails = [f"throttle-{uuid.uuid4().hex[:8]}@example.cn" for _ in range(2)]
    try:
        for email in emails:
            assert (
                client.post(
                    "/account/register/", {"name": "买家", "email": email, "password": PASSWORD}
                ).status_code
                == 200
            )
            user = staff.gql("query($e: String!) { user(email: $e) { id } }", {"e": email})["user"]
            staff.gql(CONFIRM, {"id": user["id"]})  # what the link Saleor mails would do
        yield emails
    finally:
        for email in emails:
            found = staff.gql("query($e: String!) { user(email: $e) { id } }", {"e": email})["user"]
            if found:
                staff.gql(
                    "mutation($id: ID!) { customerDelete(id: $id) { errors { message } } }",
                    {"id": found["id"]},
                )


def sign_in(page, base, email, password):
    page.goto(f"{base}/en/account/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


def test_fifty_wrong_buyer_passwords_stop_here_and_another_buyer_signs_in(
    browser, live_server, settings, buyers
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    victim, other = buyers
    base = live_server.url
    attacker = browser.new_context(
        locale="en-US", extra_http_headers={"X-Forwarded-For": "203.0.113.66"}
    ).new_page()

    said = []  # what each attempt was told: a wrong password, Saleor's delay, or paused here
    for i in range(50):
        sign_in(attacker, base, victim, f"guess-{i}")
        text = attacker.locator("main").inner_text()
        said.append("paused" if "paused until" in text else "delay" if "wait a moment" in text else "wrong")
    attacker.screenshot(path=str(ARTIFACTS / "throttle-01-attacker-stopped.png"), full_page=True)

    first = said.index("paused")
    assert first <= 20 and set(said[first:]) == {"paused"}, said  # stopped here, for good, by try 21

    buyer = browser.new_context(
        locale="en-US", extra_http_headers={"X-Forwarded-For": "198.51.100.7"}
    ).new_page()
    sign_in(buyer, base, other, PASSWORD)
    buyer.wait_for_url(re.compile(r"/account/$"))
    buyer.screenshot(path=str(ARTIFACTS / "throttle-02-other-buyer-signed-in.png"), full_page=True)
    assert other in buyer.content()
