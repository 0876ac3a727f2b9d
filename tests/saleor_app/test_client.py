"""The Saleor client: typed errors, bounded retries on transient failures only."""

from __future__ import annotations

import httpx
import pytest
import respx

from saleor_app.client import SaleorClient
from saleor_app.errors import (
    SaleorAuthError,
    SaleorGraphQLError,
    SaleorMutationError,
    SaleorResponseError,
    SaleorUnavailable,
)

API = "http://127.0.0.1:8000/graphql/"


@pytest.fixture
def client():
    return SaleorClient(API, "t" * 30, max_retries=2, backoff_seconds=0)


def ok(data):
    return httpx.Response(200, json={"data": data})


@respx.mock
def test_a_query_is_sent_as_a_named_operation_with_the_app_token(client):
    route = respx.post(API).mock(return_value=ok({"app": {"id": "A"}}))

    data = client.execute("AppSelf")

    request = route.calls.last.request
    assert data == {"app": {"id": "A"}}
    assert request.headers["Authorization"] == "Bearer " + "t" * 30
    assert b'"operationName":"AppSelf"' in request.content.replace(b" ", b"")


@respx.mock
def test_a_query_is_retried_after_a_timeout_and_a_503(client):
    route = respx.post(API).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(503), ok({"app": None})]
    )

    assert client.execute("AppSelf") == {"app": None}
    assert route.call_count == 3


@respx.mock
def test_retries_are_bounded(client):
    route = respx.post(API).mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(SaleorUnavailable, match="gave up after 3 attempts"):
        client.execute("AppSelf")
    assert route.call_count == 3


@respx.mock
def test_a_mutation_is_retried_only_when_it_surely_was_not_sent(client):
    route = respx.post(API).mock(
        side_effect=[httpx.ConnectError("refused"), ok({"tokenCreate": {"token": "x", "errors": []}})]
    )

    assert client.mutate("TokenCreate", {"email": "a", "password": "b"}, "tokenCreate")["token"] == "x"
    assert route.call_count == 2


@respx.mock
def test_a_mutation_is_not_retried_after_a_read_timeout(client):
    route = respx.post(API).mock(side_effect=httpx.ReadTimeout("maybe applied"))

    with pytest.raises(SaleorUnavailable, match="not retried"):
        client.mutate("TokenCreate", {"email": "a", "password": "b"}, "tokenCreate")
    assert route.call_count == 1


@respx.mock
def test_user_errors_of_a_mutation_are_typed(client):
    errors = [{"field": "email", "code": "INVALID_CREDENTIALS", "message": "Please, enter valid credentials"}]
    respx.post(API).mock(return_value=ok({"tokenCreate": {"token": None, "errors": errors}}))

    with pytest.raises(SaleorMutationError) as caught:
        client.mutate("TokenCreate", {"email": "a", "password": "b"}, "tokenCreate")
    assert caught.value.codes == {"INVALID_CREDENTIALS"}


@respx.mock
@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(401), SaleorAuthError),
        (
            httpx.Response(
                200,
                json={
                    "data": {"app": None},
                    "errors": [{"message": "no", "extensions": {"exception": {"code": "PermissionDenied"}}}],
                },
            ),
            SaleorAuthError,
        ),
        (httpx.Response(200, json={"errors": [{"message": "Syntax Error"}]}), SaleorGraphQLError),
        (httpx.Response(200, text="<html>"), SaleorResponseError),
        (httpx.Response(400, json={"nope": 1}), SaleorResponseError),
    ],
    ids=["http-401", "permission-denied", "graphql-error", "not-json", "no-data"],
)
def test_failures_are_typed(client, response, error):
    respx.post(API).mock(return_value=response)

    with pytest.raises(error):
        client.execute("AppSelf")


def test_an_unknown_operation_name_fails_loudly(client):
    with pytest.raises(KeyError, match="NoSuchOperation"):
        client.execute("NoSuchOperation")
