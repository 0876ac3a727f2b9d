"""The manifest Saleor reads at installation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import resolve

from tests.conftest import shared_saleor_file


def enum_values(name: str) -> set[str]:
    block = re.search(
        rf"enum {name}[^{{]*\{{(.*?)\n}}", Path(shared_saleor_file("schema.graphql")).read_text(), re.S
    ).group(1)
    return set(re.findall(r"^  ([A-Z_]+)\b", block, re.M))


def test_manifest_has_the_fields_saleor_requires(client, settings):
    settings.APP_PUBLIC_URL = "https://wenchuang.example"

    manifest = client.get("/saleor/manifest").json()

    assert manifest["id"] == settings.SALEOR_APP_IDENTIFIER
    assert manifest["name"] and manifest["version"]
    assert manifest["appUrl"] == "https://wenchuang.example/"
    assert manifest["tokenTargetUrl"] == "https://wenchuang.example/saleor/register"
    assert manifest["webhooks"]
    for webhook in manifest["webhooks"]:
        assert webhook["targetUrl"].startswith("https://wenchuang.example/")
        resolve(webhook["targetUrl"].removeprefix("https://wenchuang.example"))  # a route of ours
        assert "issuedAt" in webhook["query"]
        assert webhook.get("asyncEvents") or webhook.get("syncEvents")


@pytest.mark.saleor_schema
def test_permissions_and_events_are_names_saleor_knows(client):
    manifest = client.get("/saleor/manifest").json()

    assert set(manifest["permissions"]) <= enum_values("PermissionEnum") - {"MANAGE_APPS"}
    for webhook in manifest["webhooks"]:
        assert set(webhook.get("asyncEvents", [])) <= enum_values("WebhookEventTypeAsyncEnum")
        assert set(webhook.get("syncEvents", [])) <= enum_values("WebhookEventTypeSyncEnum")


def test_manifest_answers_only_get(client):
    assert client.post("/saleor/manifest").status_code == 405
