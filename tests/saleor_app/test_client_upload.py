"""SaleorClient.upload sends a GraphQL multipart request (operations, map, file parts) with the app token."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorMutationError, SaleorUnavailable

API = "http://127.0.0.1:8000/graphql/"


def _parts(request: httpx.Request) -> dict[str, bytes]:
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    parts = {}
    for chunk in request.content.split(b"--" + boundary)[1:-1]:
        head, _, body = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        parts[name] = body
    return parts


@respx.mock
def test_upload_sends_operations_map_and_file():
    seen = {}

    def answer(request):
        seen["auth"] = request.headers["authorization"]
        seen["parts"] = _parts(request)
        return httpx.Response(
            200, json={"data": {"productMediaCreate": {"media": {"id": "M1"}, "errors": []}}}
        )

    respx.post(API).mock(side_effect=answer)

    payload = SaleorClient(API, "t" * 30).upload(
        "CatalogMediaCreate",
        {"product": "P1", "alt": "vase"},
        {"image": ("vase.webp", b"RIFF....WEBP", "image/webp")},
        "productMediaCreate",
    )

    assert payload["media"]["id"] == "M1"
    assert seen["auth"] == "Bearer " + "t" * 30
    operations = json.loads(seen["parts"]["operations"])
    assert operations["operationName"] == "CatalogMediaCreate"
    assert operations["variables"] == {"product": "P1", "alt": "vase", "image": None}
    assert json.loads(seen["parts"]["map"]) == {"0": ["variables.image"]}
    assert seen["parts"]["0"] == b"RIFF....WEBP"


@respx.mock
def test_upload_raises_user_errors_and_is_not_retried_on_503():
    route = respx.post(API).mock(
        return_value=httpx.Response(
            200,
            json={
                "data": {
                    "productMediaCreate": {
                        "media": None,
                        "errors": [{"field": "image", "code": "INVALID", "message": "bad image"}],
                    }
                }
            },
        )
    )
    client = SaleorClient(API, "t" * 30)

    with pytest.raises(SaleorMutationError):
        client.upload(
            "CatalogMediaCreate",
            {"product": "P1"},
            {"image": ("a.webp", b"x", "image/webp")},
            "productMediaCreate",
        )

    route.mock(return_value=httpx.Response(503))
    with pytest.raises(SaleorUnavailable):
        client.upload(
            "CatalogMediaCreate",
            {"product": "P1"},
            {"image": ("a.webp", b"x", "image/webp")},
            "productMediaCreate",
        )
    assert route.call_count == 2


@respx.mock
def test_a_mutation_file_opening_with_a_comment_is_not_retried_after_a_503():
    route = respx.post(API).mock(return_value=httpx.Response(503))

    with pytest.raises(SaleorUnavailable):
        SaleorClient(API, "t" * 30, backoff_seconds=0).execute("CatalogMediaDelete", {"id": "M1"})

    assert route.call_count == 1
