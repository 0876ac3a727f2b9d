"""The client's IP address: X-Forwarded-For counts only when it was added by a proxy we trust."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str:
    """REMOTE_ADDR, or, when that is a trusted proxy (settings.TRUSTED_PROXIES), the nearest address in
    X-Forwarded-For that is not one of ours; anything a client wrote further left is ignored."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not _trusted(_ip(remote), networks):
        return remote
    address = remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        parsed = _ip(hop)
        if parsed is None:  # garbage: stop at the last address a trusted proxy vouched for
            return address
        address = str(parsed)
        if not _trusted(parsed, networks):
            return address
    return address
