"""Mail to applicants, people signing up and invited members, in the recipient's language (after commit)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core import clock
from unit_onboarding.models import ApplicationTransition, Invitation, UnitMembership


def _absolute(path: str) -> str:
    return f"{settings.APP_PUBLIC_URL}{path}"


def application_status_changed(*, transition_id: int) -> None:
    transition = ApplicationTransition.objects.select_related(
        "application__unit", "application__applicant"
    ).get(pk=transition_id)
    application = transition.application
    with translation.override(application.language):
        context = {
            "application": application,
            "unit": application.unit,
            "transition": transition,
            "status": application.get_status_display(),
            "url": _absolute(reverse("unit_onboarding:application", args=[application.pk])),
        }
        subject = render_to_string("unit_onboarding/email/status_subject.txt", context).strip()
        body = render_to_string("unit_onboarding/email/status_body.txt", context)
    send_mail(subject, body, None, [application.applicant.email])


def _send(template: str, context: dict, to: str, language: str) -> None:
    with translation.override(language):
        subject = render_to_string(f"unit_onboarding/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"unit_onboarding/email/{template}_body.txt", context)
    send_mail(subject, body, None, [to])


def invitation_sent(*, invitation_id: int) -> None:
    """The offer and its link; the role attaches only when the invitee accepts there."""
    from unit_onboarding.memberships import account_for, invitation_token

    invitation = Invitation.objects.select_related("unit", "invited_by").get(pk=invitation_id)
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "unit": invitation.unit,
            "role": invitation.get_role_display(),
            "has_account": account_for(invitation.email) is not None,
            "expires": clock.local(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
            "url": _absolute(reverse("unit_onboarding:invitation", args=[invitation_token(invitation)])),
        }
    _send("invite", context, invitation.email, invitation.language)


def role_granted(*, membership_id: int) -> None:
    """A notice to a member given another role (so a grant they did not expect does not go unseen)."""
    membership = UnitMembership.objects.select_related("user", "unit").get(pk=membership_id)
    language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "unit": membership.unit,
            "role": membership.get_role_display(),
            "url": _absolute(reverse("unit_onboarding:unit", args=[membership.unit.uid])),
        }
    _send("role_granted", context, membership.user.email, language)


def signup_link(*, email: str, token: str, exists: bool, language: str) -> None:
    """The link that confirms the address (or, when it already has an account, where to log in)."""
    context = {
        "exists": exists,
        "hours": settings.SIGNUP_LINK_HOURS,
        "url": _absolute(reverse("unit_onboarding:login"))
        if exists
        else _absolute(reverse("unit_onboarding:signup_confirm", args=[token])),
    }
    _send("signup", context, email, language)
