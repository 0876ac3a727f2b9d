"""Against a live Saleor: a pipeline derivative becomes product media through a multipart upload."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from catalog import images
from saleor_app.client import SaleorClient
from tests.catalog import image_factories as make
from tests.live_saleor import StaffSession
from tests.live_shop import own_product

pytestmark = pytest.mark.saleor_live


@pytest.fixture
def product(saleor_api_url):
    """A product of the test's own (deleted afterwards, with its media)."""
    with own_product(StaffSession(saleor_api_url)) as made:
        yield {"id": made.id}


def test_a_webp_derivative_is_uploaded_as_product_media(saleor_api_url, product):
    staff = StaffSession(saleor_api_url)
    photo = make.photo_jpeg(1200, 800, orientation=6)
    derivative = images.process(io.BytesIO(photo), filename="p.jpg", content_type=None, size=len(photo))
    upright_512 = derivative.derivatives[1]

    payload = SaleorClient(saleor_api_url, staff.token).upload(
        "CatalogMediaCreateBatch",
        {
            "product": product["id"],
            "alt1": "wenchuang live upload check",
            "with2": False,
            "with3": False,
            "with4": False,
        },
        {"image1": ("check-512.webp", upright_512.data, "image/webp")},
        field="media1",
    )
    media = next(
        m
        for m in staff.gql(
            "query($id: ID!) { product(id: $id) { media { id type alt url } } }", {"id": product["id"]}
        )["product"]["media"]
        if m["id"] == payload["media"]["id"]
    )
    try:
        assert media["type"] == "IMAGE" and media["alt"] == "wenchuang live upload check"
        served = httpx.get(media["url"], timeout=30, follow_redirects=True)
        assert served.status_code == 200
        width, height = Image.open(io.BytesIO(served.content)).size
        assert height > width  # the upright (portrait) derivative, not the landscape-stored original
    finally:
        staff.gql(
            "mutation($id: ID!) { productMediaDelete(id: $id) { errors { message } } }", {"id": media["id"]}
        )
