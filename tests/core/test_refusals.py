"""A view shows a service's refusal as an error message and goes on; anything else still raises."""

from __future__ import annotations

from enum import StrEnum
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.session import SessionStorage
from django.test import RequestFactory

from core.errors import AppError
from core.refusals import refusal_as_message, shop_outcome


class Code(StrEnum):
    TAKEN = "taken"


class Refused(AppError):
    pass


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = SessionStorage(request)
    return request


def _shown(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_refusal_stops_the_block_and_is_shown_as_an_error():
    request = _request()
    ran = []
    with refusal_as_message(request, Refused):
        raise Refused(Code.TAKEN, "Already taken.")
        ran.append("after")  # pragma: no cover
    assert ran == []
    assert _shown(request) == [("error", "Already taken.")]


def test_a_refusal_without_a_message_shows_its_text():
    request = _request()
    with refusal_as_message(request, Refused, LookupError):
        raise LookupError("not installed")
    assert _shown(request) == [("error", "not installed")]


def test_without_a_refusal_the_block_runs_whole():
    request = _request()
    with refusal_as_message(request, Refused):
        done = True
    assert done
    assert _shown(request) == []


def test_any_other_error_is_raised_as_before():
    request = _request()
    with pytest.raises(ValueError), refusal_as_message(request, Refused):
        raise ValueError("a bug")
    assert _shown(request) == []


class _Row(SimpleNamespace):
    class Status:
        FAILED = "failed"


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("failed", [("error", "The shop refused it: no channel")]),
        ("created", [("success", "Created.")]),
    ],
)
def test_the_shops_refusal_of_an_approval_is_an_error(status, shown):
    request = _request()
    shop_outcome(
        request, _Row(status=status, last_error="no channel"), "The shop refused it: %(error)s", "Created."
    )
    assert _shown(request) == shown
