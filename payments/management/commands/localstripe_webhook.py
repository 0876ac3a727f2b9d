"""python manage.py localstripe_webhook: make localstripe deliver its events to this service (dev only)."""

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse


class Command(BaseCommand):
    help = "Register this service's Stripe webhook endpoint with the localstripe at STRIPE_API_BASE."

    def add_arguments(self, parser):
        parser.add_argument("--id", default="wenchuang", help="localstripe's name for this registration")

    def handle(self, *args, id, **options):
        base = settings.STRIPE_API_BASE.rstrip("/")
        if not base:
            raise CommandError(
                "STRIPE_API_BASE is empty: with real Stripe, add the endpoint in Stripe's dashboard."
            )
        target = f"{settings.APP_PUBLIC_URL}{reverse('payments_gateway:stripe-webhook')}"
        try:
            response = requests.post(
                f"{base}/_config/webhooks/{id}",
                data={"url": target, "secret": settings.STRIPE_WEBHOOK_SECRET},
                timeout=10,
            )
        except requests.RequestException as exc:
            raise CommandError(f"localstripe is not reachable at {base}: {exc}") from exc
        if response.status_code != 200:
            raise CommandError(f"localstripe refused the registration: HTTP {response.status_code}")
        self.stdout.write(f"localstripe at {base} now delivers events to {target}")
