"""Content-Security-Policy: one policy for every response (settings.SECURE_CSP), widened only by the few views
that need more (the payment page: Stripe.js).

Django 5.2 has no CSP of its own; 6.0 brings one whose setting has this name and shape (directive -> list
of sources): on upgrading, Django's middleware replaces this one and `csp_allow` becomes `csp_override`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SELF = "'self'"
NONE = "'none'"
HEADER = "Content-Security-Policy"

Policy = Mapping[str, Sequence[str]]
# Directives that fall back to default-src when absent (CSP level 3, the ones this project uses).
_FETCH_DIRECTIVES = {
    "script-src",
    "style-src",
    "img-src",
    "font-src",
    "connect-src",
    "frame-src",
    "media-src",
}


def header_value(policy: Policy) -> str:
    """{"img-src": ["'self'", "data:"], "base-uri": ["'none'"]} -> "img-src 'self' data:; base-uri 'none'"."""
    return "; ".join(" ".join([directive, *dict.fromkeys(sources)]) for directive, sources in policy.items())


def widened(policy: Policy, extra: Policy) -> dict[str, list[str]]:
    """`policy` with `extra`'s sources added; a directive it lacked starts from default-src's sources."""
    result = {directive: list(sources) for directive, sources in policy.items()}
    for directive, sources in extra.items():
        if directive in result:
            base = result[directive]
        elif directive in _FETCH_DIRECTIVES:
            base = list(policy.get("default-src", []))
        else:
            base = []
        result[directive] = [s for s in base if s != NONE] + [s for s in sources if s not in base]
    return result


def csp_allow(extra: Policy | Callable[[HttpRequest, HttpResponse], Policy]):
    """Decorate a view whose page needs more than the site's policy (a callable may read the response)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.csp_allow = extra(request, response) if callable(extra) else extra
            return response

        return wrapped

    return decorator


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(html: bytes) -> list[str]:
    """'sha256-...' sources for the inline scripts of a page this project renders but cannot change."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
        if body.strip()
    ]


class ContentSecurityPolicyMiddleware:
    """Send SECURE_CSP (plus a view's `csp_allow`) on every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "SECURE_CSP", None)
        if policy and HEADER not in response:
            extra = getattr(response, "csp_allow", None)
            response[HEADER] = header_value(widened(policy, extra) if extra else policy)
        return response
