from django.contrib import admin

from saleor_app import services, tasks
from saleor_app.models import SaleorInstallation, WebhookEvent


@admin.register(SaleorInstallation)
class SaleorInstallationAdmin(admin.ModelAdmin):
    list_display = ("api_url", "app_id", "registered_at", "updated_at")
    exclude = ("token_encrypted", "pending_token_encrypted")  # secrets never shown
    readonly_fields = ("api_url", "domain", "app_id", "jwks", "jwks_fetched_at", "last_error")


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("event_type", "status", "attempts", "received_at", "processed_at", "last_error")
    list_filter = ("status", "event_type")
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
    actions = ["retry_parked"]

    @admin.action(description="Retry parked events (after fixing what parked them)")
    def retry_parked(self, request, queryset):
        ids = services.inbox_unpark(ids=list(queryset.values_list("pk", flat=True)))
        for event_id in ids:
            tasks.process_webhook_event.delay(event_id)
        self.message_user(request, f"{len(ids)} parked event(s) set back to pending")
