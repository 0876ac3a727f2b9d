"""Storefront benchmark: a unit's shop page and a product page, warm and cold, next to the raw Saleor query.

Runs this service under gunicorn on 127.0.0.1 against the live Saleor (SALEOR_API_URL, default
http://127.0.0.1:8000/graphql/). Puts one unit's metadata on up to 24 demo products (staff
updateMetadata; removed at the end) so the shop lists 24 products, then in the same run measures:
  raw     the same named GraphQL operation and variables the page sends, straight to Saleor
  warm    the page with its catalog data in the Redis cache
  cold    the page right after a product change invalidated the cache (query + render)

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/storefront.py

Targets on 2 cores: warm p50 <= 15 ms, p95 <= 40 ms, >= 8x faster than raw; cold <= 1.2x raw.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import time

import httpx
from _common import django_migrated, free_port, gunicorn_start

API_URL = os.environ.get("SALEOR_API_URL", "http://127.0.0.1:8000/graphql/")
CACHE_PREFIX = f"bench-storefront-{os.getpid()}"


def setup_django() -> None:
    os.environ.update({"SALEOR_API_URL": API_URL, "CACHE_KEY_PREFIX": CACHE_PREFIX, "DEBUG": "false"})
    django_migrated()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, percentile(values, 0.95) * 1000


def time_page(port: int, path: str, n: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
    return latencies


def time_raw(name: str, variables: dict, n: int) -> list[float]:
    from saleor_app.operations import operation

    body = {"query": operation(name), "operationName": name, "variables": variables}
    latencies = []
    with httpx.Client(timeout=30) as http:
        for _ in range(n):
            started = time.perf_counter()
            response = http.post(API_URL, json=body)
            response.json()
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200 and "errors" not in response.json()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=300)
    parser.add_argument("--raw", type=int, default=60, help="raw and cold samples (interleaved)")
    parser.add_argument("--cold", type=int, default=60)
    args = parser.parse_args()
    setup_django()

    from storefront.catalog_cache import catalog_invalidate
    from storefront.selectors import ProductQuery
    from tests.live_saleor import StaffSession
    from tests.storefront.live_catalog import clear_metadata, set_metadata
    from unit_onboarding.models import Unit

    staff = StaffSession(API_URL)
    products = staff.gql('{ products(first: 24, channel: "default-channel") { edges { node { id slug } } } }')
    products = [e["node"] for e in products["products"]["edges"]]
    unit = Unit.objects.create(
        status=Unit.Status.ACTIVE, display_name="基准博物馆", legal_name_en="Bench Museum"
    )
    port = free_port()
    server = None
    try:
        for product in products:
            set_metadata(
                staff,
                product["id"],
                [
                    {"key": "wenchuang.unit_id", "value": str(unit.pk)},
                    {"key": "wenchuang.unit_name_zh", "value": "基准博物馆"},
                    {
                        "key": "wenchuang.provenance",
                        "value": json.dumps({"designer": "王", "story_zh": "故事"}),
                    },
                ],
            )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wenchuang.settings", "LOG_LEVEL": "WARNING"}
        server = gunicorn_start(port, env, workers=2, threads=4)
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)

        slug = products[0]["slug"]
        pages = {
            "unit shop": (
                f"/units/{unit.pk}/",
                "StorefrontProducts",
                ProductQuery(unit_id=str(unit.pk)).variables(),
            ),
            "product": (
                f"/products/{slug}/",
                "StorefrontProduct",
                {"slug": slug, "channel": "default-channel"},
            ),
        }
        print(f"Saleor at {API_URL}; unit shop lists {len(products)} products; gunicorn 2x4 on :{port}\n")
        print(f"{'page':<10} {'kind':<6} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
        results = {}
        for label, (path, name, variables) in pages.items():
            time_page(port, path, 20)  # warm both workers and the cache
            warm = time_page(port, path, args.warm)
            raw, cold = [], []
            # Raw and cold interleaved: the machine is shared, so both see the same load.
            for _ in range(max(args.raw, args.cold)):
                raw += time_raw(name, variables, 1)
                catalog_invalidate(product_id=products[0]["id"], slug=slug)
                cold += time_page(port, path, 1)
            for kind, values in (("raw", raw), ("warm", warm), ("cold", cold)):
                results[(label, kind)] = summary(values)
                p50, p95 = results[(label, kind)]
                print(f"{label:<10} {kind:<6} {len(values):>4} {p50:>8.1f} {p95:>8.1f}")
        print()
        for label in pages:
            raw50 = results[(label, "raw")][0]
            warm50, warm95 = results[(label, "warm")]
            cold50 = results[(label, "cold")][0]
            print(
                f"{label}: warm p50 {warm50:.1f} ms (target <= 15), p95 {warm95:.1f} ms (<= 40); "
                f"raw/warm {raw50 / warm50:.1f}x (>= 8); cold/raw {cold50 / raw50:.2f} (<= 1.2)"
            )
    finally:
        if server:
            server.terminate()
            server.wait(10)
        for product in products:
            clear_metadata(staff, product["id"])
        unit.delete()


if __name__ == "__main__":
    main()
