"""Catalog fixtures: storages in a temporary directory, moto's S3 server over HTTP for S3 tests, the in-memory
Saleor at the HTTP edge, and a unit with its operator (a test module may define its own `unit`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import respx
from moto.server import ThreadedMotoServer

from tests.catalog import image_factories
from tests.catalog.factories import WAREHOUSE_ID, active_unit
from tests.catalog.fake_saleor import API_URL, CatalogFakeSaleor
from tests.factories import SaleorInstallationFactory
from tests.storages import temporary_storages
from tests.unit_onboarding.factories import operator_of

REPO = Path(__file__).resolve().parents[2]
S3_PUBLIC_BUCKET = "wc-public"
S3_PRIVATE_BUCKET = "wc-private"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="session")
def photo_24mp() -> bytes:
    """A 6000 x 4000 camera JPEG with GPS, XMP and orientation 6 (made once per session: ~2 s)."""
    return image_factories.photo_jpeg(6000, 4000, orientation=6)


@pytest.fixture(autouse=True)
def local_storages(settings, tmp_path):
    """Public and private files go to separate temporary directories, as in the filesystem default."""
    return temporary_storages(settings, tmp_path)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_s3_url():
    """moto's S3 server on a free local port, with the public and private buckets created over HTTP."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=url, region_name="us-east-1", **_boto_credentials())
    for bucket in (S3_PUBLIC_BUCKET, S3_PRIVATE_BUCKET):
        client.create_bucket(Bucket=bucket)
    yield url
    server.stop()


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def settings_in_fresh_process(environment: dict[str, str]) -> dict:
    """STORAGES and the two file roots as wenchuang.settings computes them from `environment`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DATA_DIR", "MEDIA_ROOT", "PRIVATE_MEDIA_ROOT", "DJANGO_SETTINGS"))
    }
    env.update(environment)
    env["DJANGO_SETTINGS_MODULE"] = "wenchuang.settings"
    env.setdefault("DATABASE_URL", "postgres://nobody@127.0.0.1:1/unused")  # never connected to
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({'storages': settings.STORAGES, 'media': str(settings.MEDIA_ROOT), "
        "'private': str(settings.PRIVATE_MEDIA_ROOT)}))"
    )
    completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def s3_storages_from_env(moto_s3_url) -> dict:
    """STORAGES exactly as wenchuang.settings builds it from AWS_* variables (read in a fresh process)."""
    computed = settings_in_fresh_process(
        {
            "AWS_STORAGE_BUCKET_NAME": S3_PUBLIC_BUCKET,
            "AWS_PRIVATE_BUCKET_NAME": S3_PRIVATE_BUCKET,
            "AWS_S3_ENDPOINT_URL": moto_s3_url,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_ADDRESSING_STYLE": "path",
        }
    )
    return computed["storages"]


@pytest.fixture
def s3_storages(settings, monkeypatch, s3_storages_from_env):
    """Use the S3 storages (credentials from the environment, as boto3 reads them in production)."""
    for key, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = s3_storages_from_env
    return s3_storages_from_env


@pytest.fixture
def s3_client(moto_s3_url):
    return boto3.client("s3", endpoint_url=moto_s3_url, region_name="us-east-1", **_boto_credentials())


@pytest.fixture
def saleor():
    """The app installed and an in-memory Saleor answering its GraphQL at the HTTP edge."""
    SaleorInstallationFactory()
    fake = CatalogFakeSaleor()
    with respx.mock(assert_all_called=False) as mock:
        mock.post(API_URL).mock(side_effect=fake.handle)
        yield fake


@pytest.fixture
def unit():
    return active_unit("三峡博物馆", warehouse_id=WAREHOUSE_ID)


@pytest.fixture
def operator(unit):
    return operator_of(unit)
