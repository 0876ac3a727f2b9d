"""Read-mostly admin for platform staff; workflow changes go through the review pages (and their audit)."""

from django.contrib import admin

from core.admin import ListedOnlyAdmin
from unit_onboarding.models import (
    AgreementVersion,
    Application,
    ApplicationTransition,
    Designer,
    Unit,
    UnitMembership,
)


class TransitionInline(admin.TabularInline):
    model = ApplicationTransition
    extra = 0
    can_delete = False
    readonly_fields = ("actor", "from_status", "to_status", "comment", "at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("unit", "status", "applicant", "updated_at")
    list_filter = ("status",)
    readonly_fields = ("unit", "applicant", "status", "language")
    inlines = [TransitionInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("__str__", "credit_code", "status", "provisioning", "saleor_warehouse_id")
    list_filter = ("status", "provisioning", "unit_type", "pilot_level", "operating_mode")
    search_fields = ("legal_name_zh", "legal_name_en", "credit_code", "display_name")
    readonly_fields = ("uid", "status", "saleor_warehouse_id", "provisioning", "provisioning_error")
    # Payout details change only on the unit's payout page (audited, the account encrypted and masked).
    exclude = ("payout_account_name", "payout_bank_name", "payout_bank_account_encrypted")


@admin.register(UnitMembership)
class UnitMembershipAdmin(ListedOnlyAdmin):
    """Listed here; roles are given and taken on the unit's members page (rules, acceptance, access trail)."""

    list_display = ("user", "unit", "role", "invited_by", "created_at")
    list_filter = ("role",)


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    """Versions are added through the agreement page (checks) and cannot change once in force (DB)."""

    list_display = ("agreement", "number", "effective_from", "effective_to")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Designer)
class DesignerAdmin(admin.ModelAdmin):
    """Listed here; registered and changed on the unit's designers page (checks, audit, encryption)."""

    list_display = ("slug", "name_zh", "unit", "settlement_method", "payout_ready")
    search_fields = ("slug", "name_zh", "name_en")
    exclude = ("bank_account_encrypted",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
