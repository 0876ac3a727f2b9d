"""Lines whose income is held at payment instead of split (a crowdfunding campaign's reward tiers).

Orders sit below the app that knows campaigns, so that app registers a `HoldRegistry` at start-up (its
AppConfig.ready) and orders asks it, by the order's figures and payment time only (so a redelivered
payment finds the same holds and the same fingerprint), which lines are held and by whom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from orders.payload import OrderData


@dataclass(frozen=True)
class Hold:
    """A line held whole by `party` (a `campaign:<uid>` key) under the version id `version`."""

    party: str
    version: str


class HoldRegistry(Protocol):
    def lines_held(self, *, data: OrderData, paid_at: datetime) -> dict[str, Hold]: ...

    def payment_posted(self, *, data: OrderData, holds: dict[str, Hold]) -> None: ...


_registry: HoldRegistry | None = None


def holds_register(registry: HoldRegistry | None) -> None:
    global _registry
    _registry = registry


def lines_held(*, data: OrderData, paid_at: datetime) -> dict[str, Hold]:
    """{line ref: hold} of the order's held lines; none when no app registered."""
    return _registry.lines_held(data=data, paid_at=paid_at) if _registry else {}


def payment_posted(*, data: OrderData, holds: dict[str, Hold]) -> None:
    """Tell the registered app the payment holding `holds` is posted (in the posting's transaction)."""
    if _registry and holds:
        _registry.payment_posted(data=data, holds=holds)
