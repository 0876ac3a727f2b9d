"""The site's answer to a form refused by CSRF protection: what happened and what to do, in the reader's
language (Django's own page is English and technical)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render

logger = logging.getLogger(__name__)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a 403 page that says whether the cookie was missing (a frame on another site)."""
    logger.info("form refused by CSRF protection: %s (%s %s)", reason, request.method, request.path)
    context = {"no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "wenchuang/csrf_refused.html", context, status=403)
