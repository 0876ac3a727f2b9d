"""Uploading an image: checked and stored privately in the request, processed in Celery after commit."""

from __future__ import annotations

import io

import pytest
from celery.exceptions import Retry
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from catalog import images, selectors, services
from catalog.error_codes import ImageErrorCode
from catalog.models import ImageAsset
from catalog.tasks import PROCESS_RETRIES, process_image_asset
from tests.catalog import image_factories as make

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def files_under(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_upload_stores_the_original_privately_and_processes_only_after_commit(
    local_storages, photo_24mp, django_capture_on_commit_callbacks
):
    # when an operator uploads a photo
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asset = services.image_asset_create(owner_key="unit:7", upload=upload(photo_24mp))

    # then the request stored the original outside the public media root and nothing else yet
    assert asset.status == ImageAsset.Status.PENDING
    assert files_under(local_storages / "private") == [asset.original_name]
    assert asset.original_name == f"originals/{asset.uid.hex}.jpg"
    assert (local_storages / "private" / asset.original_name).read_bytes() == photo_24mp
    assert not (local_storages / "media").exists()
    assert (asset.format, asset.byte_size, asset.owner_key) == ("JPEG", len(photo_24mp), "unit:7")
    assert len(callbacks) == 1

    # when the transaction's commit hook runs the task
    callbacks[0]()

    # then the derivatives are public, upright and the asset is ready
    asset.refresh_from_db()
    assert asset.status == ImageAsset.Status.READY
    assert (asset.width, asset.height) == (4000, 6000)
    assert [(d["size"], d["width"], d["height"]) for d in asset.derivatives] == [
        (256, 171, 256),
        (512, 341, 512),
        (1024, 683, 1024),
        (2048, 1365, 2048),
    ]
    for entry in asset.derivatives:
        stored = (local_storages / "media" / entry["name"]).read_bytes()
        assert len(stored) == entry["bytes"]
        assert Image.open(io.BytesIO(stored)).size == (entry["width"], entry["height"])
        assert entry["name"].startswith(f"images/{asset.uid.hex}/")
    url = selectors.image_asset_derivative_url(asset=asset, size=512)
    assert url == f"/media/{asset.derivatives[1]['name']}"


def test_the_original_has_no_public_url():
    with pytest.raises(ValueError, match="no public URL"):
        storages["private"].url("originals/x.jpg")


def test_a_refused_upload_stores_nothing_and_schedules_nothing(
    local_storages, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(images.ImageRefused) as caught,
    ):
        services.image_asset_create(owner_key="unit:7", upload=upload(b"just some text\n", "notes.jpg"))

    assert caught.value.code == ImageErrorCode.NOT_AN_IMAGE
    assert callbacks == []
    assert not ImageAsset.objects.exists()
    assert not (local_storages / "private").exists()


def test_the_bomb_is_refused_in_the_request(local_storages):
    with pytest.raises(images.ImageRefused) as caught:
        services.image_asset_create(
            owner_key="unit:7", upload=upload(make.png_bomb(), "bomb.png", "image/png")
        )

    assert caught.value.code == ImageErrorCode.TOO_MANY_PIXELS
    assert not ImageAsset.objects.exists()


def test_a_truncated_jpeg_passes_the_header_check_and_is_refused_by_the_task(
    local_storages, django_capture_on_commit_callbacks
):
    data = make.encoded(make.quadrants(640, 480), "JPEG", quality=90)

    # the refusal is worded in the language active where the task runs
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        asset = services.image_asset_create(owner_key="unit:7", upload=upload(data[: len(data) // 2]))

    asset.refresh_from_db()
    assert asset.status == ImageAsset.Status.REFUSED
    assert asset.error_code == ImageErrorCode.TRUNCATED
    assert asset.error_message == "“photo.jpg” is incomplete (the file was cut short); upload it again."
    assert asset.derivatives == []
    assert selectors.image_asset_derivative_url(asset=asset, size=256) is None


def test_processing_twice_changes_nothing_and_writes_no_second_copy(
    local_storages, django_capture_on_commit_callbacks
):
    data = make.encoded(make.quadrants(300, 200, noise=0), "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.image_asset_create(owner_key="unit:7", upload=upload(data, "small.png", "image/png"))
    asset.refresh_from_db()
    before = (asset.derivatives, files_under(local_storages / "media"))

    ImageAsset.objects.filter(pk=asset.pk).update(status=ImageAsset.Status.PENDING)
    assert services.image_asset_process(asset_id=asset.pk) == ImageAsset.Status.READY
    assert services.image_asset_process(asset_id=asset.pk) == ImageAsset.Status.READY

    asset.refresh_from_db()
    assert (asset.derivatives, files_under(local_storages / "media")) == before
    # 300 px wide: 512, 1024 and 2048 share the one 300x200 file, 256 has its own.
    assert len(before[1]) == 2


def test_when_the_original_cannot_be_read_the_task_retries_then_records_a_failure(
    local_storages, django_capture_on_commit_callbacks
):
    data = make.encoded(make.quadrants(300, 200, noise=0), "JPEG")
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.image_asset_create(owner_key="unit:7", upload=upload(data))
    storages["private"].delete(asset.original_name)

    with pytest.raises(Retry):
        process_image_asset.apply(args=[asset.pk])
    asset.refresh_from_db()
    assert asset.status == ImageAsset.Status.PENDING

    assert process_image_asset.apply(args=[asset.pk], retries=PROCESS_RETRIES).get() == "failed"

    asset.refresh_from_db()
    assert asset.status == ImageAsset.Status.FAILED
    assert asset.error_code == ImageErrorCode.PROCESSING_FAILED
