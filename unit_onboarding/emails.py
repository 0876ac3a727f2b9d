"""Mail to applicants, people signing up and invited members, in the recipient's language (after commit)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail, send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core import clock
from core.finance import PLATFORM_FINANCE_PERMISSION
from unit_onboarding.designers import designer_claim_token
from unit_onboarding.memberships import account_for, invitation_token
from unit_onboarding.models import (
    ApplicationTransition,
    DesignerClaim,
    Invitation,
    PayeeChange,
    UnitMembership,
)


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


def designer_claim_sent(*, claim_id: int) -> None:
    """The link with which a registered designer links the registration to their account."""
    claim = DesignerClaim.objects.select_related("designer__unit").get(pk=claim_id)
    with translation.override(claim.language):
        context = {
            "designer": claim.designer,
            "unit": claim.designer.unit,
            "has_account": account_for(claim.email) is not None,
            "expires": clock.local(claim.expires_at).strftime("%Y-%m-%d %H:%M"),
            "url": _absolute(reverse("unit_onboarding:designer_claim", args=[designer_claim_token(claim)])),
        }
    _send("designer_claim", context, claim.email, claim.language)
