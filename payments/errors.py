"""Typed refusals of the ledger; callers decide by type and code, never by message text."""

from __future__ import annotations

from core.errors import AppError


class LedgerError(AppError):
    """Base class: `code` is stable, the message is for finance staff."""


class PostingRefused(LedgerError):
    """The event can never be posted as it is (bad figures, over-refund, key reuse): park it."""


class PostingNotReady(LedgerError):
    """The event depends on one not yet posted (a refund before its payment): retry it later."""
