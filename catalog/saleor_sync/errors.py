"""Why a push to Saleor cannot run now: not possible yet, or busy in another worker."""

from __future__ import annotations

from saleor_app.errors import SaleorError


class SyncNotPossible(SaleorError):
    """The push cannot happen yet (no installation, unit not provisioned, wrong channel currency)."""


class SyncBusy(SaleorError):
    """Another worker is pushing this listing right now; try again shortly."""
