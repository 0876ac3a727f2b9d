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
    url_name: str = "saleor_app:webhook"  # view that receives it, reversed with args=[name]

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
        async_events=(
            "PRODUCT_CREATED",
            "PRODUCT_UPDATED",
            "PRODUCT_DELETED",
            "PRODUCT_VARIANT_CREATED",
            "PRODUCT_VARIANT_UPDATED",
            "PRODUCT_VARIANT_DELETED",
            "PRODUCT_VARIANT_OUT_OF_STOCK",
            # Not PRODUCT_VARIANT_STOCK_UPDATED: it fires on every sale; the cart reads live stock.
            "PRODUCT_VARIANT_BACK_IN_STOCK",
        ),
        subscription="product_changes",
    ),
    WebhookSpec(
        name="attribute-changes",
        async_events=(
            "ATTRIBUTE_UPDATED",
            "ATTRIBUTE_DELETED",
            "ATTRIBUTE_VALUE_UPDATED",
            "ATTRIBUTE_VALUE_DELETED",
            "TRANSLATION_CREATED",  # of any object: the handler keeps those of attributes and values
            "TRANSLATION_UPDATED",
        ),
        subscription="attribute_changes",
    ),
    WebhookSpec(
        name="order-changes",
        async_events=(
            "ORDER_CREATED",
            "ORDER_UPDATED",
            "ORDER_FULLY_PAID",
            "ORDER_CANCELLED",
            "ORDER_REFUNDED",
            "ORDER_FULLY_REFUNDED",
            "FULFILLMENT_CREATED",
        ),
        subscription="order_changes",
    ),
)

ASYNC_WEBHOOKS_BY_NAME = {spec.name: spec for spec in ASYNC_WEBHOOKS}


def _sync_webhooks(url_name: str, *named_events: tuple[str, str]) -> tuple[WebhookSpec, ...]:
    """One sync webhook a (name, event), received by `url_name`, its subscription file named after it."""
    return tuple(
        WebhookSpec(name=name, sync_events=(event,), subscription=name.replace("-", "_"), url_name=url_name)
        for name, event in named_events
    )


# Sync webhooks are answered in the request itself (Saleor waits for the JSON), so they bypass the inbox.
SYNC_WEBHOOKS: tuple[WebhookSpec, ...] = _sync_webhooks(
    "payments_gateway:saleor-webhook",
    ("payment-gateway-initialize-session", "PAYMENT_GATEWAY_INITIALIZE_SESSION"),
    ("transaction-initialize-session", "TRANSACTION_INITIALIZE_SESSION"),
    ("transaction-process-session", "TRANSACTION_PROCESS_SESSION"),
    ("transaction-charge-requested", "TRANSACTION_CHARGE_REQUESTED"),
    ("transaction-refund-requested", "TRANSACTION_REFUND_REQUESTED"),
    ("transaction-cancelation-requested", "TRANSACTION_CANCELATION_REQUESTED"),
)

SYNC_WEBHOOKS_BY_NAME = {spec.name: spec for spec in SYNC_WEBHOOKS}

# Shipping sync webhooks: this service prices one parcel per unit (shipping/), answered in the request too.
SHIPPING_WEBHOOKS: tuple[WebhookSpec, ...] = _sync_webhooks(
    "shipping:saleor-webhook",
    ("shipping-list-methods-for-checkout", "SHIPPING_LIST_METHODS_FOR_CHECKOUT"),
    ("checkout-filter-shipping-methods", "CHECKOUT_FILTER_SHIPPING_METHODS"),
)

SHIPPING_WEBHOOKS_BY_NAME = {spec.name: spec for spec in SHIPPING_WEBHOOKS}
