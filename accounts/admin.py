"""The admin's sign-in is throttled; authenticators are reset only through the audited action."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.forms import StaffAdminAuthenticationForm
from accounts.models import AccessEvent, LoginThrottle

admin.site.login_form = StaffAdminAuthenticationForm

# Adding or deleting an authenticator here would skip the access trail: the action below does it.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "actor", "user", "scope")
    list_filter = ("action",)
    search_fields = ("scope", "actor__email", "user__email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Current counts and locks; deleting a row lifts its lock."""

    list_display = ("scope", "kind", "failures", "window_started_at", "locked_until")
    list_filter = ("scope", "kind")
    readonly_fields = ("scope", "kind", "key", "failures", "window_started_at", "locked_until")

    def has_add_permission(self, request):
        return False


User = get_user_model()


@admin.action(description=_("Reset the second factor (lost authenticator)"))
def reset_second_factor(modeladmin, request, queryset):
    for user in queryset:
        if user.pk == request.user.pk:
            messages.error(request, _("You cannot reset your own second factor here."))
            continue
        second_factor.second_factor_reset(user=user, actor=request.user)
        messages.success(
            request, _("%(user)s will set up a new authenticator at the next sign-in.") % {"user": user}
        )


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AccessUserAdmin(UserAdmin):
    actions = [reset_second_factor]
