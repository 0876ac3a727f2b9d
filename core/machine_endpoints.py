"""Endpoints other machines call (Saleor's and Stripe's webhooks, the app manifest): served without the
browser's middleware.

Sessions, CSRF, sign-in, second factor, messages, locale negotiation and the page CSP do nothing for a
signed JSON delivery, yet cost more CPU than verifying and storing it (the webhook bench measured 1.18 ms
of server CPU per delivery through them, 0.80 ms without). Requests under
settings.MACHINE_ENDPOINT_PREFIXES whose view is marked `machine_endpoint` go straight to the view after
the middleware listed before this one (SecurityMiddleware: HTTPS redirect, security headers); anything else
there (an unmarked view, a path that resolves to nothing) takes the full stack as before.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt


def machine_endpoint(view: Callable) -> Callable:
    """Mark a view that only machines call: no CSRF check, none of the browser's middleware."""
    view = csrf_exempt(view)
    view.machine_endpoint = True
    return view


def machine_error(status: int, code: str, message: str) -> JsonResponse:
    """The refusal a machine caller gets: {"error": {"code", "message"}} with the HTTP status."""
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


class MachineEndpointMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.MACHINE_ENDPOINT_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(self.prefixes):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "machine_endpoint", False):
            return self.get_response(request)
        request.resolver_match = match
        # A thread keeps the language its last page activated: machines get the default one, as they did
        # when locale negotiation ran for them (Saleor and Stripe send no Accept-Language).
        with translation.override(settings.LANGUAGE_CODE):
            response = match.func(request, *match.args, **match.kwargs)
        if not response.streaming and not response.has_header("Content-Length"):
            # as CommonMiddleware does: keep-alive without chunked encoding
            response.headers["Content-Length"] = str(len(response.content))
        return response
