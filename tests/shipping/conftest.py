"""Units with shipping rates, and signed shipping webhook deliveries as Saleor sends them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
import respx

from shipping.models import ShippingRates
from tests.factories import APP_ID, SaleorInstallationFactory
from tests.orders.conftest import deliver, unit_with_agreement  # noqa: F401 (deliver is a fixture)
from tests.unit_onboarding.factories import UserFactory

NOW = datetime(2026, 12, 10, 4, tzinfo=UTC)
API_URL = "http://127.0.0.1:8000/graphql/"


def rates(unit, *, effective_from=NOW, based_on=None, **terms) -> ShippingRates:
    defaults = {"default_rate": 1000, "province_rates": {}, "free_over": None, "per_item": 0, "pickup": False}
    return ShippingRates.objects.create(
        unit=unit,
        effective_from=effective_from,
        based_on=based_on,
        created_by=UserFactory(),
        **{**defaults, **terms},
    )


def museum_and_library():
    museum, library = unit_with_agreement(1), unit_with_agreement(2)
    museum.display_name, library.display_name = "三峡博物馆", "重庆图书馆"
    museum.save(update_fields=["display_name"])
    library.save(update_fields=["display_name"])
    return museum, library


def cart_line(unit, *, goods: int, quantity: int = 1, n: int = 1, currency: str = "CNY") -> dict:
    return {
        "id": f"Q2hlY2tvdXRMaW5lOj{unit.pk}{n}",
        "quantity": quantity,
        "requiresShipping": True,
        "undiscountedTotalPrice": {"currency": currency, "fractionalAmount": goods},
        "variant": {
            "id": f"UHJvZHVjdFZhcmlhbnQ6{unit.pk}{n}",
            "product": {"id": f"UHJvZHVjdDo{unit.pk}{n}", "name": f"商品{n}", "unitId": str(unit.pk)},
        },
    }


def checkout_payload(
    lines: list[dict],
    *,
    province: str = "重庆市",
    checkout_id: str = "Q2hlY2tvdXQ6MQ==",
    currency: str = "CNY",
    issued_at: datetime | None = None,
    methods: list[dict] | None = None,
) -> dict:
    payload = {
        "issuedAt": (issued_at or NOW).isoformat(),
        "version": "3.24.0-a.0",
        "recipient": {"id": APP_ID},
        "checkout": {
            "id": checkout_id,
            "channel": {"slug": "wenchuang-cny", "currencyCode": currency},
            "shippingAddress": {"countryArea": province, "country": {"code": "CN"}},
            "lines": lines,
        },
    }
    if methods is not None:
        payload["shippingMethods"] = methods
    return payload


def signed_post(
    client, signer, name: str, payload: dict, *, event: str | None = None, body: bytes | None = None
):
    body = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
    return client.post(
        f"/shipping/saleor/{name}",
        data=body,
        content_type="application/json",
        headers={
            "Saleor-Event": event or name.replace("-", "_"),
            "Saleor-Api-Url": API_URL,
            "Saleor-Domain": "127.0.0.1:8000",
            "Saleor-Signature": signer.sign(body),
        },
    )


@pytest.fixture
def saleor_keys(signer):
    """The installation and its JWKS (served at Saleor's HTTP edge); nothing else of Saleor is reachable."""
    installation = SaleorInstallationFactory()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(installation.jwks_url).mock(return_value=httpx.Response(200, json=signer.jwks()))
        yield installation
