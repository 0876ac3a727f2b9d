"""python manage.py saleor_status"""

from django.core.management.base import BaseCommand
from django.db.models import Count

from saleor_app.client import SaleorClient
from saleor_app.installer import installation_status
from saleor_app.models import SaleorInstallation, WebhookEvent
from saleor_app.webhook_sync import webhooks_sync


class Command(BaseCommand):
    help = "Print each Saleor installation, its webhooks, whether its token works, and the inbox."

    def handle(self, *args, **options):
        installations = list(SaleorInstallation.objects.order_by("pk"))
        if not installations:
            self.stdout.write("Not installed in any Saleor. Run: manage.py saleor_install --api-url ...")
        for installation in installations:
            status = installation_status(installation)
            self.stdout.write(f"Saleor:       {installation.api_url}")
            self.stdout.write(f"App id:       {installation.app_id or '-'}")
            self.stdout.write(f"Registered:   {installation.registered_at:%Y-%m-%d %H:%M:%S %Z}")
            if installation.pending_token_encrypted:
                self.stdout.write("Pending:      a newer token awaits confirmation")
            if installation.last_error:
                self.stdout.write(f"Last error:   {installation.last_error}")
            works = (
                self.style.SUCCESS("yes") if status.token_works else self.style.ERROR(f"no ({status.detail})")
            )
            self.stdout.write(f"Token works:  {works}")
            if status.app:
                app = status.app
                self.stdout.write(f"Active:       {app['isActive']}   version {app['version']}")
                self.stdout.write("Permissions:  " + ", ".join(p["code"] for p in app["permissions"]))
                for hook in app["webhooks"] or []:
                    events = [e["eventType"] for e in hook["asyncEvents"] + hook["syncEvents"]]
                    state = "active" if hook["isActive"] else "INACTIVE"
                    self.stdout.write(
                        f"Webhook:      {hook['name']} [{state}] {hook['targetUrl']} {','.join(events)}"
                    )
                drift = webhooks_sync(
                    client=SaleorClient(installation.api_url, installation.token), dry_run=True
                )
                if drift.changed:
                    self.stdout.write(
                        self.style.WARNING(
                            f"Manifest:     differs ({drift.summary()} needed): run saleor_install"
                        )
                    )
                else:
                    self.stdout.write("Manifest:     webhooks match")
            self.stdout.write("")
        counts = dict(WebhookEvent.objects.values_list("status").annotate(n=Count("pk")))
        self.stdout.write(
            "Inbox:        " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "empty")
        )
