"""Storage follows the environment: S3 when a bucket is named, the local filesystem otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES))"


def storages_with(**env) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ.update(env, DJANGO_SETTINGS_MODULE="wenchuang.settings", DATABASE_URL="postgres://x@127.0.0.1/x")
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {SCRIPT}"],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("env", "backend", "private_location"),
    [
        ({}, "django.core.files.storage.FileSystemStorage", None),
        ({"AWS_STORAGE_BUCKET_NAME": "wc-docs"}, "storages.backends.s3.S3Storage", "private"),
    ],
)
def test_documents_storage_is_chosen_by_the_environment(env, backend, private_location):
    storages = storages_with(**env)

    assert storages["documents"]["BACKEND"] == backend
    assert storages["default"]["BACKEND"] == backend
    if private_location:
        assert storages["documents"]["OPTIONS"]["location"].startswith(private_location)
        assert storages["documents"]["OPTIONS"]["querystring_auth"] is True
        assert storages["default"]["OPTIONS"]["location"] != private_location
