"""A CSV import run by the worker: the page follows it, good products are created (a trusted unit's
approved and put on sale), bad ones refused with their rows, a resumed run creates nothing twice; units
are isolated."""

from __future__ import annotations

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import imports, listings
from catalog.models import Listing, ListingImport
from tests.catalog.factories import active_unit, make_listing
from tests.db_sessions import connection_params
from tests.unit_onboarding.factories import operator_of

from .test_listing_import import GOOD

pytestmark = pytest.mark.django_db
BAD_ROW = "vase,花瓶,,wenchuang-nowhere,wenchuang-goods,IM-9,,10,1,,,,\n"
# GOOD with the material a product must have before review (the attribute column last)
WITH_MATERIAL = "\n".join(
    line + (",attr_wenchuang-material" if n == 0 else ",silk" if line else "")
    for n, line in enumerate(GOOD.split("\n"))
)


@pytest.fixture
def unit():
    from catalog import provenance

    unit = active_unit("三峡博物馆")
    provenance.collection_object_save(unit=unit, data={"title_zh": "铜镜", "accession_number": "SX-1"})
    return unit


def post_import(client, unit, text: str, **options):
    upload = SimpleUploadedFile("products.csv", text.encode(), content_type="text/csv")
    return client.post(
        reverse("catalog:listings_import", args=[unit.uid]), {"file": upload, "commit": "on", **options}
    )


def test_an_import_runs_in_the_worker_and_its_page_shows_the_outcome(
    client, unit, operator, django_capture_on_commit_callbacks
):
    listings.unit_review_exempt_set(unit=unit, exempt=True)  # a trusted unit: approved at once
    client.force_login(operator)

    with django_capture_on_commit_callbacks(execute=True):  # the worker (eager in tests) runs on commit
        response = post_import(client, unit, WITH_MATERIAL + BAD_ROW, submit="on", on_sale="on")

    job = ListingImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:listing_import", args=[unit.uid, job.uid])
    assert (job.state, job.total, job.processed, job.created) == ("done", 3, 3, 2)
    assert job.errors == [{"row": 5, "column": "category", "message": job.errors[0]["message"]}]
    page = client.get(response["Location"]).content.decode()
    assert "已创建 2 件商品" in page and "<td>5</td><td>category</td>" in page
    made = Listing.objects.filter(unit=unit)
    assert sorted(made.values_list("name_zh", "state", "on_sale")) == [
        ("丝巾", "published", True),
        ("铜镜书签", "published", True),
    ]
    assert set(made.values_list("sync_status", flat=True)) == {Listing.Sync.PENDING}  # pushed in bulk next
    assert sorted(job.listing_ids) == sorted(made.values_list("pk", flat=True))
    # the import is over; the page now follows their push to Saleor (no Saleor here: they wait)
    sync_url = reverse("catalog:listing_import_sync_progress", args=[unit.uid, job.uid])
    assert f'data-progress-url="{sync_url}"' in page and "progress.js" in page
    assert "已发送 0 / 2 件商品到商城" in page
    assert client.get(sync_url).json() == {"state": "running", "done": 0, "total": 2, "percent": 0}
    assert (
        client.get(reverse("catalog:listings_import", args=[unit.uid])).content.decode().count(str(job.uid))
        == 1
    )  # listed among the recent imports


def test_while_queued_the_page_follows_the_progress(client, unit, operator):
    client.force_login(operator)
    post_import(client, unit, GOOD)  # no commit callback: the worker has not run

    job = ListingImport.objects.get()
    page = client.get(reverse("catalog:listing_import", args=[unit.uid, job.uid])).content.decode()
    progress = client.get(reverse("catalog:listing_import_progress", args=[unit.uid, job.uid])).json()

    assert "unit_onboarding/progress.js" in page and "data-progress-url" in page
    assert progress == {"state": "running", "done": 0, "total": 0, "percent": 0}
    assert not Listing.objects.exists()


def test_a_resumed_run_does_not_create_a_product_twice(unit, operator):
    job = ListingImport.objects.create(unit=unit, created_by=operator, data=GOOD.encode())
    # a first run created the mirror and then the worker died
    first = imports.listings_import(
        unit=unit, data=GOOD.split("scarf")[0].encode(), dry_run=False, actor=operator
    )
    assert first.created == 1
    ListingImport.objects.filter(pk=job.pk).update(
        state=ListingImport.State.FAILED, handles_done=["mirror"], created=1, processed=1
    )

    assert imports.listings_import_run(import_id=job.pk) == "2 created, 0 refused"

    job.refresh_from_db()
    assert (job.state, job.created, job.processed, job.total, job.errors) == ("done", 2, 2, 2, [])
    assert sorted(Listing.objects.values_list("name_zh", flat=True)) == ["丝巾", "铜镜书签"]
    assert imports.listings_import_run(import_id=job.pk) == "nothing to do"  # a late duplicate delivery


