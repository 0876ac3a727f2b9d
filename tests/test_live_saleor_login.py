"""The live tests' staff login (tests/live_saleor.py) against Saleor's tokenCreate answers, played by respx.

Saleor blocks an address for a second before every sign-in from it, so a login racing another one from
127.0.0.1 is refused with LOGIN_ATTEMPT_DELAYED although the password is right (seen on a shared Saleor:
the browser journey's fixture got no token and failed with PyJWT's "Invalid token type")."""

from __future__ import annotations

import httpx
import pytest
import respx

from tests.live_saleor import staff_token

API = "http://saleor.test/graphql/"


def answer(token: str | None, *codes: str) -> httpx.Response:
    errors = [{"code": code, "message": f"{code} (as Saleor says it)"} for code in codes]
    return httpx.Response(200, json={"data": {"tokenCreate": {"token": token, "errors": errors}}})


@respx.mock
def test_a_login_delayed_by_another_login_from_the_same_address_is_tried_again(monkeypatch):
    monkeypatch.setattr("tests.live_saleor.time.sleep", lambda seconds: None)
    route = respx.post(API).mock(
        side_effect=[
            answer(None, "LOGIN_ATTEMPT_DELAYED"),
            answer(None, "LOGIN_ATTEMPT_DELAYED"),
            answer("tok"),
        ]
    )
    assert staff_token(API, "admin@example.com", "admin") == "tok"
    assert route.call_count == 3


@respx.mock
def test_wrong_credentials_fail_at_once_with_saleors_reason(monkeypatch):
    monkeypatch.setattr("tests.live_saleor.time.sleep", lambda seconds: None)
    route = respx.post(API).mock(return_value=answer(None, "INVALID_CREDENTIALS"))
    with pytest.raises(pytest.fail.Exception, match="INVALID_CREDENTIALS"):
        staff_token(API, "admin@example.com", "wrong")
    assert route.call_count == 1


@respx.mock
def test_a_delay_that_never_ends_fails_naming_it(monkeypatch):
    monkeypatch.setattr("tests.live_saleor.time.sleep", lambda seconds: None)
    respx.post(API).mock(return_value=answer(None, "LOGIN_ATTEMPT_DELAYED"))
    with pytest.raises(pytest.fail.Exception, match="LOGIN_ATTEMPT_DELAYED"):
        staff_token(API, "admin@example.com", "admin", retry_for=0)
