"""Back-office pages need a verified second factor from whoever set one up or whose role requires one."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from accounts import second_factor


def second_factor_exempt(view):
    """A view reachable before the second factor is verified (sign-in, sign-out, the 2FA pages)."""

    @wraps(view)
    def exempt(*args, **kwargs):
        return view(*args, **kwargs)

    exempt.second_factor_exempt = True
    return exempt


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: a signed-in user whose session is not verified is sent to verify
    (an authenticator is set up) or to set one up (their role requires it) before any back-office view.

    Every route counts as back office except the views named in SECOND_FACTOR_PUBLIC_VIEWS (the shop, the
    payment pages, health probes) and Saleor's and Stripe's calls, which skip the browser's middleware
    (core.machine_endpoints): a new route is protected without anyone remembering to.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if getattr(view_func, "second_factor_exempt", False) or _public(request):
            return None
        if second_factor.has_second_factor(user):
            target = settings.SECOND_FACTOR_VERIFY_URL
        elif second_factor.required(user):
            target = settings.SECOND_FACTOR_SETUP_URL
        else:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def _public(request) -> bool:
    match = request.resolver_match
    if match is None:
        return True  # no view: nothing to protect (404 follows)
    return any(
        match.view_name == name or (name.endswith(":") and match.view_name.startswith(name))
        for name in settings.SECOND_FACTOR_PUBLIC_VIEWS
    )
