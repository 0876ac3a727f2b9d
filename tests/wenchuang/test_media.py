"""Public media on the filesystem are served by the service itself, in any mode (DEBUG or not)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages


@pytest.fixture
def media_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.DEBUG = False
    (tmp_path / "secret.webp").write_bytes(b"outside")
    return tmp_path


def test_an_image_derivative_is_served_with_its_type_and_cache_headers(client, media_dir):
    name = storages["default"].save("images/abc/320x320-0123456789abcdef.webp", ContentFile(b"RIFFwebp"))

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFFwebp"
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in response["Cache-Control"]


def test_a_unit_logo_is_served(client, media_dir):
    name = storages["default"].save("units/logos/museum.png", ContentFile(b"\x89PNG"))

    assert client.get(f"/media/{name}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "images/none.webp",  # absent
        "../secret.webp",  # outside MEDIA_ROOT
        "%2e%2e/secret.webp",
        "units/page.html",  # not an image: never served as a page
        "units/logo.svg",  # SVG may carry script
    ],
)
def test_only_existing_images_inside_media_root_are_served(client, media_dir, path):
    storages["default"].save("units/page.html", ContentFile(b"<script>alert(1)</script>"))
    storages["default"].save("units/logo.svg", ContentFile(b"<svg onload=alert(1)>"))

    assert client.get(f"/media/{path}").status_code == 404


def test_only_reading_methods_are_allowed(client, media_dir):
    name = storages["default"].save("units/logos/m.png", ContentFile(b"\x89PNG"))

    assert client.post(f"/media/{name}").status_code == 405
