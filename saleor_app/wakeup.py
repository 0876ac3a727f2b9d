"""Coalesced wake-ups of the inbox worker (core.wakeup): one `inbox_drain` per burst of deliveries."""

from __future__ import annotations

from core.wakeup import Wakeup
from saleor_app.tasks import inbox_drain

_INBOX = Wakeup("inbox-kick", lambda: inbox_drain.delay())


def inbox_kick() -> None:
    """Make sure a drain is queued; cheap when one already is."""
    _INBOX.kick()


def inbox_kick_consumed() -> None:
    """Called by the drain before it reads the inbox: later deliveries must queue a new drain."""
    _INBOX.consumed()
