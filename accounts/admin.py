"""The admin's sign-in is throttled; authenticators are reset only through the audited action; changes to
a person's platform roles (groups, permissions, staff and superuser flags) and passwords are in the trail."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.audit import access_record
from accounts.forms import StaffAdminAuthenticationForm
from accounts.models import AccessEvent, LoginThrottle
from core.admin import ListedOnlyAdmin

A = AccessEvent.Action
admin.site.login_form = StaffAdminAuthenticationForm

# Adding or deleting an authenticator here would skip the access trail: the action below does it.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(AccessEvent)
class AccessEventAdmin(ListedOnlyAdmin):
    list_display = ("at", "action", "actor", "user", "scope")
    list_filter = ("action",)
    search_fields = ("scope", "actor__email", "user__email")


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


def _roles(user) -> set[str]:
    """A person's platform roles as the access trail names them."""
    roles = {f"group:{name}" for name in user.groups.values_list("name", flat=True)}
    roles |= {
        f"permission:{app}.{codename}"
        for app, codename in user.user_permissions.values_list("content_type__app_label", "codename")
    }
    return roles | {flag for flag in ("is_staff", "is_superuser") if getattr(user, flag)}


@admin.register(User)
class AccessUserAdmin(UserAdmin):
    actions = [reset_second_factor]

    def save_model(self, request, obj, form, change):
        request._roles_before = _roles(User.objects.get(pk=obj.pk)) if change and obj.pk else set()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user, before = form.instance, getattr(request, "_roles_before", set())
        after = _roles(user)
        for action, roles in ((A.ROLE_GRANTED, after - before), (A.ROLE_REVOKED, before - after)):
            for role in sorted(roles):
                access_record(action=action, actor=request.user, user=user, scope="platform", role=role)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # saved
            user = User.objects.get(pk=id)
            access_record(action=A.PASSWORD_CHANGED, actor=request.user, user=user, via="admin")
        return response


class AccessGroupAdmin(GroupAdmin):
    """A group's permissions are roles of all its members: each change is in the trail."""

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.permissions.values_list("codename", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.permissions.values_list("codename", flat=True))
        for action, codenames in ((A.ROLE_GRANTED, after - before), (A.ROLE_REVOKED, before - after)):
            for codename in sorted(codenames):
                access_record(
                    action=action,
                    actor=request.user,
                    scope=f"group:{form.instance.name}",
                    permission=codename,
                )


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, AccessGroupAdmin)
