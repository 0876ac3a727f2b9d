"""The webhooks this app asks Saleor for: events, subscription query and the endpoint that receives them."""

from __future__ import annotations

from dataclasses import dataclass

from saleor_app.operations import subscription


@dataclass(frozen=True)
class WebhookSpec:
    name: str  # also the last segment of the target URL
    async_events: tuple[str, ...] = ()
    sync_events: tuple[str, ...] = ()
    subscription: str = ""  # file stem in graphql/subscriptions/

    @property
    def event_types(self) -> frozenset[str]:
        """Saleor-Event header values (lower-case) this endpoint accepts."""
        return frozenset(e.lower() for e in (*self.async_events, *self.sync_events))

    @property
    def query(self) -> str:
        return subscription(self.subscription)


ASYNC_WEBHOOKS: tuple[WebhookSpec, ...] = (
    WebhookSpec(
        name="product-changes",
        async_events=("PRODUCT_CREATED", "PRODUCT_UPDATED", "PRODUCT_DELETED", "PRODUCT_VARIANT_UPDATED"),
        subscription="product_changes",
    ),
)

ASYNC_WEBHOOKS_BY_NAME = {spec.name: spec for spec in ASYNC_WEBHOOKS}
