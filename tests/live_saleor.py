"""Staff-side helpers for live tests: what a person would do in the Saleor Dashboard."""

from __future__ import annotations

import os

import httpx


class StaffSession:
    """A Saleor staff user (admin@example.com by default) talking to the live Saleor."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        email = os.environ.get("SALEOR_STAFF_EMAIL", "admin@example.com")
        password = os.environ.get("SALEOR_STAFF_PASSWORD", "admin")
        self.email, self.password = email, password
        data = self.gql(
            "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { token } }",
            {"e": email, "p": password},
            auth=False,
        )
        self.token = data["tokenCreate"]["token"]

    def gql(self, query: str, variables: dict | None = None, *, auth: bool = True) -> dict:
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

    def first_product(self) -> dict:
        data = self.gql('{ products(first: 1, channel: "default-channel") { edges { node { id name } } } }')
        return data["products"]["edges"][0]["node"]

    def touch_product(self, product_id: str, seo_title: str) -> None:
        self.gql(
            "mutation($id: ID!, $t: String!) { productUpdate(id: $id, input: {seo: {title: $t}})"
            " { errors { message } } }",
            {"id": product_id, "t": seo_title},
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
