"""Platform staff's view of the catalog: which units are trusted, designers' royalties on products."""

from django.contrib import admin

from catalog.models import DesignerRoyalty, UnitCatalogSettings


@admin.register(UnitCatalogSettings)
class UnitCatalogSettingsAdmin(admin.ModelAdmin):
    list_display = ("unit", "review_exempt")
    list_filter = ("review_exempt",)
    raw_id_fields = ("unit",)


@admin.register(DesignerRoyalty)
class DesignerRoyaltyAdmin(admin.ModelAdmin):
    """Read-only here: terms change through `designer_royalty_set`, which closes the previous ones."""

    list_display = ("listing", "designer", "bps", "effective_from", "effective_to", "created_by")
    search_fields = ("designer__slug", "designer__name_zh")
    raw_id_fields = ("listing", "designer")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
