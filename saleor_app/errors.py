"""Typed failures of talking to Saleor; callers decide by type, never by message text."""

from __future__ import annotations

from dataclasses import dataclass


class SaleorError(Exception):
    """Base class of every failure of a call to Saleor."""


class SaleorNotInstalled(SaleorError):
    """The app is not installed in Saleor (no installation, or no token yet): run saleor_install."""


class SaleorUnavailable(SaleorError):
    """Saleor could not be reached or answered 5xx/429 after bounded retries: try again later."""


class SaleorAuthError(SaleorError):
    """The token was refused or lacks a permission: retrying will not help."""


class SaleorResponseError(SaleorError):
    """Saleor answered with something that is not a GraphQL response (bad status or body)."""


class SaleorGraphQLError(SaleorError):
    """Saleor executed the request and returned top-level GraphQL errors."""

    def __init__(self, operation: str, errors: list[dict]) -> None:
        self.operation = operation
        self.errors = errors
        messages = "; ".join(str(e.get("message")) for e in errors)
        super().__init__(f"{operation}: {messages}")


@dataclass(frozen=True)
class UserError:
    field: str | None
    code: str | None
    message: str


class SaleorMutationError(SaleorError):
    """A mutation was refused with user errors (validation, uniqueness, ...)."""

    def __init__(self, operation: str, errors: list[UserError]) -> None:
        self.operation = operation
        self.errors = errors
        detail = "; ".join(f"{e.field or '-'}: {e.code} {e.message}" for e in errors)
        super().__init__(f"{operation} refused: {detail}")

    @property
    def codes(self) -> set[str]:
        return {e.code for e in self.errors if e.code}
