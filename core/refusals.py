"""How a back-office view tells the person what a service did: its refusal as an error message, the page
redirecting as it would anyway; the shop's own refusal of something approved as an error too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.http import HttpRequest


@contextmanager
def refusal_as_message(request: HttpRequest, *refusals: type[Exception]) -> Iterator[None]:
    """Runs the block; a refusal of the kinds named stops it and is shown as an error message (its `message`,
    else its text) instead of raised. Anything else is raised as before."""
    try:
        yield
    except refusals as error:
        messages.error(request, getattr(error, "message", str(error)))


def shop_outcome(request: HttpRequest, done, refused: str, succeeded: str) -> None:
    """After an approval that goes on to Saleor: `refused` (with `%(error)s`, the shop's error) when the row
    ended `FAILED`, else `succeeded`."""
    if done.status == done.Status.FAILED:
        messages.error(request, refused % {"error": done.last_error})
    else:
        messages.success(request, succeeded)
