"""Catalog push benchmark against the live Saleor (prints figures; not a test).

Lists --products approved listings (2 variants, 2 small generated images each) and pushes them through
the bulk path (catalog.saleor_sync.listings_sync_bulk: productBulkCreate in chunks, bulk translations,
media in parallel), then --one-by-one more through the one-by-one path (listing_sync) in the same run;
prints seconds and products/s of each and their ratio. Target for the bulk path: 1,000 products live in
<= 120 s (goal 60 s).

Everything lands in a CNY channel and a warehouse of the bench's own in the Saleor at SALEOR_API_URL
(staff login SALEOR_STAFF_EMAIL / SALEOR_STAFF_PASSWORD, default admin@example.com / admin), pushed with
the token of a Saleor app of its own, as the service pushes; products, warehouse, channel and that app are
deleted at the end (the shared taxonomy, categories and product types, stays).
Runs in its own database (wc_catalog_bench on the server of DATABASE_URL), dropped at the end.

    SALEOR_API_URL=http://127.0.0.1:8000/graphql/ .venv/bin/python bench/catalog_sync.py \
        [--products 1000] [--one-by-one 50] [--chunk 50] [--media-workers 4] [--keep]

With --csv N instead: the operator's path, a CSV of N products (--csv-bad of them with a bad row) imported
by a trusted unit (submitted and put on sale), run as the worker runs it, then the bulk push the import asks
for; prints created/refused, whether the refused rows are exactly the bad ones, and seconds to live.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _common import bench_database, own_cache_and_queues

DB_NAME = "wc_catalog_bench"
APP_PERMISSIONS = ["MANAGE_PRODUCTS", "MANAGE_PRODUCT_TYPES_AND_ATTRIBUTES", "MANAGE_TRANSLATIONS"]


def _picture(seed: int) -> bytes:
    """A small distinct JPEG (320 x 240): two colour fields split at a place given by the seed."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    ImageDraw.Draw(image).rectangle((0, 0, 40 + seed % 240, 240), fill=((seed * 17) % 256, 120, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _listings(unit, count: int, tag: str, offset: int) -> list[int]:
    """`count` approved listings on sale, 2 variants and 2 processed images each; their ids."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog import listings, services

    operator = get_user_model().objects.get_or_create(username=f"bench-operator-{tag}")[0]
    ids = []
    for i in range(offset, offset + count):
        listing = listings.listing_create(
            unit=unit,
            data={
                "name_zh": f"基准商品{i}",
                "name_en": f"Bench product {i}",
                "description_zh": "生成的基准商品。",
                "description_en": "A generated bench product.",
                "category": "wenchuang-stationery",
                "product_type": "wenchuang-goods",
                "seo_title": f"基准商品{i}",
                "seo_description": "基准",
                "attributes": {"wenchuang-material": "bronze"},
            },
            variants=[
                {
                    "sku": f"BENCH-{tag}-{i}-{s}",
                    "name_zh": f"款{s}",
                    "name_en": f"Style {s}",
                    "price_fen": 9900 + 100 * k,
                    "stock": 20,
                    "weight_g": 200,
                }
                for k, s in enumerate(("A", "B"))
            ],
            actor=operator,
        )
        for k in range(2):
            upload = SimpleUploadedFile(
                f"{uuid.uuid4().hex}.jpg", _picture(i * 2 + k), content_type="image/jpeg"
            )
            asset = services.image_asset_create(owner_key=f"unit:{unit.pk}", upload=upload)
            services.image_asset_process(asset_id=asset.pk)
            listings.listing_image_add(listing=listing, asset=asset, actor=operator)
        listings.listing_submit(listing=listing, actor=operator)
        listings.listing_review(listing=listing, approve=True, reviewer=operator)
        listings.listing_publish(listing=listing, on_sale=True, actor=operator)
        ids.append(listing.pk)
    return ids


def _timed_phases() -> dict[str, float]:
    """Seconds spent in each phase of the bulk path (wraps its steps; the bench's own diagnostics)."""
    from catalog.saleor_sync import bulk_push

    seconds: dict[str, float] = {}
    for name in ("_existing_products", "_create", "_translate", "_upload_media", "_finish", "_update"):
        step = getattr(bulk_push._BulkPush, name)

        def timed(self, *a, _step=step, _name=name, **kw):
            started = time.perf_counter()
            try:
                return _step(self, *a, **kw)
            finally:
                seconds[_name] = seconds.get(_name, 0.0) + time.perf_counter() - started

        setattr(bulk_push._BulkPush, name, timed)
    return seconds


def _csv(rows: int, bad: int, tag: str) -> tuple[bytes, set[int]]:
    """A CSV of `rows` one-variant products, `bad` of them spread through the file with an unknown
    category; the bad rows' line numbers."""
    lines = [
        "handle,name_zh,name_en,category,product_type,sku,price_cny,stock,weight_g,attr_wenchuang-material"
    ]
    every = max(1, rows // max(1, bad))
    bad_lines = set()
    for i in range(rows):
        category = "wenchuang-stationery"
        if len(bad_lines) < bad and i % every == every // 2:
            category = "wenchuang-nowhere"
            bad_lines.add(i + 2)
        lines.append(
            f"p{i},导入商品{i},Imported product {i},{category},wenchuang-goods,"
            f"CSV-{tag}-{i},{88 + i % 50}.00,20,150,paper"
        )
    return ("\n".join(lines) + "\n").encode(), bad_lines


def _csv_import(unit, args: argparse.Namespace, tag: str, staff, channel_slug: str) -> None:
    """The operator's path: a CSV with bad rows imported by a trusted unit (submit, on sale), run as the
    worker runs it, then the bulk push its import asks for; counts what Saleor shows in the channel."""
    from django.contrib.auth import get_user_model

    from catalog import imports, listings
    from catalog.models import Listing
    from catalog.saleor_sync import listings_sync_bulk

    operator = get_user_model().objects.get_or_create(username=f"bench-operator-{tag}")[0]
    listings.unit_review_exempt_set(unit=unit, exempt=True)
    data, bad_lines = _csv(args.csv, args.csv_bad, tag)
    started = time.perf_counter()
    job = imports.listings_import_request(
        unit=unit, data=data, filename="bench.csv", submit=True, on_sale=True, actor=operator
    )
    print(imports.listings_import_run(import_id=job.pk))  # the worker's run (this process is the worker)
    imported = time.perf_counter() - started
    job.refresh_from_db()
    ids = list(Listing.objects.filter(unit=unit, on_sale=True).values_list("pk", flat=True))
    pushed_at = time.perf_counter()
    outcomes = listings_sync_bulk(listing_ids=ids, chunk_size=args.chunk, media_workers=args.media_workers)
    pushed = time.perf_counter() - pushed_at
    live = staff.gql(
        "query($c: String!) { products(first: 1, channel: $c) { totalCount } }", {"c": channel_slug}
    )["products"]["totalCount"]
    refused_rows = sorted(e["row"] for e in job.errors)
    print(
        f"CSV of {args.csv} rows ({args.csv_bad} bad): {job.created} created, {len(job.errors)} refused"
        f" in {imported:.1f} s; refused rows = the bad ones: {set(refused_rows) == bad_lines}"
    )
    print(
        f"  e.g. row {job.errors[0]['row']}, {job.errors[0]['column']}: {job.errors[0]['message']}"
        if job.errors
        else ""
    )
    done = sum(1 for o in outcomes.values() if o == Listing.Sync.DONE)
    print(f"bulk push: {done}/{len(ids)} in {pushed:.1f} s; Saleor shows {live} products in the channel")
    print(f"CSV file to live in Saleor: {imported + pushed:.1f} s (target for 1,000 products <= 120 s)")


def run(args: argparse.Namespace, staff, api_url: str) -> None:
    from django.conf import settings

    from catalog.models import Listing
    from catalog.saleor_sync import listing_sync, listings_sync_bulk
    from saleor_app import secrets_at_rest
    from saleor_app.models import SaleorInstallation
    from tests.live_shop import channel_create, channel_delete, warehouse_create
    from unit_onboarding.models import Unit

    tag = uuid.uuid4().hex[:6].upper()
    warehouse_id = warehouse_create(staff)
    channel = channel_create(staff, warehouse_ids=[warehouse_id])
    settings.SALEOR_CHANNEL_SLUG = channel["slug"]
    settings.SALEOR_API_URL = api_url
    # An app of the bench's own, as the service pushes with an app token (a staff token lives minutes).
    app = staff.gql(
        "mutation($i: AppInput!) { appCreate(input: $i) { authToken app { id } errors { message } } }",
        {"i": {"name": f"Wenchuang bench {tag}", "permissions": APP_PERMISSIONS}},
    )["appCreate"]
    SaleorInstallation.objects.create(
        api_url=api_url, token_encrypted=secrets_at_rest.encrypt(app["authToken"])
    )
    unit = Unit.objects.create(
        legal_name_zh="基准博物馆",
        legal_name_en="Bench Museum",
        display_name="基准博物馆",
        status=Unit.Status.ACTIVE,
        credit_code=f"BENCH{tag}0000000",
        saleor_warehouse_id=warehouse_id,
        provisioning=Unit.Provisioning.DONE,
    )
    try:
        if args.csv:
            _csv_import(unit, args, tag, staff, channel["slug"])
            return
        started = time.perf_counter()
        bulk_ids = _listings(unit, args.products, tag, 0)
        single_ids = _listings(unit, args.one_by_one, tag, args.products)
        print(
            f"listed {len(bulk_ids) + len(single_ids)} approved listings"
            f" (2 variants, 2 images each) in {time.perf_counter() - started:.1f} s"
        )

        phases = _timed_phases()
        started = time.perf_counter()
        outcomes = listings_sync_bulk(
            listing_ids=bulk_ids, chunk_size=args.chunk, media_workers=args.media_workers
        )
        bulk_seconds = time.perf_counter() - started
        done = sum(1 for o in outcomes.values() if o == Listing.Sync.DONE)
        failed = Listing.objects.filter(pk__in=bulk_ids).exclude(sync_status=Listing.Sync.DONE)
        for listing in failed[:3]:
            print(f"  not pushed: listing {listing.pk}: {listing.sync_error}")

        started = time.perf_counter()
        single_done = sum(1 for pk in single_ids if listing_sync(listing_id=pk) == Listing.Sync.DONE)
        single_seconds = time.perf_counter() - started

        bulk_rate = done / bulk_seconds
        single_rate = single_done / single_seconds
        print(
            f"bulk path:       {done}/{len(bulk_ids)} products live in {bulk_seconds:.1f} s"
            f" = {bulk_rate:.1f} products/s"
            f" (chunks of {args.chunk}, {args.media_workers} products uploading images at once)"
        )
        print(
            f"one-by-one path: {single_done}/{len(single_ids)} products live in {single_seconds:.1f} s"
            f" = {single_rate:.2f} products/s"
        )
        print("  bulk phases: " + ", ".join(f"{k.strip('_')} {v:.1f} s" for k, v in phases.items()))
        print(f"ratio bulk / one-by-one: {bulk_rate / single_rate:.1f}x")
        print(f"1,000 products at the bulk rate: {1000 / bulk_rate:.0f} s (target <= 120 s, goal 60 s)")
    finally:
        product_ids = [
            pid
            for pid in Listing.objects.filter(unit=unit).values_list("saleor_product_id", flat=True)
            if pid
        ]
        for i in range(0, len(product_ids), 100):
            staff.gql(
                "mutation($ids: [ID!]!) { productBulkDelete(ids: $ids) { errors { message } } }",
                {"ids": product_ids[i : i + 100]},
            )
        staff.gql(
            "mutation($id: ID!) { appDelete(id: $id) { errors { message } } }", {"id": app["app"]["id"]}
        )
        channel_delete(staff, channel["id"])
        staff.gql(
            "mutation($id: ID!) { deleteWarehouse(id: $id) { errors { message } } }", {"id": warehouse_id}
        )
        print(f"deleted {len(product_ids)} products, the bench's channel, warehouse and app from Saleor")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--one-by-one", type=int, default=50)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--media-workers", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--csv", type=int, default=0, help="instead: import a CSV of this many products")
    parser.add_argument("--csv-bad", type=int, default=10, help="bad rows in that CSV")
    args = parser.parse_args()
    api_url = os.environ.get("SALEOR_API_URL")
    if not api_url:
        sys.exit("catalog_sync: set SALEOR_API_URL to the live Saleor's GraphQL URL")

    media_root = Path(tempfile.mkdtemp(prefix="wc-catalog-bench-"))
    os.environ["MEDIA_ROOT"] = str(media_root / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(media_root / "private")
    try:
        with own_cache_and_queues("catalog"), bench_database(DB_NAME, keep=args.keep, force_drop=True):
            from tests.live_saleor import StaffSession

            run(args, StaffSession(api_url), api_url)
    finally:
        shutil.rmtree(media_root, ignore_errors=True)


if __name__ == "__main__":
    main()
