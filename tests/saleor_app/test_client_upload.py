"""SaleorClient.upload: named mutations with files, as a GraphQL multipart request."""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP

import httpx
import pytest
import respx

from saleor_app.client import SaleorClient
from saleor_app.errors import SaleorMutationError, SaleorUnavailable
from saleor_app.operations import operation

API_URL = "http://127.0.0.1:8000/graphql/"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
MEDIA = {"id": "UHJvZHVjdE1lZGlhOjE=", "url": "http://127.0.0.1:8000/media/p.webp", "alt": "Teapot"}


def form_parts(request: httpx.Request) -> list[tuple[str, str | None, str | None, bytes]]:
    """(name, filename, content type, body) of each multipart part, in the order sent."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    assert message.is_multipart()
    return [
        (
            part.get_param("name", header="content-disposition"),
            part.get_filename(),
            part.get_content_type() if part.get_filename() else None,
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    ]


@respx.mock
def test_upload_sends_operations_map_and_file_parts_per_the_multipart_spec():
    route = respx.post(API_URL).mock(
        return_value=httpx.Response(200, json={"data": {"media1": {"media": MEDIA, "errors": []}}})
    )
    client = SaleorClient(API_URL, "app-token")

    payload = client.upload(
        "CatalogMediaCreateBatch",
        {"product": "UHJvZHVjdDox", "alt1": "Teapot", "with2": False},
        {"image1": ("teapot-2048.webp", WEBP, "image/webp")},
        field="media1",
    )

    assert payload["media"] == MEDIA
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer app-token"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = form_parts(request)
    assert [name for name, *_ in parts] == ["operations", "map", "0"]
    operations = json.loads(parts[0][3])
    assert operations == {
        "query": operation("CatalogMediaCreateBatch"),
        "operationName": "CatalogMediaCreateBatch",
        "variables": {"product": "UHJvZHVjdDox", "alt1": "Teapot", "with2": False, "image1": None},
    }
    assert json.loads(parts[1][3]) == {"0": ["variables.image1"]}
    assert parts[2] == ("0", "teapot-2048.webp", "image/webp", WEBP)


@respx.mock
def test_upload_places_nested_and_several_files():
    route = respx.post(API_URL).mock(return_value=httpx.Response(200, json={"data": {}}))

    SaleorClient(API_URL, "t").upload(
        "CatalogMediaCreateBatch",
        {"input": {"product": "P"}, "images": [None, None]},
        {"input.image": ("a.webp", b"a", "image/webp"), "images.1": ("b.webp", b"b", "image/webp")},
    )

    parts = form_parts(route.calls.last.request)
    variables = json.loads(parts[0][3])["variables"]
    assert variables == {"input": {"product": "P", "image": None}, "images": [None, None]}
    assert json.loads(parts[1][3]) == {"0": ["variables.input.image"], "1": ["variables.images.1"]}
    assert [(p[0], p[3]) for p in parts[2:]] == [("0", b"a"), ("1", b"b")]


@respx.mock
def test_upload_user_errors_raise_a_mutation_error():
    errors = [{"field": "image", "code": "INVALID", "message": "Invalid file type."}]
    respx.post(API_URL).mock(
        return_value=httpx.Response(200, json={"data": {"media1": {"media": None, "errors": errors}}})
    )

    with pytest.raises(SaleorMutationError) as caught:
        SaleorClient(API_URL, "t").upload(
            "CatalogMediaCreateBatch",
            {"product": "P"},
            {"image1": ("a.webp", WEBP, "image/webp")},
            field="media1",
        )

    assert caught.value.codes == {"INVALID"}


@respx.mock
def test_an_upload_is_a_mutation_so_it_is_not_resent_after_a_read_timeout():
    route = respx.post(API_URL).mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(SaleorUnavailable, match="not retried"):
        SaleorClient(API_URL, "t", max_retries=3, backoff_seconds=0).upload(
            "CatalogMediaCreateBatch", {"product": "P"}, {"image1": ("a.webp", WEBP, "image/webp")}
        )

    assert route.call_count == 1
