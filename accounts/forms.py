"""Staff sign-in forms that refuse a locked account or address before checking the password."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm

from accounts import throttle
from accounts.addresses import client_address
from accounts.audit import access_record
from accounts.models import AccessEvent


class ThrottledLoginMixin:
    """Counts failures per account and per client address (scope "staff"); a locked one is refused unread."""

    throttle_scope = throttle.STAFF

    def clean(self):
        account = str(self.data.get("username", ""))[:254]
        address = client_address(self.request) if self.request is not None else ""
        lockout = throttle.login_lockout(scope=self.throttle_scope, account=account, address=address)
        if lockout is not None:
            raise forms.ValidationError(lockout.message, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            lockout = throttle.login_failed(scope=self.throttle_scope, account=account, address=address)
            if lockout is None:
                raise
            user = get_user_model().objects.filter(username__iexact=account.strip()).first()
            if user is not None:
                access_record(
                    action=AccessEvent.Action.LOGIN_LOCKED, user=user, address=address, until=lockout.until
                )
            raise forms.ValidationError(lockout.message, code="throttled") from None
        throttle.login_succeeded(scope=self.throttle_scope, account=account)
        return cleaned


class StaffAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class StaffAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
