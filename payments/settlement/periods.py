"""Settlement periods: weekly (Monday to Monday) or monthly (first to first), by Asia/Shanghai days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core import clock
from payments.error_codes import SettlementError, SettlementErrorCode


def period_containing(day: date, kind: str) -> tuple[date, date]:
    """[start, end) of the weekly or monthly period that contains `day`."""
    if kind == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    if kind == "monthly":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return start, end
    raise SettlementError(
        SettlementErrorCode.BAD_PERIOD, f"settlement period must be weekly or monthly: {kind}"
    )


def period_before(day: date, kind: str) -> tuple[date, date]:
    """The last complete period before the one containing `day`."""
    start, _ = period_containing(day, kind)
    return period_containing(start - timedelta(days=1), kind)


def at_midnight(day: date) -> datetime:
    """The instant a period's day starts: local midnight, where units and the bureau count their months."""
    return clock.day_start(day)
