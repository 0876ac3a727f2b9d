"""Staff-side helpers for live tests: what a person would do in the Saleor Dashboard."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
import jwt
import pytest

T = TypeVar("T")
# Saleor's worker delivers webhooks and runs payment actions for every app installed in that Saleor, one
# task at a time: another app's slow deliveries delay ours. Waits are generous and say what they waited for.
WAIT_SECONDS = 180.0


def wait_until(what: str, probe: Callable[[], T], *, timeout: float = WAIT_SECONDS, every: float = 0.5) -> T:
    """Poll probe() until it returns something truthy, and return that; fail naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


TOKEN_CREATE = (
    "mutation($e: String!, $p: String!)"
    " { tokenCreate(email: $e, password: $p) { token errors { code message } } }"
)
# Saleor blocks an address for a second before every sign-in attempt from it (account/throttling.py), so a
# second staff or buyer login from 127.0.0.1 in that second (another test, another app, another session on
# this machine) is refused with LOGIN_ATTEMPT_DELAYED although the password is right: wait and try again.
LOGIN_RETRY_SECONDS = 30.0


def staff_token(api_url: str, email: str, password: str, *, retry_for: float = LOGIN_RETRY_SECONDS) -> str:
    """A staff access token from Saleor's tokenCreate; fails the test with Saleor's reason when refused."""
    deadline = time.monotonic() + retry_for
    while True:
        response = httpx.post(
            api_url, json={"query": TOKEN_CREATE, "variables": {"e": email, "p": password}}, timeout=60
        )
        document = response.json()
        assert not document.get("errors"), document["errors"]
        result = document["data"]["tokenCreate"]
        if result["token"]:
            return result["token"]
        codes = {error["code"] for error in result["errors"]}
        if codes != {"LOGIN_ATTEMPT_DELAYED"} or time.monotonic() > deadline:
            pytest.fail(f"Saleor refused the staff login of {email}: {result['errors']}")
        time.sleep(1.0)


class StaffSession:
    """A Saleor staff user (admin@example.com by default) talking to the live Saleor."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        email = os.environ.get("SALEOR_STAFF_EMAIL", "admin@example.com")
        password = os.environ.get("SALEOR_STAFF_PASSWORD", "admin")
        self.email, self.password = email, password
        self.token, self.expires = "", 0.0
        self._log_in()

    def _log_in(self) -> None:
        self.token = staff_token(self.api_url, self.email, self.password)
        # Saleor's access tokens live minutes; a session outliving one (a module's fixtures) logs in again.
        self.expires = jwt.decode(self.token, options={"verify_signature": False}).get("exp", 0)

    def gql(self, query: str, variables: dict | None = None, *, auth: bool = True) -> dict:
        if auth and time.time() > self.expires - 30:
            self._log_in()
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        response = httpx.post(
            self.api_url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=60
        )
        document = response.json()
        assert not document.get("errors"), document["errors"]
        return document["data"]

    def app_by_identifier(self, identifier: str) -> dict | None:
        data = self.gql(
            "{ apps(first: 100) { edges { node { id identifier isActive permissions { code }"
            " webhooks { name targetUrl isActive asyncEvents { eventType } } } } } }"
        )
        return next((e["node"] for e in data["apps"]["edges"] if e["node"]["identifier"] == identifier), None)

    def delete_app(self, app_id: str) -> None:
        self.gql("mutation($id: ID!) { appDelete(id: $id) { errors { message } } }", {"id": app_id})

    def touch_product(self, product_id: str, seo_title: str) -> None:
        self.gql(
            "mutation($id: ID!, $t: String!) { productUpdate(id: $id, input: {seo: {title: $t}})"
            " { errors { message } } }",
            {"id": product_id, "t": seo_title},
        )

    def order_charged(self, order_id: str) -> dict:
        """Wait until Saleor has settled the order's charge (payment actions run in its worker)."""
        query = "query($id: ID!) { order(id: $id) { chargeStatus totalCharged { amount } } }"
        return wait_until(
            f"order {order_id} to be fully charged (chargeStatus FULL)",
            lambda: (order := self.gql(query, {"id": order_id})["order"])["chargeStatus"] == "FULL" and order,
        )


def gql(api_url: str, token: str, query: str, **variables) -> dict:
    """One staff GraphQL call; GraphQL errors fail the test."""
    response = httpx.post(
        api_url,
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    document = response.json()
    assert not document.get("errors"), document
    return document["data"]
