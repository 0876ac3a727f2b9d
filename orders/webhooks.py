"""Inbox handler of Saleor order events: parse, then one service; bad input parks the event."""

from __future__ import annotations

from typing import Any

from orders import services
from orders.error_codes import OrderInputError
from orders.payload import order_data
from payments.errors import PostingRefused
from saleor_app.services import PermanentEventError


def order_event(*, event_type: str, payload: dict[str, Any], installation: Any) -> None:
    """PostingNotReady and outages propagate: the inbox retries them."""
    try:
        data = order_data(payload)
        services.order_event_apply(data=data, announced_paid=event_type == "order_fully_paid")
    except OrderInputError as exc:
        raise PermanentEventError(str(exc)) from exc
    except PostingRefused as exc:
        raise PermanentEventError(f"{exc.code}: {exc}") from exc
