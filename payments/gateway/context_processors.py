"""Template context for pages that take payments: the storefront shows a marker in Stripe test mode."""

from django.http import HttpRequest

from payments.gateway import config


def stripe_mode(request: HttpRequest) -> dict[str, bool]:
    return {"stripe_test_mode": config.test_mode()}
