"""Login throttling per account and per client address, per scope (staff and buyers never share a bucket).

A bucket counts failures within LOGIN_THROTTLE_WINDOW_SECONDS; at its limit it is locked for
LOGIN_LOCKOUT_SECONDS from that moment, by the business clock. A successful sign-in clears the account's
bucket (the address keeps its count: one right password does not buy an attacker more guesses).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import LoginThrottle
from core import clock

STAFF, BUYER = "staff", "buyer"
K = LoginThrottle.Kind


@dataclass(frozen=True)
class Lockout:
    until: datetime

    @property
    def message(self) -> str:
        return _(
            "Too many failed sign-in attempts. For your security, signing in is paused until %(time)s "
            "(Beijing time); please try again then."
        ) % {"time": clock.local(self.until).strftime("%Y-%m-%d %H:%M")}


def _key(kind: str, value: str) -> str:
    value = value.strip().lower()
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _buckets(account: str, address: str) -> list[tuple[str, str, int]]:
    buckets = []
    if account.strip():
        buckets.append((K.ACCOUNT, _key(K.ACCOUNT, account), settings.LOGIN_THROTTLE_ACCOUNT_FAILURES))
    if address:
        buckets.append((K.ADDRESS, _key(K.ADDRESS, address), settings.LOGIN_THROTTLE_ADDRESS_FAILURES))
    return buckets


def login_lockout(*, scope: str, account: str, address: str, now: datetime | None = None) -> Lockout | None:
    """The lockout this attempt falls under (the account's or the address's), if any."""
    now = now or clock.now()
    keys = Q()
    for kind, key, _limit in _buckets(account, address):
        keys |= Q(kind=kind, key=key)
    if not keys:
        return None
    until = (
        LoginThrottle.objects.filter(keys, scope=scope, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    return Lockout(until) if until else None


def login_failed(*, scope: str, account: str, address: str, now: datetime | None = None) -> Lockout | None:
    """Count one failure in the account's and the address's buckets; returns the lockout in force, if any."""
    now = now or clock.now()
    window = timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    lockout = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    for kind, key, limit in _buckets(account, address):
        with transaction.atomic():
            bucket, _created = LoginThrottle.objects.get_or_create(
                scope=scope, kind=kind, key=key, defaults={"window_started_at": now}
            )
            bucket = LoginThrottle.objects.select_for_update().get(pk=bucket.pk)
            if bucket.locked_until and bucket.locked_until > now:
                continue  # already locked: attempts then are refused before they are tried
            if bucket.locked_until or bucket.window_started_at + window <= now:
                bucket.failures, bucket.window_started_at, bucket.locked_until = 0, now, None
            bucket.failures += 1
            if bucket.failures >= limit:
                bucket.locked_until = now + lockout
            bucket.save()
    _forget_stale(now - max(window, lockout))
    return login_lockout(scope=scope, account=account, address=address, now=now)


def login_succeeded(*, scope: str, account: str) -> None:
    LoginThrottle.objects.filter(scope=scope, kind=K.ACCOUNT, key=_key(K.ACCOUNT, account)).delete()


def _forget_stale(before: datetime) -> None:
    """Buckets whose window and lock are both over count for nothing: drop them (the table stays small)."""
    LoginThrottle.objects.filter(window_started_at__lt=before).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=before)
    ).delete()
