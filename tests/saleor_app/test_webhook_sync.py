"""An installation made before a release gets that release's webhooks: created, updated, removed by name."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from saleor_app.client import SaleorClient
from saleor_app.manifest import build_manifest
from saleor_app.webhook_sync import webhooks_sync
from tests.live_saleor import StaffSession
from tests.saleor_app.test_live_saleor import installed_app, staff  # noqa: F401 (live fixtures, shared)

API_URL = "http://127.0.0.1:8000/graphql/"


class SaleorWebhooks:
    """The app's webhooks as Saleor would keep and change them (at the HTTP edge)."""

    def __init__(self, hooks: list[dict]) -> None:
        self.hooks = {f"V2ViaG9vazo{i}": h for i, h in enumerate(hooks)}
        self.calls: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        name, variables = body["operationName"], body.get("variables") or {}
        self.calls.append(name)
        if name == "AppWebhooks":
            hooks = [self._shape(i, h) for i, h in self.hooks.items()]
            return httpx.Response(200, json={"data": {"app": {"id": "QXBwOjE=", "webhooks": hooks}}})
        if name == "AppWebhookCreate":
            new_id = f"V2ViaG9vazo{len(self.hooks) + 100}"
            self.hooks[new_id] = variables["input"]
            return self._ok("webhookCreate", new_id)
        if name == "AppWebhookUpdate":
            self.hooks[variables["id"]] = {**self.hooks[variables["id"]], **variables["input"]}
            return self._ok("webhookUpdate", variables["id"])
        if name == "AppWebhookDelete":
            del self.hooks[variables["id"]]
            return self._ok("webhookDelete", variables["id"])
        raise AssertionError(f"unexpected operation {name}")

    @staticmethod
    def _shape(hook_id: str, hook: dict) -> dict:
        return {
            "id": hook_id,
            "name": hook["name"],
            "isActive": hook.get("isActive", True),
            "targetUrl": hook["targetUrl"],
            "subscriptionQuery": hook["query"],
            "asyncEvents": [{"eventType": e} for e in hook.get("asyncEvents", [])],
            "syncEvents": [{"eventType": e} for e in hook.get("syncEvents", [])],
        }

    @staticmethod
    def _ok(field: str, hook_id: str) -> httpx.Response:
        return httpx.Response(200, json={"data": {field: {"webhook": {"id": hook_id}, "errors": []}}})


def as_installed_long_ago() -> list[dict]:
    """The manifest's webhooks minus the first, the second with an older query, plus one since dropped."""
    hooks = [dict(h) for h in build_manifest()["webhooks"]]
    hooks[1]["query"] = "subscription { event { ... on OrderCreated { order { id } } } }"
    retired = {
        **hooks[2],
        "name": "retired-hook",
        "targetUrl": "http://127.0.0.1:8080/saleor/webhooks/retired",
    }
    return [*hooks[1:], retired]


def test_an_old_installation_gets_the_manifests_webhooks_and_a_second_run_changes_nothing():
    manifest = build_manifest()["webhooks"]
    saleor = SaleorWebhooks(as_installed_long_ago())
    client = SaleorClient(API_URL, "app-token")

    with respx.mock() as mock:
        mock.post(API_URL).mock(side_effect=saleor.handle)
        first = webhooks_sync(client=client)
        saleor.calls.clear()
        second = webhooks_sync(client=client)

    assert (first.created, first.updated, first.removed) == (
        [manifest[0]["name"]],
        [manifest[1]["name"]],
        ["retired-hook"],
    )
    held = {h["name"]: (h["query"], h["targetUrl"]) for h in saleor.hooks.values()}
    assert held == {h["name"]: (h["query"], h["targetUrl"]) for h in manifest}
    assert not second.changed and saleor.calls == ["AppWebhooks"]
    assert second.summary() == "webhooks match the manifest"


def test_a_dry_run_reports_the_drift_and_changes_nothing():
    stale = as_installed_long_ago()
    saleor = SaleorWebhooks(stale)

    with respx.mock() as mock:
        mock.post(API_URL).mock(side_effect=saleor.handle)
        drift = webhooks_sync(client=SaleorClient(API_URL, "app-token"), dry_run=True)

    assert drift.changed and saleor.calls == ["AppWebhooks"]
    assert list(saleor.hooks.values()) == stale
    assert "created" in drift.summary() and "retired-hook" in drift.summary()


@pytest.mark.saleor_live
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("installed_app")
def test_live_reinstalling_restores_a_deleted_and_an_edited_webhook(saleor_api_url, settings):
    from saleor_app.installer import app_install
    from saleor_app.selectors import installation_get

    session = StaffSession(saleor_api_url)
    app = session.app_by_identifier(settings.SALEOR_APP_IDENTIFIER)
    hooks = session.gql("query($id: ID!) { app(id: $id) { webhooks { id name } } }", {"id": app["id"]})[
        "app"
    ]["webhooks"]
    by_name = {h["name"]: h["id"] for h in hooks}
    # as if installed by an older release: one webhook missing, one with an older subscription query
    session.gql(
        "mutation($id: ID!) { webhookDelete(id: $id) { errors { message } } }",
        {"id": by_name["product-changes"]},
    )
    session.gql(
        "mutation($id: ID!, $q: String) {"
        " webhookUpdate(id: $id, input: {query: $q}) { errors { message } } }",
        {
            "id": by_name["order-changes"],
            "q": "subscription { event { ... on OrderCreated { order { id } } } }",
        },
    )

    again = app_install(api_url=saleor_api_url, email=session.email, password=session.password)

    assert again.already_installed
    assert (again.webhooks.created, again.webhooks.updated) == (["product-changes"], ["order-changes"])
    token = installation_get(api_url=saleor_api_url).token
    assert not webhooks_sync(client=SaleorClient(saleor_api_url, token), dry_run=True).changed
