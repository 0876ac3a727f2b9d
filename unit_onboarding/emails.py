"""Mail to applicants and invited members, in the recipient's language (sent after commit)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from unit_onboarding.models import ApplicationTransition, UnitMembership


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


def member_invited(*, membership_id: int, language: str) -> None:
    membership = UnitMembership.objects.select_related("user", "unit").get(pk=membership_id)
    user = membership.user
    path = reverse(
        "unit_onboarding:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(language):
        context = {
            "membership": membership,
            "unit": membership.unit,
            "role": membership.get_role_display(),
            "url": _absolute(path),
        }
        subject = render_to_string("unit_onboarding/email/invite_subject.txt", context).strip()
        body = render_to_string("unit_onboarding/email/invite_body.txt", context)
    send_mail(subject, body, None, [user.email])