def test_a_second_run_of_an_import_while_the_first_runs_does_nothing(unit, operator):
    # a task delivered twice: the second run would refuse the first's products as "SKU taken"
    job = ListingImport.objects.create(unit=unit, created_by=operator, data=GOOD.encode())
    first = psycopg.connect(**connection_params(), autocommit=True)  # the first run's worker holds it
    first.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"wc-listing-import:{job.pk}"])

    while_running = imports.listings_import_run(import_id=job.pk)
    # that worker ended: the import is free again (unlocked first: a closed session's locks go only once its
    # backend has exited, which the close does not wait for)
    first.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [f"wc-listing-import:{job.pk}"])
    first.close()

    assert while_running == "running elsewhere"
    assert not Listing.objects.filter(unit=unit).exists()
    assert imports.listings_import_run(import_id=job.pk) == "2 created, 0 refused"


def test_an_unreadable_file_is_refused_on_the_form_and_nothing_is_queued(client, unit, operator):
    client.force_login(operator)

    response = post_import(client, unit, "name,price\nx,1\n")

    assert response.status_code == 400 and "缺少列：handle" in response.content.decode()  # noqa: RUF001
    assert not ListingImport.objects.exists()


def test_another_units_operator_cannot_see_or_follow_an_import(client, unit, operator):
    job = ListingImport.objects.create(unit=unit, created_by=operator, data=GOOD.encode())
    other = operator_of(active_unit("别的馆"))
    client.force_login(other)

    assert client.get(reverse("catalog:listing_import", args=[unit.uid, job.uid])).status_code == 404
    other_unit = other.unit_memberships.get().unit
    assert client.get(reverse("catalog:listing_import", args=[other_unit.uid, job.uid])).status_code == 404
    assert client.get(reverse("catalog:listing_import_progress", args=[unit.uid, job.uid])).status_code == 404


def test_a_stopped_import_is_run_again_from_its_page_and_only_then(
    client, unit, operator, django_capture_on_commit_callbacks
):
    job = ListingImport.objects.create(
        unit=unit, created_by=operator, data=GOOD.encode(), state=ListingImport.State.FAILED, error="boom"
    )
    client.force_login(operator)
    page = client.get(reverse("catalog:listing_import", args=[unit.uid, job.uid])).content.decode()
    retry = reverse("catalog:listing_import_retry", args=[unit.uid, job.uid])
    assert "导入已中止： boom" in page and f'action="{retry}"' in page  # noqa: RUF001

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)

    job.refresh_from_db()
    assert response.status_code == 302 and (job.state, job.created, job.error) == ("done", 2, "")
    again = client.post(retry, follow=True).content.decode()
    assert "只有已中止的导入才能重新运行。" in again and Listing.objects.count() == 2
    client.force_login(operator_of(active_unit("别的馆")))
    assert client.post(retry).status_code == 404


def test_the_page_follows_the_push_to_saleor_of_what_it_created_then_says_how_it_went(
    client, unit, operator, django_capture_on_commit_callbacks
):
    listings.unit_review_exempt_set(unit=unit, exempt=True)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        post_import(client, unit, WITH_MATERIAL, submit="on", on_sale="on")
    job = ListingImport.objects.get()
    first, second = Listing.objects.filter(pk__in=job.listing_ids).order_by("pk")
    page_url = reverse("catalog:listing_import", args=[unit.uid, job.uid])
    sync_url = reverse("catalog:listing_import_sync_progress", args=[unit.uid, job.uid])
    other = make_listing(unit, operator)  # not the import's: never counted
    Listing.objects.filter(pk=other.pk).update(sync_status=Listing.Sync.PENDING)

    Listing.objects.filter(pk=first.pk).update(sync_status=Listing.Sync.DONE)  # the bulk push goes on
    assert client.get(sync_url).json() == {"state": "running", "done": 1, "total": 2, "percent": 50}

    Listing.objects.filter(pk=second.pk).update(sync_status=Listing.Sync.FAILED)
    assert client.get(sync_url).json() == {"state": "done", "done": 2, "total": 2, "percent": 100}
    page = client.get(page_url).content.decode()
    assert "progress.js" not in page and "data-progress-url" not in page
    assert "2 件商品中已有 1 件在商城上架" in page and "1 件暂未发送成功，系统会自动重试" in page  # noqa: RUF001


def test_an_import_that_put_nothing_on_sale_shows_no_push(
    client, unit, operator, django_capture_on_commit_callbacks
):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        post_import(client, unit, GOOD)  # drafts: nothing goes to Saleor
    job = ListingImport.objects.get()
    page = client.get(reverse("catalog:listing_import", args=[unit.uid, job.uid])).content.decode()
    assert "sync-progress" not in page and "sync-result" not in page and "progress.js" not in page


def test_another_units_operator_cannot_follow_the_push(client, unit, operator):
    job = ListingImport.objects.create(unit=unit, created_by=operator, data=GOOD.encode())
    stranger = operator_of(active_unit("别的博物馆"))
    client.force_login(stranger)
    sync_url = reverse("catalog:listing_import_sync_progress", args=[unit.uid, job.uid])
    assert client.get(sync_url).status_code == 404
