"""Business time: the one clock every service reads; tests move it with time-machine.

People read days and months in Asia/Shanghai (settings.TIME_ZONE): a settlement period, a statement's
month, a return window or a licence's last day starts and ends at local midnight, never at UTC's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def business_tz() -> ZoneInfo:
    """The time zone in which people read days and months."""
    return ZoneInfo(settings.TIME_ZONE)


def now() -> datetime:
    """The current instant (aware, UTC): what every service decides by."""
    return timezone.now()


def local(moment: datetime) -> datetime:
    """`moment` as a person reads it (Asia/Shanghai)."""
    return timezone.localtime(moment, business_tz())


def today(moment: datetime | None = None) -> date:
    """The local calendar day of `moment` (default: now)."""
    return local(moment or now()).date()


def day_start(day: date) -> datetime:
    """Local midnight at the start of `day`, as an aware instant."""
    return datetime.combine(day, time.min, tzinfo=business_tz())


def day_end(day: date) -> datetime:
    """Local midnight at the end of `day` (the start of the next), as an aware instant."""
    return day_start(day + timedelta(days=1))
