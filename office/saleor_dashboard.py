"""This app's pages inside the Saleor Dashboard: signing platform staff in by the Dashboard's token.

The Dashboard opens an extension's page in a frame and hands it, by AppBridge's `handshake` message, a token
Saleor signed for this app and the staff user (saleor_app.dashboard_tokens verifies it). The staff user is
signed in here as the account with the same e-mail address, never by a second password; what they may do is
that account's roles, and pages that touch money still ask for its second factor.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import access_record
from accounts.middleware import second_factor_exempt
from accounts.models import AccessEvent
from saleor_app.dashboard_tokens import DashboardTokenInvalid, dashboard_token_verify
from saleor_app.manifest import DASHBOARD_EXTENSIONS

logger = logging.getLogger(__name__)
BACKEND = "django.contrib.auth.backends.ModelBackend"

# The page each Dashboard extension opens (identifiers as in the manifest).
PAGES = {
    "unit-review": "unit_onboarding:review_queue",
    "listing-review": "catalog:review_queue",
    "campaign-review": "campaigns:review_queue",
    "finance": "finance:home",
}
assert set(PAGES) == {identifier for identifier, *_ in DASHBOARD_EXTENSIONS}


@second_factor_exempt  # signing in: the page it opens asks for the second factor where needed
@require_GET
def entry(request: HttpRequest, page: str) -> HttpResponse:
    """The extension's frame: waits for the Dashboard's token, then signs in and opens the page."""
    if page not in PAGES:
        raise Http404
    return render(
        request,
        "office/saleor_dashboard.html",
        {"page": page, "origins": settings.SALEOR_DASHBOARD_ORIGINS},
    )


@second_factor_exempt
@require_POST
def session(request: HttpRequest) -> HttpResponse:
    """Sign the Dashboard's staff user in as their account here, then open the extension's page."""
    page = request.POST.get("page", "")
    if page not in PAGES:
        raise Http404
    try:
        staff = dashboard_token_verify(request.POST.get("token", ""))
    except DashboardTokenInvalid as exc:
        logger.warning("Saleor Dashboard token refused: %s", exc)
        return render(request, "office/saleor_dashboard_refused.html", {"reason": "token"}, status=403)
    user = get_user_model().objects.filter(email__iexact=staff.email, is_active=True).first()
    if user is None:
        refused = {"reason": "account", "email": staff.email}
        return render(request, "office/saleor_dashboard_refused.html", refused, status=403)
    if request.user != user:
        auth_login(request, user, backend=BACKEND)
        access_record(
            action=AccessEvent.Action.LOGIN_SALEOR_DASHBOARD,
            actor=user,
            user=user,
            saleor=staff.api_url,
            saleor_user=staff.saleor_user_id,
        )
    return redirect(reverse(PAGES[page]))
