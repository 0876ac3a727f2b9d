"""Forms of sign-up, invitations, members and the second factor."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from unit_onboarding.models import UnitMembership


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("email"))


def new_password_form(email: str, data=None) -> SetPasswordForm:
    """Password and confirmation, checked by the validators against the account about to be made."""
    User = get_user_model()
    return SetPasswordForm(User(username=email, email=email), data)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("email"))
    role = forms.ChoiceField(label=_("role"), choices=UnitMembership.Role.choices)

    def __init__(self, *args, roles: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offered only what this user may give (the service checks again).
        self.fields["role"].choices = [(r, UnitMembership.Role(r).label) for r in roles]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )

    def __init__(self, *args, setting_up: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if setting_up:  # no recovery codes exist yet
            self.fields["code"].help_text = ""
