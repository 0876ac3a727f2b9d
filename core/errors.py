"""One shape for every app's refusals: a stable `code` for machines and a `message` for people."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class AppError(Exception):
    """A refusal with a stable code; the message (for staff, buyers or logs) is the exception's text."""

    def __init__(self, code: StrEnum, message: str) -> None:
        super().__init__(message)
        self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0])


class FieldError(AppError):
    """A refusal a form shows: worded from the app's MESSAGES table with `params`, beside `field` if any."""

    MESSAGES: Mapping[StrEnum, object] = {}

    def __init__(self, code: StrEnum, field: str | None = None, **params: object) -> None:
        super().__init__(code, code.value)
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        text = str(self.MESSAGES[self.code])
        return text % self.params if self.params else text.replace("%%", "%")


def refuse_same_person(actor, proposer_id: int | None, error: type[Exception], *args: object) -> None:
    """The service's half of four eyes: raises `error(*args)` (the app's own code and message) when
    `actor` is whoever proposed or asked for what is being decided."""
    if proposer_id is not None and actor.pk == proposer_id:
        raise error(*args)


def reason_given(reason: str | None, error: type[Exception], *args: object) -> str:
    """The reason a refusal or withdrawal states, stripped; raises `error(*args)` when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise error(*args)
    return reason
