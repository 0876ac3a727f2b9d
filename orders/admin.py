from django.contrib import admin

from orders.models import Fulfilment, Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in OrderLine._meta.fields]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Read-only: Saleor is the source of truth, this is its projection."""

    list_display = (
        "number",
        "saleor_id",
        "status",
        "charge_status",
        "total",
        "currency",
        "saleor_updated_at",
    )
    list_filter = ("status", "charge_status")
    search_fields = ("number", "saleor_id", "customer_email")
    readonly_fields = [f.name for f in Order._meta.fields]
    inlines = [OrderLineInline]


@admin.register(Fulfilment)
class FulfilmentAdmin(admin.ModelAdmin):
    list_display = ("saleor_id", "order", "unit", "status", "carrier", "tracking_number")
    readonly_fields = [f.name for f in Fulfilment._meta.fields]
