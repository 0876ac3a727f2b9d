"""What the apps' admin modules share."""

from __future__ import annotations

from django.contrib import admin


class ListedOnlyAdmin(admin.ModelAdmin):
    """Rows the admin lists and shows but never adds, changes or deletes: they are made and changed through
    the app's own pages (checks, audit) or are an append-only trail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
