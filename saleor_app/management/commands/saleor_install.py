"""python manage.py saleor_install --api-url URL --email E --password P"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from saleor_app.installer import InstallError, app_install


class Command(BaseCommand):
    help = "Install this app into a Saleor through its manifest and wait until registration completes."

    def add_arguments(self, parser):
        parser.add_argument("--api-url", default=settings.SALEOR_API_URL, help="Saleor GraphQL URL")
        parser.add_argument("--email", required=True, help="Saleor staff e-mail (needs MANAGE_APPS)")
        parser.add_argument("--password", required=True)
        parser.add_argument("--manifest-url", default=None, help="default: APP_PUBLIC_URL/saleor/manifest")
        parser.add_argument("--timeout", type=float, default=60.0)

    def handle(self, *args, api_url, email, password, manifest_url, timeout, **options):
        if not api_url:
            raise CommandError("Give --api-url or set SALEOR_API_URL.")
        try:
            outcome = app_install(
                api_url=api_url, email=email, password=password, manifest_url=manifest_url, timeout=timeout
            )
        except InstallError as exc:
            raise CommandError(str(exc)) from exc
        if outcome.already_installed:
            if outcome.webhooks and outcome.webhooks.changed:
                self.stdout.write(
                    f"Already installed in {api_url} as app {outcome.app_id}; {outcome.webhooks.summary()}."
                )
            else:
                self.stdout.write(f"Already installed in {api_url} as app {outcome.app_id}; nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Installed in {api_url} as app {outcome.app_id}."))
