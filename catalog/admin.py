"""Platform staff's view of the catalog: which units are trusted (their edits skip review)."""

from django.contrib import admin

from catalog.models import UnitCatalogSettings


@admin.register(UnitCatalogSettings)
class UnitCatalogSettingsAdmin(admin.ModelAdmin):
    list_display = ("unit", "review_exempt")
    list_filter = ("review_exempt",)
    raw_id_fields = ("unit",)
