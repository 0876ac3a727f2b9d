"""Saleor down or answering garbage: a friendly page with a retry link (503), never a traceback."""

from __future__ import annotations

import logging

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation

from saleor_app.errors import SaleorResponseError, SaleorUnavailable

logger = logging.getLogger(__name__)


class SaleorUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SaleorUnavailable | SaleorResponseError):
            return None
        logger.warning("saleor unavailable for %s: %s", request.path, exception)
        response = render(
            request, "storefront/unavailable.html", {"retry_url": request.get_full_path()}, status=503
        )
        response["Retry-After"] = "30"
        return response


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, but only the public site's unprefixed pages are pinned to Chinese.

    The public site is the URL namespaces in settings.SITE_LOCALE_NAMESPACES (the shop, the library).

    With i18n_patterns(prefix_default_language=False) Django ignores Accept-Language on every
    unprefixed path; the operator and admin pages (not under i18n_patterns) keep negotiating.
    """

    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info):
            return
        try:
            namespace = resolve(request.path_info).namespace
        except Resolver404:
            return
        if namespace not in settings.SITE_LOCALE_NAMESPACES:
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
