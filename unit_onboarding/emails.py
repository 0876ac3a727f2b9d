"""Mail to applicants and invited members, in the recipient's language (sent after commit)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail, send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from payments.settlement.permissions import PLATFORM_FINANCE_PERMISSION
from unit_onboarding.models import ApplicationTransition, PayeeChange, UnitMembership


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


def payee_change_recipients(change: PayeeChange, *, actor_id: int | None) -> list[str]:
    """The unit's finance members and platform finance, less whoever acted: each is told of the change."""
    unit_finance = UnitMembership.objects.filter(
        unit=change.unit, role=UnitMembership.Role.FINANCE
    ).values_list("user__email", "user_id")
    platform = get_user_model().objects.with_perm(PLATFORM_FINANCE_PERMISSION, is_active=True)
    people = {*unit_finance, *platform.values_list("email", "pk")}
    return sorted({email.lower() for email, pk in people if email and pk != actor_id})


def _payee_label(change: PayeeChange) -> str:
    """Whom the account pays, by name: the designer, the operating entity or the unit."""
    if change.designer is not None:
        return str(change.designer)
    if change.kind == PayeeChange.Kind.ENTITY:
        return str(change.unit.operating_entity)
    return str(change.unit)


def payee_change_announced(*, change_id: int, event: str, language: str) -> None:
    """Mail a payee change (requested, confirmed, rejected, withdrawn) with the account masked."""
    change = PayeeChange.objects.select_related("unit", "designer", "requested_by", "decided_by").get(
        pk=change_id
    )
    actor = change.requested_by if event == "requested" else change.decided_by
    recipients = payee_change_recipients(change, actor_id=actor.pk if actor else None)
    if event != "requested" and change.requested_by.email:
        recipients = sorted({*recipients, change.requested_by.email.lower()} - {(actor.email or "").lower()})
    with translation.override(language):
        context = {
            "change": change,
            "event": event,
            "actor": actor,
            "kind": change.get_kind_display(),
            "payee": _payee_label(change),
            "before": change.before,
            "after": change.after,
            "queue_url": _absolute(reverse("finance:approvals")),
            "unit_url": _absolute(reverse("unit_onboarding:payout", args=[change.unit.uid])),
        }
        subject = render_to_string("unit_onboarding/email/payee_change_subject.txt", context).strip()
        body = render_to_string("unit_onboarding/email/payee_change_body.txt", context)
    send_mass_mail([(subject, body, None, [email]) for email in recipients])
