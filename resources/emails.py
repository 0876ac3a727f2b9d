"""Mail about licence requests: to the unit's operators and finance members, and to the designer, each in
their language (the unit's mail in the platform's default, zh-Hans)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from resources.models import AwardSelection, DesignCall, LicenceRequest, Proposal
from unit_onboarding.models import UnitMembership

TO_UNIT = {"submitted", "withdrawn"}


def _absolute(path: str) -> str:
    return f"{settings.APP_PUBLIC_URL}{path}"


def unit_recipients(request: LicenceRequest) -> list[str]:
    emails = UnitMembership.objects.filter(
        unit=request.unit, role__in=[UnitMembership.Role.OPERATOR, UnitMembership.Role.FINANCE]
    ).values_list("user__email", flat=True)
    return sorted({e.lower() for e in emails if e})


def licence_request_event(*, request_id: int, event: str) -> None:
    """Submitted and withdrawn go to the unit; approved and declined to the designer."""
    request = LicenceRequest.objects.select_related("unit", "object", "profile", "requester", "licence").get(
        pk=request_id
    )
    if event in TO_UNIT:
        recipients = unit_recipients(request)
        language = settings.LANGUAGE_CODE
        url = reverse("resources:licence_request", args=[request.unit.uid, request.pk])
    else:
        recipients = [request.requester.email] if request.requester.email else []
        language = request.language
        url = reverse("resources:me")
    if not recipients:
        return
    with translation.override(language):
        context = {
            "request": request,
            "event": event,
            "unit": request.unit,
            "object": request.object,
            "designer": request.profile,
            "url": _absolute(url),
        }
        subject = render_to_string("resources/email/licence_request_subject.txt", context).strip()
        body = render_to_string("resources/email/licence_request_body.txt", context)
    send_mass_mail([(subject, body, None, [email]) for email in recipients])


def design_call_event(*, selection_id: int, event: str) -> None:
    """'selected': the unit's finance members are asked to confirm the winner; 'confirmed': every designer
    who answered the call reads the outcome of their proposal, in their language."""
    selection = AwardSelection.objects.select_related("call__unit", "proposal__profile").get(pk=selection_id)
    call = selection.call
    if event == "selected":
        emails = UnitMembership.objects.filter(unit=call.unit, role=UnitMembership.Role.FINANCE).values_list(
            "user__email", flat=True
        )
        url = _absolute(reverse("resources:call", args=[call.unit.uid, call.pk]))
        mails = [
            (settings.LANGUAGE_CODE, email, {"call": call, "selection": selection, "url": url})
            for email in sorted({e.lower() for e in emails if e})
        ]
    else:
        url = _absolute(reverse("resources:me_calls"))
        mails = [
            (p.language, p.designer.email, {"call": call, "proposal": p, "url": url})
            for p in call.proposals.exclude(status=Proposal.Status.WITHDRAWN)
            .select_related("designer")
            .order_by("pk")
            if p.designer.email
        ]
    messages = []
    for language, email, context in mails:
        with translation.override(language):
            context = {**context, "event": event, "unit": call.unit}
            subject = render_to_string("resources/email/design_call_subject.txt", context).strip()
            body = render_to_string("resources/email/design_call_body.txt", context)
        messages.append((subject, body, None, [email]))
    if messages:
        send_mass_mail(messages)


def design_call_withdrawn(*, call_id: int) -> None:
    """Every designer whose proposal was live when the unit withdrew the call reads why, in their language."""
    call = DesignCall.objects.select_related("unit").get(pk=call_id)
    url = _absolute(reverse("resources:me_calls"))
    messages = []
    proposals = call.proposals.exclude(status=Proposal.Status.WITHDRAWN).select_related("designer")
    for proposal in proposals.order_by("pk"):
        if not proposal.designer.email:
            continue
        with translation.override(proposal.language):
            context = {
                "event": "withdrawn",
                "call": call,
                "proposal": proposal,
                "unit": call.unit,
                "url": url,
            }
            subject = render_to_string("resources/email/design_call_subject.txt", context).strip()
            body = render_to_string("resources/email/design_call_body.txt", context)
        messages.append((subject, body, None, [proposal.designer.email]))
    if messages:
        send_mass_mail(messages)
