"""Shipping webhook benchmark: the answer path of SHIPPING_LIST_METHODS_FOR_CHECKOUT, end to end in-process.

Each request is a Saleor-signed delivery (RS256 detached JWS, verified against the installation's stored
JWKS, recipient and freshness checked) posted through Django's test client to /shipping/saleor/...; the
answer prices one parcel per unit from PostgreSQL (rates in force) and records the quote. Carts of three
units with two lines each; every request a new checkout (a quote row written each time).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wc_bench_shipping .venv/bin/python bench/shipping.py \
        [--requests 500]

Target: p95 under 100 ms (Saleor waits for this answer while the buyer waits for the checkout page).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
APP_ID = "QXBwOjE="
API_URL = "http://127.0.0.1:8000/graphql/"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenchuang.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from saleor_app import secrets_at_rest
    from saleor_app.models import SaleorInstallation
    from shipping.models import ShippingRates
    from tests.saleor_signing import SaleorSigner
    from unit_onboarding.models import Unit

    call_command("migrate", verbosity=0)
    signer = SaleorSigner.generate()
    SaleorInstallation.objects.update_or_create(
        api_url=API_URL,
        defaults={
            "token_encrypted": secrets_at_rest.encrypt("b" * 30),
            "jwks": signer.jwks(),
            "app_id": APP_ID,
        },
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-shipping")
    units = []
    for n, name in enumerate(("三峡博物馆", "重庆图书馆", "红岩纪念馆")):
        unit, created = Unit.objects.get_or_create(
            credit_code=f"BENCHSHIP{n:09d}", defaults={"display_name": name, "status": "active"}
        )
        if created:
            ShippingRates.objects.create(
                unit=unit,
                effective_from=datetime(2020, 1, 1, tzinfo=UTC),
                default_rate=1000 + n * 200,
                province_rates={"新疆维吾尔自治区": 2500, "西藏自治区": 3000},
                free_over=20000,
                per_item=200,
                pickup=n == 1,
                created_by=user,
            )
        units.append(unit)

    def body(i: int) -> bytes:
        lines = [
            {
                "id": f"line-{i}-{u.pk}-{k}",
                "quantity": 1 + k,
                "requiresShipping": True,
                "undiscountedTotalPrice": {"currency": "CNY", "fractionalAmount": 3000 + 1000 * k},
                "variant": {"id": f"v{k}", "product": {"id": f"p{k}", "name": "书签", "unitId": str(u.pk)}},
            }
            for u in units
            for k in range(2)
        ]
        payload = {
            "issuedAt": datetime.now(UTC).isoformat(),
            "version": "3.24.0-a.0",
            "recipient": {"id": APP_ID},
            "checkout": {
                "id": f"bench-checkout-{time.time_ns()}-{i}",
                "channel": {"slug": "wenchuang-cny", "currencyCode": "CNY"},
                "shippingAddress": {"countryArea": "重庆市", "country": {"code": "CN"}},
                "lines": lines,
            },
        }
        return json.dumps(payload, ensure_ascii=False).encode()

    client = Client(HTTP_HOST="127.0.0.1")
    url = "/shipping/saleor/shipping-list-methods-for-checkout"
    times = []
    for i in range(args.requests + 20):
        data = body(i)
        headers = {
            "Saleor-Event": "shipping_list_methods_for_checkout",
            "Saleor-Api-Url": API_URL,
            "Saleor-Signature": signer.sign(data),  # signing is Saleor's work: outside the timing
        }
        started = time.perf_counter()
        response = client.post(url, data=data, content_type="application/json", headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and len(response.json()) == 2, response.content
        if i >= 20:  # warm-up: JWKS parsed, connections and caches ready
            times.append(elapsed * 1000)
    times.sort()
    print(f"requests {len(times)}  answer e.g. {response.json()[0]['name']} = {response.json()[0]['amount']}")
    print(
        f"p50 {statistics.median(times):.1f} ms  p95 {times[int(len(times) * 0.95) - 1]:.1f} ms  "
        f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms  max {times[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
