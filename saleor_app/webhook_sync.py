"""Keep an installed app's webhooks equal to the manifest's.

Saleor copies the manifest's webhooks once, at installation; a release that adds a webhook or changes a
subscription query would otherwise never reach installations made before it. The app's own token may
create, update and delete its webhooks (AUTHENTICATED_APP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from saleor_app.client import SaleorClient
from saleor_app.manifest import build_manifest


@dataclass
class WebhookSync:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def summary(self) -> str:
        if not self.changed:
            return "webhooks match the manifest"
        parts = [f"{verb} {', '.join(names)}" for verb, names in self._parts() if names]
        return "webhooks " + "; ".join(parts)

    def _parts(self):
        return (("created", self.created), ("updated", self.updated), ("removed", self.removed))


def _wanted(hook: dict[str, Any]) -> dict[str, Any]:
    """The manifest's webhook as WebhookCreateInput/WebhookUpdateInput (both event lists explicit)."""
    return {
        "name": hook["name"],
        "targetUrl": hook["targetUrl"],
        "query": hook["query"],
        "isActive": hook.get("isActive", True),
        "asyncEvents": sorted(hook.get("asyncEvents", [])),
        "syncEvents": sorted(hook.get("syncEvents", [])),
    }


def _held(hook: dict[str, Any]) -> dict[str, Any]:
    """A webhook as Saleor keeps it, in the same shape as `_wanted`."""
    return {
        "name": hook["name"],
        "targetUrl": hook["targetUrl"],
        "query": hook.get("subscriptionQuery") or "",
        "isActive": hook["isActive"],
        "asyncEvents": sorted(e["eventType"] for e in hook["asyncEvents"]),
        "syncEvents": sorted(e["eventType"] for e in hook["syncEvents"]),
    }


def webhooks_sync(*, client: SaleorClient, dry_run: bool = False) -> WebhookSync:
    """Create, update and remove the app's webhooks until they equal the manifest's (by name)."""
    wanted = {hook["name"]: _wanted(hook) for hook in build_manifest()["webhooks"]}
    held = {hook["name"]: hook for hook in client.execute("AppWebhooks")["app"]["webhooks"]}
    result = WebhookSync()
    for name, want in wanted.items():
        have = held.pop(name, None)
        if have is None:
            result.created.append(name)
            if not dry_run:
                client.mutate("AppWebhookCreate", {"input": want}, "webhookCreate")
        elif _held(have) != want:
            result.updated.append(name)
            if not dry_run:
                client.mutate("AppWebhookUpdate", {"id": have["id"], "input": want}, "webhookUpdate")
    for name, have in held.items():
        result.removed.append(name)
        if not dry_run:
            client.mutate("AppWebhookDelete", {"id": have["id"]}, "webhookDelete")
    return result
