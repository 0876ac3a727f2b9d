"""Storage on S3, against moto's S3 server over HTTP, configured by the same AWS_* variables as production."""

from __future__ import annotations

from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import selectors, services
from catalog.models import ImageAsset
from tests.catalog import image_factories as make
from tests.catalog.conftest import S3_PRIVATE_BUCKET, S3_PUBLIC_BUCKET


def test_aws_variables_select_s3_for_both_storages(s3_storages_from_env, moto_s3_url):
    public, private = s3_storages_from_env["default"], s3_storages_from_env["private"]

    assert public["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (public["OPTIONS"]["bucket_name"], private["OPTIONS"]["bucket_name"]) == (
        S3_PUBLIC_BUCKET,
        S3_PRIVATE_BUCKET,
    )
    assert public["OPTIONS"]["endpoint_url"] == private["OPTIONS"]["endpoint_url"] == moto_s3_url
    assert public["OPTIONS"]["querystring_auth"] is False
    assert private["OPTIONS"]["querystring_auth"] is True


@pytest.mark.django_db
def test_an_upload_keeps_its_original_in_the_private_bucket_and_derivatives_in_the_public_one(
    s3_storages, s3_client, moto_s3_url, django_capture_on_commit_callbacks
):
    # given a camera photo (EXIF orientation 6) uploaded through the service
    data = make.photo_jpeg(1200, 800, orientation=6)
    upload = SimpleUploadedFile("museum shop.jpg", data, content_type="application/octet-stream")

    # when the request finishes and the task runs after commit
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.image_asset_create(owner_key="unit:3", upload=upload)
    asset.refresh_from_db()

    # then the original is byte for byte in the private bucket, typed by its real format
    assert asset.status == ImageAsset.Status.READY
    original = s3_client.get_object(Bucket=S3_PRIVATE_BUCKET, Key=f"private/{asset.original_name}")
    assert original["Body"].read() == data
    assert original["ContentType"] == "image/jpeg"
    # and each derivative is a public, long-cached WebP in the public bucket
    public_keys = {obj["Key"] for obj in s3_client.list_objects_v2(Bucket=S3_PUBLIC_BUCKET)["Contents"]}
    for entry in asset.derivatives:
        key = f"media/{entry['name']}"
        assert key in public_keys
        head = s3_client.head_object(Bucket=S3_PUBLIC_BUCKET, Key=key)
        assert head["ContentType"] == "image/webp"
        assert head["CacheControl"] == "public, max-age=31536000, immutable"
        assert head["ContentLength"] == entry["bytes"]
    assert (asset.width, asset.height) == (800, 1200)
    # and nothing of the private bucket leaked into the public one
    assert not any(key.startswith("media/originals/") for key in public_keys)

    # and the public URL is plain while the original is only reachable by a signed, expiring URL
    url = selectors.image_asset_derivative_url(asset=asset, size=256)
    assert url.startswith(f"{moto_s3_url}/{S3_PUBLIC_BUCKET}/media/images/{asset.uid.hex}/")
    assert "Signature" not in url
    signed_url = storages["private"].url(asset.original_name)
    signed = urlsplit(signed_url)
    assert "X-Amz-Signature=" in signed.query and "X-Amz-Expires=300" in signed.query
    with urlopen(signed_url, timeout=5) as response:  # noqa: S310 - the local moto server
        assert response.read() == data


@pytest.mark.django_db
def test_an_existing_derivative_is_not_uploaded_twice(s3_storages, s3_client):
    public = storages["default"]
    name = public.save("images/check/1x1-0000.webp", ContentFile(b"RIFF....WEBP"))
    assert public.exists(name)
    first = s3_client.head_object(Bucket=S3_PUBLIC_BUCKET, Key=f"media/{name}")["LastModified"]

    data = make.encoded(make.quadrants(300, 200, noise=0), "PNG")
    asset = ImageAsset.objects.create(
        owner_key="unit:3",
        original_name="originals/check.png",
        original_filename="check.png",
        format="PNG",
        byte_size=len(data),
        sha256="0" * 64,
    )
    storages["private"].save(asset.original_name, ContentFile(data))
    services.image_asset_process(asset_id=asset.pk)
    ImageAsset.objects.filter(pk=asset.pk).update(status=ImageAsset.Status.PENDING)
    services.image_asset_process(asset_id=asset.pk)

    asset.refresh_from_db()
    keys = [
        obj["Key"]
        for obj in s3_client.list_objects_v2(
            Bucket=S3_PUBLIC_BUCKET, Prefix=f"media/images/{asset.uid.hex}/"
        )["Contents"]
    ]
    assert sorted(keys) == sorted({f"media/{entry['name']}" for entry in asset.derivatives})
    assert s3_client.head_object(Bucket=S3_PUBLIC_BUCKET, Key=f"media/{name}")["LastModified"] == first
